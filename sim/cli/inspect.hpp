#pragma once
// `accel inspect FILE.h5`: a readable summary of any accel result file (propagate, energy,
// train, eval): the provenance block, every group with its attributes and datasets (shape,
// type, unit), and the key metrics when present (test accuracy, interval over chips, energy
// per frame, POPS, POPS/W, training progress).

#include <string>

#include <CLI/CLI.hpp>

#include "accel/sim/cli/app.hpp"

namespace accel::sim::cli {

struct InspectOptions {
    std::string path;
};

void add_inspect(CLI::App& app, const Invocation& invocation);
void run_inspect(const InspectOptions& options);

}  // namespace accel::sim::cli
