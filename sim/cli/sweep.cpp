#include "accel/sim/cli/sweep.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include "accel/sim/cli/progress.hpp"
#include "accel/sim/sweep/sweep.hpp"

namespace accel::sim::cli {
namespace {

struct SweepCommandOptions {
    SweepOptions sweep;
    bool quiet = false;  // no progress and no per-point lines
};

// "detector.rows=8, detector.cols=8"
std::string describe(const SweepPoint& p) {
    std::string s;
    for (std::size_t a = 0; a < p.assignments.size(); ++a) s += (a ? ", " : "") + p.assignments[a];
    return s;
}

// "93.25 %"; "—" for a metric that was not measured (NaN).
std::string percent(double fraction) {
    if (std::isnan(fraction)) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * fraction);
    return buf;
}

// A line per point on stdout, a progress bar on stderr (a terminal only), warnings and
// errors on stderr; with --quiet only the warnings, errors and a --dry-run listing.
class SweepPrinter final : public SweepObserver {
public:
    explicit SweepPrinter(bool quiet) : quiet_(quiet), bar_(stderr, !quiet) {}

    void warning(const std::string& message) override { std::fprintf(stderr, "accel: warning: %s\n", message.c_str()); }

    void points_listed(const SweepListing& l) override {
        std::printf("sweep '%s': %zu points, run = %s, combine = %s, fingerprint %s\n", l.definition_path.c_str(), l.points.size(),
                    to_string(l.run), to_string(l.combine), l.fingerprint.c_str());
        for (const auto& p : l.points) std::printf("  point %zu: %s\n", p.index, describe(p).c_str());
    }

    void base_training_started(const std::string& architecture) override {
        if (!quiet_) std::printf("training the base model (%s) before the sweep\n", architecture.c_str());
    }
    void base_training_progress(const std::string& label, const models::Progress& p) override {
        bar_.update({label, p.images_done, p.images_total, p.images_per_s, true, p.loss, p.accuracy});
    }
    void base_epoch_finished(int epoch, double validation_accuracy) override {
        bar_.clear();
        if (quiet_) return;
        std::printf("base model epoch %d: validation accuracy %s\n", epoch, percent(validation_accuracy).c_str());
        std::fflush(stdout);
    }
    void base_training_finished() override { bar_.clear(); }

    void points_started(const SweepStart& s) override {
        if (quiet_) return;
        std::printf("sweep '%s': %zu points (%s, run = %s), %zu to compute%s%s\n", s.definition_path.c_str(), s.points,
                    to_string(s.combine), to_string(s.run), s.to_compute, s.already_done == 0 ? "" : ", the rest already in the file",
                    s.ranks > 1 ? (", " + std::to_string(s.ranks) + " MPI ranks").c_str() : "");
        std::fflush(stdout);
    }
    [[nodiscard]] bool wants_point_progress() const override { return bar_.active(); }
    void point_progress(const std::string& label, const models::Progress& p) override {
        bar_.update({label, p.images_done, p.images_total, p.images_per_s, p.epochs > 0, p.loss, p.accuracy});
    }
    void point_finished(const PointReport& report) override {
        bar_.clear();
        if (!quiet_) print_point(report);
    }
    void sweep_finished(const std::filesystem::path& output, std::size_t points) override {
        if (!quiet_) std::printf("wrote %s (%zu points)\n", output.string().c_str(), points);
    }

    void error(const std::string& message) override { std::fprintf(stderr, "accel: error: %s\n", message.c_str()); }

private:
    // "point 3 (key=value, ...): accuracy ...; energy ...; 4/10 done, 2.5 points/min, ETA 3 min 02 s"
    static void print_point(const PointReport& report) {
        const PointResult& r = report.result;
        std::printf("point %zu (%s): ", r.point, describe(report.point).c_str());
        if (!std::isnan(r.accuracy_mean)) {
            std::printf("accuracy %s", percent(r.accuracy_mean).c_str());
            if (r.chips >= 2) std::printf(" ± %.2f %% over %lld chips", 50.0 * (r.accuracy_ci95_high - r.accuracy_ci95_low), static_cast<long long>(r.chips));
            if (!std::isnan(r.accuracy_noise_free)) std::printf(", noise-free %s", percent(r.accuracy_noise_free).c_str());
            std::printf("; ");
        }
        if (!std::isnan(r.energy_per_frame_J))
            std::printf("%.4g nJ/frame, %.4g POPS, %.4g POPS/W; ", r.energy_per_frame_J * 1e9, r.throughput_POPS, r.efficiency_POPS_per_W);
        const double rate = static_cast<double>(report.done_this_session) / std::max(report.session_seconds, 1e-9);
        std::printf("%zu/%zu done, %.3g points/min", report.done, report.total, 60.0 * rate);
        if (report.done < report.total && report.done_this_session > 0)
            std::printf(", ETA %s", ProgressBar::format_duration(static_cast<double>(report.total - report.done) / rate).c_str());
        std::printf("\n");
        std::fflush(stdout);
    }

    bool quiet_;
    ProgressBar bar_;
};

}  // namespace

void add_sweep(CLI::App& app, const Invocation& invocation) {
    auto opt = std::make_shared<SweepCommandOptions>();
    CLI::App* sub = app.add_subcommand("sweep", "Run a parameter sweep (grid or zip over any config keys) into one crash-safe HDF5 file");
    sub->add_option("definition", opt->sweep.definition_path, "Sweep definition (TOML: [sweep] and [[axis]] tables; see docs/sweeps.md)")->required();
    sub->add_option("-o,--output", opt->sweep.output_path, "Sweep result file (required); finished points go to FILE.journal beside it at once and into the file in batches");
    sub->add_flag("--resume", opt->sweep.resume, "Continue the sweep in --output: compute only the points it lacks");
    sub->add_flag("--force", opt->sweep.force, "Replace an existing --output file");
    sub->add_flag("--dry-run", opt->sweep.dry_run, "Check every point, list them and stop");
    sub->add_option("--threads", opt->sweep.threads, "Threads per process; 0: all cores (results do not depend on it)")->check(CLI::Range(0, 1024));
    sub->add_flag("-q,--quiet", opt->quiet, "No progress and no per-point lines");
    sub->callback([opt, invocation] {
        SweepOptions o = opt->sweep;
        o.threads = resolve_threads(o.threads);
        o.command_line = invocation.command_line;
        SweepPrinter printer(opt->quiet);
        run_sweep(o, printer);
    });
}

}  // namespace accel::sim::cli
