#pragma once
// `accel eval RUN.h5`: rebuilds the trained model from the file's config_toml and
// /model/parameters and evaluates it on the test split: noise-free, then at each light level
// (--light, default the configured one) over simulated chips with the hardware read-out.
// Results go to a new group /eval/<n> of RUN.h5 (written atomically) or to -o OUT.h5.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "accel/sim/cli/app.hpp"
#include "accel/sim/cli/progress.hpp"
#include "accel/sim/run/test_evaluation.hpp"

namespace accel::sim::cli {

struct EvalOptions {
    std::string input_path;
    std::vector<double> light_fJ_per_um2;  // empty: the configured light level
    int chips = 0;                         // 0: eval.chips of the file's config
    bool noise = false, no_noise = false;  // override eval.noise
    std::vector<std::string> overrides;    // eval.* keys only
    std::string output_path;
    bool force = false;
    int threads = 0;                       // 0: all cores
    bool quiet = false;
    bool noise_budget = false;             // also the noise budget at each light level
    std::string export_frames;             // a new folder for every simulated chip's frames
    std::vector<std::string> frames_files; // adapt and test on these frames files instead of simulating chips
};

void add_eval(CLI::App& app, const Invocation& invocation);
void run_eval(const EvalOptions& options, const Invocation& invocation);

// Shared with `accel train`: the printed summary of a test evaluation.
void print_test_report(const TestReport& report, bool with_confusion);
// Forwards the evaluation's progress to a progress bar.
[[nodiscard]] EvalProgress eval_progress(ProgressBar& bar);

}  // namespace accel::sim::cli
