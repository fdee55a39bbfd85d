#include "accel/sim/config/model_config.hpp"

#include "accel/sim/config/run_description.hpp"

namespace accel::sim {

optics::Grid mask_grid(const Config& c) { return describe_run(c).optics.stage.grid; }
optics::PhotodiodeArray photodiode_array(const Config& c) { return describe_run(c).detector.photodiodes; }
analog::PhotodiodeParams photodiode_params(const Config& c) { return describe_run(c).photodiode; }
analog::ComputeArrayParams compute_array_params(const Config& c) { return describe_run(c).compute_array; }
double optical_energy_per_frame_J(const Config& c) { return describe_run(c).light.frame_energy_J; }
double photons_per_frame(const Config& c) { return describe_run(c).light.photons_per_frame; }
analog::AccelEnergyParams accel_energy_params(const Config& c) { return describe_run(c).accel_energy; }
analog::DigitalEnergyParams digital_energy_params(const Config& c) { return describe_run(c).digital_energy; }
void check_consistency(const Config& c) { (void)describe_run(c); }

}  // namespace accel::sim
