#pragma once
// Writing the model-level results into result files (the layout is in docs/hdf5-schema.md).

#include "accel/analog/energy.hpp"
#include "accel/sim/io/hdf5_file.hpp"

namespace accel::sim {

// /energy: ops, latency, throughput, efficiency and one dataset-free subgroup per component,
// every quantity with its unit.
void write_energy(h5::Group& root, const analog::EnergyReport& report);

}  // namespace accel::sim
