#pragma once
// `accel sweep SWEEP.toml -o OUT.h5`: runs a parameter sweep (sim/sweep/sweep.hpp) with
// crash-safe results, --resume, and MPI distribution under mpirun in builds with ACCEL_MPI;
// prints what the sweep reports (its per-point lines, progress, warnings).

#include <CLI/CLI.hpp>

#include "accel/sim/cli/app.hpp"

namespace accel::sim::cli {

void add_sweep(CLI::App& app, const Invocation& invocation);

}  // namespace accel::sim::cli
