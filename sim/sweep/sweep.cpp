#include "accel/sim/sweep/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <span>

#include "accel/core/errors.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/digest.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/model_io.hpp"
#include "accel/sim/io/output_checks.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/run/conditions.hpp"
#include "accel/sim/run/interrupt.hpp"
#include "accel/sim/run/model_construction.hpp"
#include "accel/sim/run/run_data.hpp"
#include "accel/sim/sweep/sweep_mpi.hpp"
#include "accel/sim/sweep/sweep_runner.hpp"
#include "accel/sim/sweep/sweep_store.hpp"

namespace accel::sim {
namespace {

namespace fs = std::filesystem;

// What an interruption leaves, and the command that goes on from it. Appended piecewise: GCC
// 12 reports a false -Wrestrict for "'" + std::string&& (GCC bug 105329).
std::string resume_note(const std::string& definition, const fs::path& output) {
    const char* argv[] = {"accel", "sweep", definition.c_str(), "-o", output.c_str(), "--resume"};
    std::string note(1, '\'');
    note += output.string();
    note += "' and its journal keep every finished point; continue with: ";
    note += shell_command_line(6, argv);
    return note;
}

// The model of `config`, shaped by its test images, with what it is built from (the images
// and the cache of transfer functions it uses).
struct BuiltModel {
    RunData shape;
    optics::PropagationCache<float> cache;
    std::unique_ptr<models::Model> model;
    explicit BuiltModel(const Config& config) : BuiltModel(describe_run(config)) {}
    explicit BuiltModel(const RunDescription& run) : shape(load_data(run, DataNeeds::test_only)), model(make_model(run, cache, shape.test)) {}
};

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
    const BuiltModel built(g.config);
    g.parameters = read_model_parameters(in.root(), *built.model);
    return g;
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

// The base configuration and, for run = eval with a model file, the trained parameters.
struct SweepBase {
    Config config;
    std::vector<double> given_parameters;
    std::string model_digest;  // of the given parameters; empty without a model file
};

SweepBase sweep_base(const SweepOptions& o, const SweepSpec& spec, const Schema& schema) {
    SweepBase b{Config::defaults(schema), {}, {}};
    if (spec.model) {
        if (spec.base.preset || spec.base.file)
            throw InputError("sweep file '" + o.definition_path + "': sweep.model takes its configuration from '" + spec.model->string() +
                             "'; sweep.preset and sweep.config cannot be combined with it (use sweep.set)");
        GivenModel g = read_given_model(*spec.model, schema);
        b.config = std::move(g.config);
        for (const auto& s : spec.base.overrides) b.config.set(s, "sweep.set " + s);
        if (spec.chips > 0) b.config.set("eval.chips=" + std::to_string(spec.chips), "sweep.chips");
        b.given_parameters = std::move(g.parameters);
        b.model_digest = digest_hex(b.given_parameters.data(), b.given_parameters.size() * sizeof(double));
    } else {
        b.config = sweep_base_config(spec, schema);
    }
    b.config.set("train.threads=" + std::to_string(std::max(o.threads, 1)), "--threads");
    return b;
}

// --resume: the file to go on with, checked against this sweep before anything runs (a
// finished file like an unfinished one).
SweepFileState resumed_file(const SweepOptions& o, const std::string& fingerprint, std::size_t points_total,
                            const std::vector<std::string>& axis_keys, const SweepStore::AxisValues& axis_values, bool keep_models,
                            bool coordinator) {
    const fs::path output = o.output_path;
    if (o.force) throw InputError("--resume and --force exclude each other (resume keeps the file, --force replaces it)");
    std::error_code ec;
    if (!fs::exists(output, ec)) throw InputError("--resume: '" + output.string() + "' does not exist; nothing to resume");
    SweepFileState previous = read_sweep_file(output);
    if (previous.fingerprint != fingerprint || previous.points_total != points_total)
        throw InputError("--resume: '" + output.string() + "' is the result of a different sweep (fingerprint " + previous.fingerprint +
                         ", this sweep " + fingerprint + "): its definition, base configuration or model differ");
    check_sweep_file(previous, output, axis_keys, axis_values, keep_models);
    if (coordinator) check_folder_writable(output.string(), "--resume");
    return previous;
}

// A new output: never clobbered without --force, and neither it nor its journal a folder.
void check_new_output(const fs::path& output, bool force) {
    const fs::path folder = output.parent_path().empty() ? fs::path(".") : output.parent_path();
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw InputError("--output '" + output.string() + "': folder '" + folder.string() + "' does not exist");
    if (fs::is_directory(output, ec)) throw InputError("--output '" + output.string() + "' is a folder");
    if (!force && fs::exists(output, ec))
        throw InputError("--output '" + output.string() + "' already exists (use --resume to continue that sweep, --force to replace it)");
    check_folder_writable(output.string(), "--output");
    const fs::path journal = journal_path(output);
    if (fs::is_directory(journal, ec)) throw InputError("--output '" + output.string() + "': its journal '" + journal.string() + "' is a folder");
    if (!force && fs::exists(fs::symlink_status(journal, ec)))
        throw InputError("--output '" + output.string() + "': the journal '" + journal.string() +
                         "' of an interrupted sweep is there (use --resume to continue that sweep, --force to replace both)");
}

// Neither the output nor its journal may be one of the sweep's inputs, with or without
// --force; and the journal's name must fit the file system as the output's does.
void check_no_input_replaced(const SweepOptions& o, const SweepSpec& spec, const Config& base, bool coordinator) {
    const fs::path output = o.output_path;
    const fs::path journal = journal_path(output);
    std::vector<std::pair<std::string, std::string>> inputs = {{o.definition_path, "the sweep definition"}};
    if (spec.base.file) inputs.push_back({spec.base.file->string(), "the sweep's config file"});
    if (spec.model) inputs.push_back({spec.model->string(), "the sweep's model"});
    for (const auto& f : data_files(describe_run(base).data, DataNeeds::train_and_test)) inputs.push_back({f.string(), "a data file"});
    for (const auto& [input, role] : inputs) {
        if (same_file(output.string(), input))
            throw InputError("--output '" + output.string() + "' is " + role + " of this sweep; an output never replaces one of its inputs, not even with --force");
        if (same_file(journal.string(), input))
            throw InputError("--output '" + output.string() + "': its journal '" + journal.string() + "' would replace " + role + " '" + input + "'");
    }
    if (coordinator && !o.resume) check_folder_writable(journal.string(), "--output (its journal)");
}

// The findings of checking every point, each once, in the order first found.
std::vector<std::string> point_warnings(PointRunner& runner, const std::vector<SweepPoint>& points) {
    std::vector<std::string> warnings;
    for (const auto& p : points)
        for (auto& w : runner.check(p))
            if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) warnings.push_back(std::move(w));
    return warnings;
}

SweepHeader sweep_header(const SweepOptions& o, const SweepSpec& spec, const Config& base, const std::string& fingerprint,
                         std::size_t points_total, const std::vector<std::string>& axis_keys) {
    const RunDescription run = describe_run(base);
    SweepHeader header;
    header.provenance = make_provenance(o.command_line, base.to_toml(), run.seed, run.threads);
    header.definition_toml = spec.text;
    header.fingerprint = fingerprint;
    header.run = spec.run;
    header.combine = spec.combine;
    header.points_total = points_total;
    header.chips = run.evaluation.chips;
    header.model_file = spec.model ? spec.model->string() : std::string();
    header.axis_keys = axis_keys;
    return header;
}

// The training state of a resumed sweep's base model, if its file has one; true if that
// training is complete.
bool read_base_state(const fs::path& output, const Config& base, models::TrainState& state) {
    const h5::InputFile in(output);
    if (!in.root().has_group("train")) return false;
    const BuiltModel built(base);
    state = read_train_state(in.root(), *built.model);
    return in.root().open_group("train").attribute_int64("complete") == 1;
}

// Trains the base model from `state`, checkpointed in the sweep file after every epoch; the
// file then holds the finished base model and no points. Returns the best parameters.
std::vector<double> train_base(const SweepOptions& o, const Config& base, const SweepHeader& header, models::TrainState& state,
                               SweepObserver& observer, bool distributed) {
    const fs::path output = o.output_path;
    const RunDescription run = describe_run(base);
    const auto checkpoint = [&](models::Model& model, const models::TrainState& s, bool complete) {
        create_sweep_file(output, header, h5::Overwrite::yes, [&](h5::Group& root) {
            write_model(root, model, s.best_parameters, conditions_for(run, Purpose::noise_free));
            write_train_state(root, s, complete);
        });
    };
    observer.base_training_started(std::string(architecture_name(run.architecture)));
    set_interrupt_note(resume_note(o.definition_path, output));
    const PointProgress progress =
        distributed ? PointProgress()
                    : PointProgress([&](const std::string& label, const models::Progress& p) { observer.base_training_progress(label, p); });
    std::vector<double> parameters =
        train_base_model(run, state, progress, [&](models::Model& model, const models::TrainState& s) {
            checkpoint(model, s, false);
            observer.base_epoch_finished(s.epochs_done, s.history.empty() ? std::numeric_limits<double>::quiet_NaN()
                                                                            : s.history.back().validation_accuracy);
        });
    observer.base_training_finished();
    BuiltModel built(run);
    checkpoint(*built.model, state, true);
    return parameters;
}

// The base model of an eval sweep without a model file, on every rank: rank 0 takes it from
// the resumed file if its training was complete, else trains it (on from a saved epoch).
std::vector<double> base_model_parameters(const SweepOptions& o, const Config& base, const SweepHeader& header,
                                          std::optional<SweepFileState>& previous, SweepObserver& observer, const mpi::Session& session) {
    std::vector<double> parameters;
    if (session.rank() == 0) {
        models::TrainState state;
        const bool complete = previous && read_base_state(o.output_path, base, state);
        if (complete) {
            parameters = state.best_parameters;
        } else {
            parameters = train_base(o, base, header, state, observer, session.size() > 1);
            previous = read_sweep_file(o.output_path);
        }
    }
    mpi::broadcast(session, parameters);
    return parameters;
}

// Rank 0's side of the points: where results go, and which points are left to do (neither
// in the file nor in its journal).
struct PointStore {
    std::unique_ptr<SweepStore> store;
    std::vector<double> todo;  // point indices, as the MPI broadcast carries them
    std::size_t already_done = 0;
};

PointStore open_point_store(const SweepOptions& o, const SweepSpec& spec, const Config& base, SweepHeader header,
                            std::optional<SweepFileState> previous, const std::vector<SweepPoint>& points,
                            const SweepStore::AxisValues& axis_values, const std::vector<double>& parameters, SweepObserver& observer) {
    const fs::path output = o.output_path;
    ResumedPoints resumed;
    if (previous) {
        header.provenance = previous->provenance;  // the file's own, kept by every rewrite
        resumed = resume_points(output, std::move(*previous), spec.keep_models);
        if (resumed.ignored_bytes > 0)
            observer.warning("sweep journal '" + journal_path(output).string() + "': " + std::to_string(resumed.ignored_bytes) +
                             " bytes after its last complete record ignored (a write cut short); those points are computed again");
    } else {
        create_sweep_file(output, header, o.force ? h5::Overwrite::yes : h5::Overwrite::no);
    }
    PointStore s;
    std::vector<bool> done(points.size(), false);
    for (const auto& r : resumed.in_file) done[r.point] = true;
    for (const auto& r : resumed.journal_only) done[r.point] = true;
    for (std::size_t p = 0; p < points.size(); ++p)
        if (!done[p]) s.todo.push_back(static_cast<double>(p));
    s.already_done = points.size() - s.todo.size();
    // Rank 0 writes; with MPI its own computing thread needs a runner of its own.
    std::shared_ptr<PointRunner> writer_runner;
    if (spec.keep_models) writer_runner = std::make_shared<PointRunner>(spec, base, parameters);
    s.store = std::make_unique<SweepStore>(output, std::move(header), std::move(resumed), axis_values,
                                           [writer_runner, &points](h5::Group& g, std::size_t p, std::span<const double> model) {
                                               writer_runner->write_point_model(g, points[p], model);
                                           });
    return s;
}

// Computes the points left, on every rank; rank 0 saves each result as it arrives.
void compute_points(const SweepOptions& o, const SweepSpec& spec, const std::vector<SweepPoint>& points, PointRunner& runner,
                    PointStore& pending, SweepObserver& observer, const mpi::Session& session) {
    const bool coordinator = session.rank() == 0;
    mpi::broadcast(session, pending.todo);
    std::vector<std::size_t> todo;
    for (double p : pending.todo) todo.push_back(static_cast<std::size_t>(p));
    if (coordinator)
        observer.points_started({o.definition_path, points.size(), spec.run, spec.combine, todo.size(), pending.already_done, session.size()});

    const auto session_start = std::chrono::steady_clock::now();
    std::size_t done_now = 0;
    const auto on_result = [&](PointResult r) {
        const std::size_t point = r.point;
        PointResult shown = r;
        shown.model_parameters = {};
        pending.store->add(std::move(r));
        ++done_now;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start).count();
        observer.point_finished({shown, points[point], pending.already_done + done_now, points.size(), done_now, seconds});
    };
    const bool report_progress = coordinator && session.size() == 1 && observer.wants_point_progress();
    const auto compute = [&](std::size_t p) {
        return runner.run(points[p], report_progress ? PointProgress([&](const std::string& label, const models::Progress& pr) {
            observer.point_progress(label, pr);
        })
                                                     : PointProgress());
    };
    if (coordinator) set_interrupt_note(resume_note(o.definition_path, o.output_path));
    mpi::distribute(session, todo, compute, on_result, [&](const std::string& message) { observer.error(message); });
    if (coordinator) {
        pending.store->finish();
        observer.sweep_finished(o.output_path, pending.store->rows());
    }
}

void run_sweep_in(const SweepOptions& o, SweepObserver& observer, const mpi::Session& session) {
    const bool coordinator = session.rank() == 0;
    const Schema schema = accel_schema();
    const SweepSpec spec = load_sweep_spec(o.definition_path, schema);
    if (o.output_path.empty() && !o.dry_run) throw InputError("--output is required: the sweep result file to write (or resume)");
    const SweepBase b = sweep_base(o, spec, schema);
    const Config& base = b.config;
    const std::vector<SweepPoint> points = expand_points(spec);
    const std::string fingerprint = sweep_fingerprint(spec, base, b.model_digest);
    const bool train_base_first = spec.run == SweepRun::eval && !spec.model;

    std::vector<std::string> axis_keys;
    for (const auto& a : spec.axes) axis_keys.push_back(a.key);
    const AxisValueTable axis_table(base, spec, points);
    const SweepStore::AxisValues axis_values = [&](std::size_t p) { return axis_table.of(p); };

    // The output: new (not clobbered without --force) or resumed (same fingerprint).
    std::optional<SweepFileState> previous;
    if (o.resume && !o.dry_run) previous = resumed_file(o, fingerprint, points.size(), axis_keys, axis_values, spec.keep_models, coordinator);
    else if (coordinator && !o.dry_run) check_new_output(o.output_path, o.force);
    if (!o.dry_run && !o.output_path.empty()) check_no_input_replaced(o, spec, base, coordinator);

    // Check every point before computing any; with --dry-run, list them and stop.
    std::vector<double> expected_parameters = b.given_parameters;
    if (train_base_first) {
        expected_parameters.assign(BuiltModel(base).model->parameter_count(), 0.0);
    }
    auto runner = std::make_unique<PointRunner>(spec, base, expected_parameters);
    const std::vector<std::string> warnings = point_warnings(*runner, points);
    if (coordinator)
        for (const auto& w : warnings) observer.warning(w);
    if (o.dry_run) {
        if (coordinator) observer.points_listed({o.definition_path, points, spec.run, spec.combine, fingerprint});
        return;
    }

    const SweepHeader header = sweep_header(o, spec, base, fingerprint, points.size(), axis_keys);
    std::vector<double> parameters = b.given_parameters;
    if (train_base_first) {
        parameters = base_model_parameters(o, base, header, previous, observer, session);
        runner = std::make_unique<PointRunner>(spec, base, parameters);
    }
    PointStore pending;
    if (coordinator) pending = open_point_store(o, spec, base, header, std::move(previous), points, axis_values, parameters, observer);
    compute_points(o, spec, points, *runner, pending, observer, session);
}

}  // namespace

void run_sweep(const SweepOptions& o, SweepObserver& observer) {
    mpi::Session session;
    try {
        run_sweep_in(o, observer, session);
    } catch (const std::exception& e) {
        if (session.size() == 1) throw;
        // Under mpirun one rank's error must end all of them, with the exit code of the error.
        const bool bad_input = dynamic_cast<const InputError*>(&e) != nullptr;
        if (session.rank() == 0 || !bad_input) observer.error(e.what());
        mpi::abort_all(session, bad_input ? 2 : 1);
    }
}

}  // namespace accel::sim
