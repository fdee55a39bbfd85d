#include "accel/sim/cli/train.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "accel/core/errors.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/cli/eval.hpp"
#include "accel/sim/cli/progress.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/model_io.hpp"
#include "accel/sim/io/png.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/io/results.hpp"
#include "accel/sim/run/conditions.hpp"
#include "accel/sim/run/interrupt.hpp"
#include "accel/sim/run/model_construction.hpp"
#include "accel/sim/run/preflight.hpp"
#include "accel/sim/run/run_data.hpp"
#include "accel/sim/run/test_evaluation.hpp"

namespace accel::sim::cli {
namespace {

namespace fs = std::filesystem;

constexpr int snapshot_images = 4;  // detector planes saved as /fields and PNGs

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// With --resume the configuration is the interrupted run's; only the number of epochs may change.
Config train_config(const Schema& schema, const TrainOptions& o) {
    if (o.resume_path.empty()) return load_config(schema, o.config);
    if (!o.config.preset.empty() || !o.config.file.empty())
        throw InputError("--resume takes the configuration from '" + o.resume_path + "'; --preset and -c cannot be combined with it");
    const h5::InputFile in(o.resume_path);
    Config c = read_config(in.root(), schema);
    for (const auto& s : o.config.overrides) {
        if (trim(s.substr(0, s.find('='))) != "train.epochs")
            throw InputError(Config::set_origin(s) + ": with --resume only train.epochs may change (the rest must match the interrupted run)");
        c.set(s, Config::set_origin(s));
    }
    return c;
}

// The files the run reads: the config file, the checkpoint it resumes, the model it starts
// from and the data files.
std::vector<RunInput> run_inputs(const TrainOptions& o, const RunDescription& run) {
    std::vector<RunInput> inputs;
    if (!o.config.file.empty()) inputs.push_back({o.config.file, "the config file (-c)"});
    if (!o.resume_path.empty()) inputs.push_back({o.resume_path, "the checkpoint it resumes (--resume)"});
    if (const std::string& from = run.training.init_from; !from.empty() && o.resume_path.empty())
        inputs.push_back({from, "the model it starts from (train.init_from)"});
    for (const auto& f : data_files(run.data, DataNeeds::train_and_test)) inputs.push_back({f.string(), "a data file"});
    return inputs;
}

// What an interruption leaves: the checkpoint after `done` of `epochs` epochs, and how to go on.
std::string resume_note(const std::string& checkpoint, int done, int epochs) {
    const char* argv[] = {checkpoint.c_str()};
    return "the checkpoint '" + checkpoint + "' holds " + std::to_string(done) + " of " + std::to_string(epochs) +
           " epochs; continue with: accel train --resume " + shell_command_line(1, argv);
}

struct OutputPaths {
    fs::path result;
    std::vector<fs::path> phase_png, detector_png;
};

OutputPaths output_paths(const fs::path& result, std::size_t masks, std::size_t snapshots) {
    OutputPaths p{result, {}, {}};
    const auto sibling = [&](const std::string& suffix) { return result.parent_path() / (result.stem().string() + suffix); };
    for (std::size_t l = 0; l < masks; ++l) p.phase_png.push_back(sibling("_phase_" + std::to_string(l) + ".png"));
    for (std::size_t i = 0; i < snapshots; ++i) p.detector_png.push_back(sibling("_detector_" + std::to_string(i) + ".png"));
    return p;
}

struct Snapshot {
    int test_index = 0;
    int label = 0;
    std::vector<double> intensity_W_per_m2;
};

// Everything the result file holds; test metrics, energy and fields only once training is done.
struct ResultContent {
    const Provenance* provenance = nullptr;
    const RunDescription* run = nullptr;
    const RunData* data = nullptr;
    const models::TrainState* state = nullptr;
    const TestReport* test = nullptr;
    const std::vector<Snapshot>* snapshots = nullptr;
};

void write_result(const fs::path& path, models::Model& model, const ResultContent& r) {
    h5::OutputFile file(path, h5::Overwrite::yes);  // the path was checked (or is being resumed) before training
    h5::Group& root = file.root();
    write_provenance(root, *r.provenance);
    root.set_attribute("data", r.data->describe());
    root.set_attribute("data_digest", r.data->digest());
    write_model(root, model, r.state->best_parameters, conditions_for(*r.run, Purpose::noise_free));
    write_train_state(root, *r.state, r.test != nullptr);
    if (r.test) {
        h5::Group test = root.create_group("metrics/test");
        write_test_report(test, *r.test);
        if (r.run->architecture != Architecture::d2nn) write_energy(root, energy_report(*r.run));
    }
    if (r.snapshots && !r.snapshots->empty()) {
        h5::Group fields = root.create_group("fields");
        fields.set_attribute("description", "detector-plane intensity |u|² of the first test images, best parameters, noise-free");
        const auto side = static_cast<std::size_t>(model.mask_side_px());
        for (std::size_t i = 0; i < r.snapshots->size(); ++i) {
            const Snapshot& s = (*r.snapshots)[i];
            h5::Dataset ds = fields.write_array<double>("detector_intensity_" + std::to_string(i), s.intensity_W_per_m2, {side, side});
            ds.set_unit("W/m^2");
            ds.set_attribute("pitch_m", r.run->optics.stage.grid.pitch_m);
            ds.set_attribute("test_index", s.test_index);
            ds.set_attribute("label", s.label);
        }
    }
    file.commit();
}

void print_epoch(const models::EpochRecord& e, int epoch, int epochs, bool validation) {
    std::printf("epoch %d/%d  train loss %.4f  accuracy %6.2f %%", epoch, epochs, e.train_loss, 100.0 * e.train_accuracy);
    if (validation) std::printf("  validation loss %.4f  accuracy %6.2f %%", e.validation_loss, 100.0 * e.validation_accuracy);
    std::printf("  %s\n", ProgressBar::format_duration(e.seconds).c_str());
    std::fflush(stdout);
}

// The result file: the --output, or the checkpoint a resumed run continues in place;
// checked before anything runs, against the run's inputs too.
struct OutputPlan {
    std::string path;
    bool in_place = false;
    std::vector<RunInput> inputs;
};

// The result file's path; InputError if there is none.
std::string output_path(const TrainOptions& o) {
    std::string path = o.output_path.empty() ? o.resume_path : o.output_path;
    if (path.empty()) throw InputError("--output is required: the result file to write (or --resume RUN.h5)");
    return path;
}

OutputPlan plan_output(const TrainOptions& o, const RunDescription& run) {
    OutputPlan plan;
    plan.path = output_path(o);
    // A resumed run continues its own file in place; any other output must not be an input.
    plan.in_place = !o.resume_path.empty() && fs::exists(plan.path) && same_file(plan.path, o.resume_path);
    plan.inputs = run_inputs(o, run);
    if (!plan.in_place) check_output_path(plan.path, o.force, "--output", plan.inputs);
    else check_folder_writable(plan.path, "--resume");
    return plan;
}

// The images next to the result: new ones are not clobbered without --force, and none
// replaces an input.
void check_image_paths(const OutputPaths& paths, const TrainOptions& o, const std::vector<RunInput>& inputs) {
    const bool resuming = !o.resume_path.empty();
    for (const auto* list : {&paths.phase_png, &paths.detector_png})
        for (const auto& p : *list) {
            if (!o.force && !resuming) check_output_path(p.string(), false, "--output (image next to it)", inputs);
            else check_not_an_input(p.string(), "--output (image next to it)", inputs);
        }
}

// The state training starts from, read before the output is touched: the resumed
// checkpoint's, or a fresh one. A resumed run carries its own state, so the file a warm start
// came from (train.init_from) is not needed again.
models::TrainState initial_state(const TrainOptions& o, const RunDescription& run, models::Trainer& trainer, models::Model& model,
                                 const RunData& data) {
    if (o.resume_path.empty()) return starting_state(run.training.init_from, trainer, model);
    const h5::InputFile in(o.resume_path);
    models::TrainState state = read_train_state(in.root(), model);
    // The configuration comes from the checkpoint, but the images from the data files as
    // they are now: a changed file would silently mix two datasets in one run.
    if (in.root().has_attribute("data_digest") && in.root().attribute_string("data_digest") != data.digest())
        throw InputError("--resume '" + o.resume_path + "': the data differ from those the run was trained on (digest " +
                         in.root().attribute_string("data_digest") + ", now " + data.digest() + "); the files of " +
                         data.describe().substr(0, data.describe().find(':')) + " changed since");
    return state;
}

void print_start(const TrainOptions& o, const models::Model& model, const RunData& data, const models::TrainSettings& settings,
                 const models::TrainState& state) {
    std::printf("training %s model (%zu parameters) on %s; %d thread%s\n", model.architecture().c_str(), model.parameter_count(),
                data.describe().c_str(), settings.threads, settings.threads == 1 ? "" : "s");
    if (!o.resume_path.empty())
        std::printf("resuming from '%s' after epoch %d of %d\n", o.resume_path.c_str(), state.epochs_done, settings.epochs);
    std::fflush(stdout);
}

// Trains from `state` to train.epochs, rewriting the result file after every epoch (the
// checkpoint an interruption leaves). Returns the seconds it took.
double train_epochs(const TrainOptions& o, const std::string& output, models::Model& model, models::Trainer& trainer, const RunData& data,
                    const models::TrainSettings& settings, models::TrainState& state, ResultContent& content) {
    const auto start = std::chrono::steady_clock::now();
    const bool validation = !data.split.validation.empty();
    ProgressBar bar(stderr, !o.quiet);
    const auto on_progress = [&](const models::Progress& p) {
        bar.update({"epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs), p.images_done, p.images_total, p.images_per_s,
                    true, p.loss, p.accuracy});
    };
    const auto on_epoch = [&](const models::TrainState& s) {
        content.state = &s;
        {
            const DeferredInterrupts checkpointing;
            write_result(output, model, content);
            set_interrupt_note(resume_note(output, s.epochs_done, settings.epochs));
        }
        bar.clear();
        if (!o.quiet) print_epoch(s.history.back(), s.epochs_done, settings.epochs, validation);
    };
    if (state.epochs_done >= settings.epochs || state.stopped_early) {
        if (!o.quiet) std::printf("nothing left to train (%d of %d epochs done%s)\n", state.epochs_done, settings.epochs,
                                  state.stopped_early ? ", stopped early" : "");
    }
    trainer.train(data.train, data.split.train, data.split.validation, state, on_progress, on_epoch);
    content.state = &state;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct TestOutcome {
    TestReport report;
    double seconds = 0.0;  // the test, the snapshots and the mask phases
};

// Tests the best parameters, takes the detector snapshots and mask images of the nominal
// design, and writes the complete result file, then the images beside it.
TestOutcome test_and_write(const TrainOptions& o, const RunDescription& run, const std::string& output, const OutputPaths& paths,
                           std::size_t snapshots, models::Model& model, const RunData& data, const models::TrainState& state,
                           ResultContent content) {
    const auto test_start = std::chrono::steady_clock::now();
    TestOutcome outcome;
    {
        ProgressBar bar(stderr, !o.quiet);
        outcome.report = evaluate_test(run, model, data, state.best_parameters, {}, eval_progress(bar));
    }
    model.prepare(state.best_parameters, conditions_for(run, Purpose::noise_free));
    std::vector<Snapshot> fields;
    for (std::size_t i = 0; i < snapshots; ++i) {
        const int index = static_cast<int>(i);
        if (auto intensity = model.detector_intensity_W_per_m2(data.test.image(index)))
            fields.push_back({index, data.test.labels[i], std::move(*intensity)});
    }
    const auto phases = model.mask_phases_rad();
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - test_start).count();
    content.test = &outcome.report;
    content.snapshots = &fields;
    {
        const DeferredInterrupts writing;
        write_result(output, model, content);
        set_interrupt_note("'" + output + "' is complete; some of the PNG images beside it may be missing");
    }
    const auto side = static_cast<std::size_t>(model.mask_side_px());
    for (std::size_t l = 0; l < phases.size() && l < paths.phase_png.size(); ++l) write_phase_png(paths.phase_png[l], phases[l], side);
    for (std::size_t i = 0; i < fields.size(); ++i) write_intensity_png(paths.detector_png[i], fields[i].intensity_W_per_m2, side, side);
    return outcome;
}

void print_summary(const RunDescription& run, const models::TrainState& state, const TestOutcome& test, double train_seconds,
                   const std::string& output, const OutputPaths& paths) {
    if (state.stopped_early)
        std::printf("stopped early: no better validation accuracy for %d epochs\n", state.epochs_without_improvement);
    print_test_report(test.report, false);
    if (run.architecture != Architecture::d2nn) {
        const analog::EnergyReport energy = energy_report(run);
        std::printf("energy per frame %.4g nJ (systemic; optical source %s), %.4g POPS (PFLOPS-equivalent), %.4g POPS/W\n",
                    energy.energy_per_frame_J() * 1e9, energy.optical_source_in_systemic ? "included" : "excluded",
                    energy.ops_per_s() * 1e-15, energy.ops_per_J() * 1e-15);
    } else {
        std::printf("energy: no energy model for the all-optical d2nn read-out (accel energy covers accel and digital)\n");
    }
    double epoch_seconds = 0.0;
    for (const auto& e : state.history) epoch_seconds += e.seconds;
    std::printf("training time %s over %d epoch%s (%s in this run); test evaluation %s\n", ProgressBar::format_duration(epoch_seconds).c_str(),
                state.epochs_done, state.epochs_done == 1 ? "" : "s", ProgressBar::format_duration(train_seconds).c_str(),
                ProgressBar::format_duration(test.seconds).c_str());
    std::printf("wrote %s", output.c_str());
    for (const auto* list : {&paths.phase_png, &paths.detector_png})
        for (const auto& p : *list) std::printf(", %s", p.filename().c_str());
    std::printf("\n");
}

}  // namespace

void run_train(const TrainOptions& o, const Invocation& invocation) {
    const Schema schema = accel_schema();
    const Config config = train_config(schema, o);
    if (o.config.dry_run) {
        std::cout << config.to_toml();
        return;
    }
    (void)output_path(o);
    const RunDescription run = describe_run(config);
    const OutputPlan out = plan_output(o, run);

    // Everything that can fail on the input fails here, before any training.
    check_memory(run);  // first: the sampling checks themselves allocate grids of the design's size
    for (const auto& w : preflight_checks(run)) print_warning(w);
    const RunData data = load_data(run, DataNeeds::train_and_test);
    optics::PropagationCache<float> cache;
    const std::unique_ptr<models::Model> model = make_model(run, cache, data);
    if (model->classes() > data.train.classes)
        print_warning("the " + model->architecture() + " model reads out " + std::to_string(model->classes()) + " classes but " +
                      data.train.name + " has " + std::to_string(data.train.classes) + "; the extra outputs are never right");
    const models::TrainSettings& settings = run.training.settings;
    models::Trainer trainer(*model, settings);

    const bool optical = model->mask_side_px() > 0;
    const std::size_t masks = optical ? static_cast<std::size_t>(run.optics.layers()) : 0;
    const std::size_t snapshots = optical ? static_cast<std::size_t>(std::min(snapshot_images, data.test.size())) : 0;
    const OutputPaths paths = output_paths(out.path, masks, snapshots);
    check_image_paths(paths, o, out.inputs);

    models::TrainState state = initial_state(o, run, trainer, *model, data);
    const Provenance provenance = make_provenance(invocation.command_line, config.to_toml(), run.seed, settings.threads);
    if (!o.quiet) print_start(o, *model, data, settings, state);
    if (!o.resume_path.empty() && out.in_place) set_interrupt_note(resume_note(out.path, state.epochs_done, settings.epochs));
    else set_interrupt_note("nothing was written yet (no epoch of this run had finished); the same command starts again");

    ResultContent content{&provenance, &run, &data, &state, nullptr, nullptr};
    const double train_seconds = train_epochs(o, out.path, *model, trainer, data, settings, state, content);
    const TestOutcome test = test_and_write(o, run, out.path, paths, snapshots, *model, data, state, content);
    if (!o.quiet) print_summary(run, state, test, train_seconds, out.path, paths);
}

void add_train(CLI::App& app, const Invocation& invocation) {
    auto opt = std::make_shared<TrainOptions>();
    CLI::App* sub = app.add_subcommand("train", "Train a model on [data], checkpointing every epoch, then evaluate it on the test split");
    add_config_options(sub, opt->config);
    sub->add_option("-o,--output", opt->output_path, "Result HDF5 file, rewritten atomically after every epoch (required)");
    sub->add_option("--resume", opt->resume_path,
                    "Continue the interrupted run in this file until train.epochs (its config; only --set train.epochs=N may change it)");
    sub->add_flag("--force", opt->force, "Overwrite an existing output file and images");
    sub->add_flag("-q,--quiet", opt->quiet, "No progress bar and no summary");
    sub->callback([opt, invocation] { run_train(*opt, invocation); });
}

}  // namespace accel::sim::cli
