#pragma once
// From a validated Config to the parameter structs of the physics (SI units), plus the
// checks that involve several keys at once. The only place that knows both.

#include "accel/analog/compute_array.hpp"
#include "accel/analog/energy.hpp"
#include "accel/analog/photodiode.hpp"
#include "accel/optics/detector.hpp"
#include "accel/optics/grid.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"

namespace accel::sim {

[[nodiscard]] optics::Grid mask_grid(const Config& c);
[[nodiscard]] optics::PhotodiodeArray photodiode_array(const Config& c);
[[nodiscard]] analog::PhotodiodeParams photodiode_params(const Config& c);
[[nodiscard]] analog::ComputeArrayParams compute_array_params(const Config& c);

// Optical energy per frame at the input plane: energy density × input window area (J).
[[nodiscard]] double optical_energy_per_frame_J(const Config& c);
// The same as a photon count, E / (h·c/λ).
[[nodiscard]] double photons_per_frame(const Config& c);

[[nodiscard]] analog::AccelEnergyParams accel_energy_params(const Config& c);
[[nodiscard]] analog::DigitalEnergyParams digital_energy_params(const Config& c);
// The report of the architecture the config names (design.architecture).


// Checks that span several keys (integration within the frame, detector inside the
// window, ...); InputError naming the keys and the numbers.
void check_consistency(const Config& c);

}  // namespace accel::sim
