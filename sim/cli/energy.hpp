#pragma once
// `accel energy`: energy per frame by component, latency, equivalent throughput (POPS) and
// efficiency (POPS/W) of the configured design, as a table and optionally under /energy.

#include <CLI/CLI.hpp>

#include "accel/sim/cli/app.hpp"
#include "accel/sim/cli/config_options.hpp"

namespace accel::sim::cli {

struct EnergyOptions {
    ConfigOptions config;
    std::string output_path;
    bool force = false;
};

void add_energy(CLI::App& app, const Invocation& invocation);
void run_energy(const EnergyOptions& options, const Invocation& invocation);

}  // namespace accel::sim::cli
