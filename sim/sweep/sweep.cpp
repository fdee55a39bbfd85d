#include "accel/sim/sweep/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>

#include "accel/sim/io/digest.hpp"
#include "accel/core/errors.hpp"
#include "accel/sim/io/output_checks.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/run/interrupt.hpp"
#include "accel/sim/run/model_factory.hpp"
#include "accel/sim/io/model_io.hpp"
#include "accel/sim/cli/progress.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/sweep/sweep_file.hpp"
#include "accel/sim/sweep/sweep_mpi.hpp"
#include "accel/sim/sweep/sweep_runner.hpp"
#include "accel/sim/sweep/sweep_store.hpp"

namespace accel::sim {
namespace {

// What an interruption leaves, and the command that goes on from it.
std::string resume_note(const std::string& definition, const std::filesystem::path& output) {
    const char* argv[] = {"accel", "sweep", definition.c_str(), "-o", output.c_str(), "--resume"};
    return "'" + output.string() + "' and its journal keep every finished point; continue with: " + shell_command_line(6, argv);
}

namespace fs = std::filesystem;

// The trained model a run = eval sweep evaluates: from its file, or trained by the sweep.
struct GivenModel {
    Config config;
    std::vector<double> parameters;
};

GivenModel read_given_model(const fs::path& path, const Schema& schema) {
    const h5::InputFile in(path);
    if (!in.root().has_group("model"))
        throw InputError("'" + path.string() + "' has no group /model; sweep.model needs the output of accel train");
    GivenModel g{read_config(in.root(), schema), {}};
    const RunData shape = load_data(g.config, DataNeeds::test_only);
    optics::PropagationCache<float> cache;
    const auto model = make_model(g.config, cache, shape.test);
    g.parameters = read_model_parameters(in.root(), *model);
    return g;
}

std::string describe(const SweepPoint& p) {
    std::string s;
    for (std::size_t a = 0; a < p.assignments.size(); ++a) s += (a ? ", " : "") + p.assignments[a];
    return s;
}

std::string percent(double fraction) {
    if (std::isnan(fraction)) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f %%", 100.0 * fraction);
    return buf;
}

void print_point(const PointResult& r, const SweepPoint& p, std::size_t done, std::size_t total, double session_seconds,
                 std::size_t done_this_session) {
    std::printf("point %zu (%s): ", r.point, describe(p).c_str());
    if (!std::isnan(r.accuracy_mean)) {
        std::printf("accuracy %s", percent(r.accuracy_mean).c_str());
        if (r.chips >= 2) std::printf(" ± %.2f %% over %lld chips", 50.0 * (r.accuracy_ci95_high - r.accuracy_ci95_low), static_cast<long long>(r.chips));
        if (!std::isnan(r.accuracy_noise_free)) std::printf(", noise-free %s", percent(r.accuracy_noise_free).c_str());
        std::printf("; ");
    }
    if (!std::isnan(r.energy_per_frame_J))
        std::printf("%.4g nJ/frame, %.4g POPS, %.4g POPS/W; ", r.energy_per_frame_J * 1e9, r.throughput_POPS, r.efficiency_POPS_per_W);
    const double rate = static_cast<double>(done_this_session) / std::max(session_seconds, 1e-9);
    std::printf("%zu/%zu done, %.3g points/min", done, total, 60.0 * rate);
    if (done < total && done_this_session > 0) std::printf(", ETA %s", ProgressBar::format_duration(static_cast<double>(total - done) / rate).c_str());
    std::printf("\n");
    std::fflush(stdout);
}

// The table's value of every axis at each of its values, computed once: a point's axis values
// are then looked up, not rebuilt from a configuration per point. An axis's value depends on
// its own assignment only (the keys of a sweep's axes are distinct).
class AxisValueTable {
public:
    AxisValueTable(const Config& base, const SweepSpec& spec, const std::vector<SweepPoint>& points) : points_(points) {
        values_.resize(spec.axes.size());
        for (std::size_t a = 0; a < spec.axes.size(); ++a)
            for (std::size_t v = 0; v < spec.axes[a].values.size(); ++v) {
                SweepPoint one;
                one.index = 0;
                one.assignments = {spec.axes[a].key + "=" + spec.axes[a].values[v]};
                values_[a].push_back(point_config(base, one).value(spec.axes[a].key));
            }
    }
    [[nodiscard]] std::vector<ConfigValue> of(std::size_t point) const {
        std::vector<ConfigValue> out;
        out.reserve(values_.size());
        for (std::size_t a = 0; a < values_.size(); ++a) out.push_back(values_[a][points_[point].value_index[a]]);
        return out;
    }

private:
    const std::vector<SweepPoint>& points_;
    std::vector<std::vector<ConfigValue>> values_;  // [axis][value index]
};

}  // namespace

void run_sweep(const SweepOptions& o) {
    mpi::Session session;
    const bool coordinator = session.rank() == 0;
    const bool distributed = session.size() > 1;
    try {
        const Schema schema = accel_schema();
        const SweepSpec spec = load_sweep_spec(o.definition_path, schema);
        if (o.output_path.empty() && !o.dry_run) throw InputError("--output is required: the sweep result file to write (or resume)");

        // The base configuration and, for run = eval with a model file, the trained parameters.
        Config base = Config::defaults(schema);
        std::vector<double> given_parameters;
        std::string model_digest;
        if (spec.model) {
            if (spec.base.preset || spec.base.file)
                throw InputError("sweep file '" + o.definition_path + "': sweep.model takes its configuration from '" + spec.model->string() +
                                 "'; sweep.preset and sweep.config cannot be combined with it (use sweep.set)");
            GivenModel g = read_given_model(*spec.model, schema);
            base = std::move(g.config);
            for (const auto& s : spec.base.overrides) base.set(s, "sweep.set " + s);
            if (spec.chips > 0) base.set("eval.chips=" + std::to_string(spec.chips), "sweep.chips");
            given_parameters = std::move(g.parameters);
            model_digest = digest_hex(given_parameters.data(), given_parameters.size() * sizeof(double));
        } else {
            base = sweep_base_config(spec, schema);
        }
        base.set("train.threads=" + std::to_string(std::max(o.threads, 1)), "--threads");
        const std::vector<SweepPoint> points = expand_points(spec);
        const std::string fingerprint = sweep_fingerprint(spec, base, model_digest);
        const bool train_base = spec.run == SweepRun::eval && !spec.model;

        std::vector<std::string> axis_keys;
        for (const auto& a : spec.axes) axis_keys.push_back(a.key);
        const AxisValueTable axis_table(base, spec, points);
        const auto axis_values = [&](std::size_t p) { return axis_table.of(p); };

        // Output file: new (not clobbered without --force) or resumed (same fingerprint).
        const fs::path output = o.output_path;
        std::optional<SweepFileState> previous;
        bool base_complete = false;
        models::TrainState base_state;
        if (o.resume && !o.dry_run) {
            if (o.force) throw InputError("--resume and --force exclude each other (resume keeps the file, --force replaces it)");
            std::error_code ec;
            if (!fs::exists(output, ec)) throw InputError("--resume: '" + output.string() + "' does not exist; nothing to resume");
            previous = read_sweep_file(output);
            if (previous->fingerprint != fingerprint || previous->points_total != points.size())
                throw InputError("--resume: '" + output.string() + "' is the result of a different sweep (fingerprint " + previous->fingerprint +
                                 ", this sweep " + fingerprint + "): its definition, base configuration or model differ");
            // A finished file is checked like an unfinished one, before anything runs.
            check_sweep_file(*previous, output, axis_keys, axis_values, spec.keep_models);
            if (coordinator) check_folder_writable(output.string(), "--resume");
        } else if (coordinator && !o.dry_run) {
            const fs::path folder = output.parent_path().empty() ? fs::path(".") : output.parent_path();
            std::error_code ec;
            if (!fs::is_directory(folder, ec)) throw InputError("--output '" + output.string() + "': folder '" + folder.string() + "' does not exist");
            if (fs::is_directory(output, ec)) throw InputError("--output '" + output.string() + "' is a folder");
            if (!o.force && fs::exists(output, ec))
                throw InputError("--output '" + output.string() + "' already exists (use --resume to continue that sweep, --force to replace it)");
            check_folder_writable(output.string(), "--output");
            const fs::path journal = journal_path(output);
            if (fs::is_directory(journal, ec)) throw InputError("--output '" + output.string() + "': its journal '" + journal.string() + "' is a folder");
            if (!o.force && fs::exists(fs::symlink_status(journal, ec)))
                throw InputError("--output '" + output.string() + "': the journal '" + journal.string() +
                                 "' of an interrupted sweep is there (use --resume to continue that sweep, --force to replace both)");
        }
        // Neither the output nor its journal may be one of the sweep's inputs, with or without
        // --force; and the journal's name must fit the file system as the output's does.
        if (!o.dry_run && !output.empty()) {
            const fs::path journal = journal_path(output);
            std::vector<std::pair<std::string, std::string>> inputs = {{o.definition_path, "the sweep definition"}};
            if (spec.base.file) inputs.push_back({spec.base.file->string(), "the sweep's config file"});
            if (spec.model) inputs.push_back({spec.model->string(), "the sweep's model"});
            for (const auto& f : data_files(base, DataNeeds::train_and_test)) inputs.push_back({f.string(), "a data file"});
            for (const auto& [input, role] : inputs) {
                if (same_file(output.string(), input))
                    throw InputError("--output '" + output.string() + "' is " + role + " of this sweep; an output never replaces one of its inputs, not even with --force");
                if (same_file(journal.string(), input))
                    throw InputError("--output '" + output.string() + "': its journal '" + journal.string() + "' would replace " + role + " '" + input + "'");
            }
            if (coordinator && !o.resume) check_folder_writable(journal.string(), "--output (its journal)");
        }

        // Check every point before computing any.
        std::vector<double> expected_parameters = given_parameters;
        if (train_base) {
            const RunData shape = load_data(base, DataNeeds::test_only);
            optics::PropagationCache<float> cache;
            expected_parameters.assign(make_model(base, cache, shape.test)->parameter_count(), 0.0);
        }
        auto runner = std::make_unique<PointRunner>(spec, base, expected_parameters);
        std::vector<std::string> warnings;
        for (const auto& p : points)
            for (auto& w : runner->check(p))
                if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(std::move(w));
        if (coordinator)
            for (const auto& w : warnings) std::fprintf(stderr, "accel: warning: %s\n", w.c_str());

        // Every point checked: list them and stop.
        if (o.dry_run) {
            if (!coordinator) return;
            std::printf("sweep '%s': %zu points, run = %s, combine = %s, fingerprint %s\n", o.definition_path.c_str(), points.size(),
                        to_string(spec.run), to_string(spec.combine), fingerprint.c_str());
            for (const auto& p : points) std::printf("  point %zu: %s\n", p.index, describe(p).c_str());
            return;
        }

        SweepHeader header;
        header.provenance = make_provenance(o.command_line, base.to_toml(), static_cast<std::uint64_t>(base.integer("design.seed")),
                                            static_cast<int>(base.integer("train.threads")));
        header.definition_toml = spec.text;
        header.fingerprint = fingerprint;
        header.run = spec.run;
        header.combine = spec.combine;
        header.points_total = points.size();
        header.chips = base.integer("eval.chips");
        header.model_file = spec.model ? spec.model->string() : std::string();
        header.axis_keys = axis_keys;

        // The base model of an eval sweep without a model file: trained first, checkpointed in
        // the sweep file after every epoch, resumed from it.
        std::vector<double> parameters = given_parameters;
        if (train_base) {
            if (coordinator && previous) {
                const h5::InputFile in(output);
                if (in.root().has_group("train")) {
                    const RunData shape = load_data(base, DataNeeds::test_only);
                    optics::PropagationCache<float> cache;
                    const auto model = make_model(base, cache, shape.test);
                    base_state = read_train_state(in.root(), *model);
                    base_complete = in.root().open_group("train").attribute_int64("complete") == 1;
                }
            }
            if (coordinator) {
                const auto checkpoint = [&](models::Model& model, const models::TrainState& s, bool complete) {
                    create_sweep_file(output, header, h5::Overwrite::yes, [&](h5::Group& root) {
                        write_model(root, model, s.best_parameters, conditions_for(base, Purpose::noise_free));
                        write_train_state(root, s, complete);
                    });
                };
                if (base_complete) {
                    parameters = base_state.best_parameters;
                } else {
                    if (!o.quiet) std::printf("training the base model (%s) before the sweep\n", base.string("design.architecture").c_str());
                    set_interrupt_note(resume_note(o.definition_path, output));
                    ProgressBar bar(stderr, !o.quiet && !distributed);
                    parameters = train_base_model(base, base_state,
                                                  [&](const std::string& label, const models::Progress& p) {
                                                      bar.update({label, p.images_done, p.images_total, p.images_per_s, true, p.loss, p.accuracy});
                                                  },
                                                  [&](models::Model& model, const models::TrainState& s) {
                                                      checkpoint(model, s, false);
                                                      bar.clear();
                                                      if (!o.quiet) {
                                                          const auto& e = s.history.back();
                                                          std::printf("base model epoch %d: validation accuracy %s\n", s.epochs_done,
                                                                      percent(e.validation_accuracy).c_str());
                                                          std::fflush(stdout);
                                                      }
                                                  });
                    const RunData shape = load_data(base, DataNeeds::test_only);
                    optics::PropagationCache<float> cache;
                    const auto model = make_model(base, cache, shape.test);
                    checkpoint(*model, base_state, true);  // a sweep file with the finished base model and no points
                    previous = read_sweep_file(output);
                }
            }
            mpi::broadcast(session, parameters);
            runner = std::make_unique<PointRunner>(spec, base, parameters);
        }

        // What is left to do: the points neither in the file nor in its journal.
        std::unique_ptr<SweepStore> store;
        std::vector<double> todo_message;
        std::size_t already_done = 0;
        if (coordinator) {
            ResumedPoints resumed;
            if (previous) {
                header.provenance = previous->provenance;  // the file's own, kept by every rewrite
                resumed = resume_points(output, std::move(*previous), spec.keep_models);
                if (resumed.ignored_bytes > 0)
                    std::fprintf(stderr, "accel: warning: sweep journal '%s': %llu bytes after its last complete record ignored (a write cut short); those points are computed again\n",
                                 journal_path(output).string().c_str(), static_cast<unsigned long long>(resumed.ignored_bytes));
            } else {
                create_sweep_file(output, header, o.force ? h5::Overwrite::yes : h5::Overwrite::no);
            }
            std::vector<bool> done(points.size(), false);
            for (const auto& r : resumed.in_file) done[r.point] = true;
            for (const auto& r : resumed.journal_only) done[r.point] = true;
            for (std::size_t p = 0; p < points.size(); ++p)
                if (!done[p]) todo_message.push_back(static_cast<double>(p));
            already_done = points.size() - todo_message.size();
            // Rank 0 writes; with MPI its own computing thread needs a runner of its own.
            std::shared_ptr<PointRunner> writer_runner;
            if (spec.keep_models) writer_runner = std::make_shared<PointRunner>(spec, base, parameters);
            store = std::make_unique<SweepStore>(output, header, std::move(resumed), axis_values,
                                                 [writer_runner, &points](h5::Group& g, std::size_t p, std::span<const double> model) {
                                                     writer_runner->write_point_model(g, points[p], model);
                                                 });
        }
        mpi::broadcast(session, todo_message);
        std::vector<std::size_t> todo;
        for (double p : todo_message) todo.push_back(static_cast<std::size_t>(p));
        if (coordinator && !o.quiet) {
            std::printf("sweep '%s': %zu points (%s, run = %s), %zu to compute%s%s\n", o.definition_path.c_str(), points.size(),
                        to_string(spec.combine), to_string(spec.run), todo.size(), already_done == 0 ? "" : ", the rest already in the file",
                        distributed ? (", " + std::to_string(session.size()) + " MPI ranks").c_str() : "");
            std::fflush(stdout);
        }

        const auto session_start = std::chrono::steady_clock::now();
        std::size_t done_now = 0;
        ProgressBar bar(stderr, coordinator && !o.quiet && !distributed);
        const auto on_result = [&](PointResult r) {
            const std::size_t point = r.point;
            PointResult shown = r;
            shown.model_parameters = {};
            store->add(std::move(r));
            ++done_now;
            bar.clear();
            if (!o.quiet)
                print_point(shown, points[point], already_done + done_now, points.size(),
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count(), done_now);
        };
        const auto compute = [&](std::size_t p) {
            return runner->run(points[p], bar.active() ? PointProgress([&](const std::string& label, const models::Progress& pr) {
                bar.update({label, pr.images_done, pr.images_total, pr.images_per_s, pr.epochs > 0, pr.loss, pr.accuracy});
            })
                                                      : PointProgress());
        };
        if (coordinator) set_interrupt_note(resume_note(o.definition_path, output));
        mpi::distribute(session, todo, compute, on_result);
        if (coordinator) {
            store->finish();
            if (!o.quiet) std::printf("wrote %s (%zu points)\n", output.string().c_str(), store->rows());
        }
    } catch (const std::exception& e) {
        if (!distributed) throw;
        // Under mpirun one rank's error must end all of them, with the exit code of the error.
        if (coordinator || dynamic_cast<const InputError*>(&e) == nullptr) std::fprintf(stderr, "accel: error: %s\n", e.what());
        mpi::abort_all(session, dynamic_cast<const InputError*>(&e) != nullptr ? 2 : 1);
    }
}

}  // namespace accel::sim
