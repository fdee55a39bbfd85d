#include "accel/sim/cli/sweep.hpp"

#include <memory>

#include "accel/sim/sweep/sweep.hpp"

namespace accel::sim::cli {

void add_sweep(CLI::App& app, const Invocation& invocation) {
    auto opt = std::make_shared<SweepOptions>();
    CLI::App* sub = app.add_subcommand("sweep", "Run a parameter sweep (grid or zip over any config keys) into one crash-safe HDF5 file");
    sub->add_option("definition", opt->definition_path, "Sweep definition (TOML: [sweep] and [[axis]] tables; see docs/sweeps.md)")->required();
    sub->add_option("-o,--output", opt->output_path, "Sweep result file (required); finished points go to FILE.journal beside it at once and into the file in batches");
    sub->add_flag("--resume", opt->resume, "Continue the sweep in --output: compute only the points it lacks");
    sub->add_flag("--force", opt->force, "Replace an existing --output file");
    sub->add_flag("--dry-run", opt->dry_run, "Check every point, list them and stop");
    sub->add_option("--threads", opt->threads, "Threads per process; 0: all cores (results do not depend on it)")->check(CLI::Range(0, 1024));
    sub->add_flag("-q,--quiet", opt->quiet, "No progress and no per-point lines");
    sub->callback([opt, invocation] {
        SweepOptions o = *opt;
        o.threads = resolve_threads(o.threads);
        o.command_line = invocation.command_line;
        run_sweep(o);
    });
}

}  // namespace accel::sim::cli
