#pragma once
// `accel train`: trains the configured model on [data] with the trainer of models/, writing
// the whole result file atomically after every epoch (provenance, /model, /train/state,
// /metrics/history), so that a kill loses at most the epoch in progress and `--resume`
// continues bit for bit; then evaluates the best parameters on the test split (noise-free
// and over simulated chips), adds /metrics/test, /energy and /fields, writes PNGs of the
// masks and detector planes next to the output, and prints a summary.

#include <string>

#include <CLI/CLI.hpp>

#include "accel/sim/cli/app.hpp"
#include "accel/sim/cli/config_options.hpp"

namespace accel::sim::cli {

struct TrainOptions {
    ConfigOptions config;
    std::string output_path;  // required unless --resume (then the resumed file by default)
    std::string resume_path;  // continue this run; its config_toml is used (only train.epochs may change)
    bool force = false;
    bool quiet = false;
};

void add_train(CLI::App& app, const Invocation& invocation);
void run_train(const TrainOptions& options, const Invocation& invocation);

}  // namespace accel::sim::cli
