#include "accel/sim/cli/eval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/cli/eval_frames.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/model_io.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/run/model_construction.hpp"
#include "accel/sim/run/noise_budget_report.hpp"
#include "accel/sim/run/preflight.hpp"
#include "accel/sim/run/run_data.hpp"

namespace accel::sim::cli {
namespace {

void print_confusion(const std::vector<std::int64_t>& confusion, int classes) {
    std::int64_t largest = 1;
    for (auto v : confusion) largest = std::max(largest, v);
    const int width = std::max(4, static_cast<int>(std::to_string(largest).size()) + 1);
    std::printf("    %-*s", 6, "true");
    for (int p = 0; p < classes; ++p) std::printf("%*d", width, p);
    std::printf("  <- predicted\n");
    for (int t = 0; t < classes; ++t) {
        std::printf("    %-6d", t);
        for (int p = 0; p < classes; ++p)
            std::printf("%*lld", width, static_cast<long long>(confusion[static_cast<std::size_t>(t * classes + p)]));
        std::printf("\n");
    }
}

// The next free /eval/<n> of a file.
int next_eval_index(const h5::Group& root) {
    if (!root.has_group("eval")) return 0;
    int n = 0;
    while (root.has("eval/" + std::to_string(n))) ++n;
    return n;
}

void write_noise_budgets(h5::Group& g, const std::vector<NoiseBudgetReport>& budgets) {
    for (std::size_t i = 0; i < budgets.size(); ++i) {
        const NoiseBudgetReport& b = budgets[i];
        h5::Group lg = g.create_group("noise_budget/light_" + std::to_string(i));
        lg.set_attribute("description", "noise terms of the line differentials as rms electrons referred to the line capacitance, over the first "
                                        "test images and the outputs (docs/physics.md, Noise budget)");
        lg.set_attribute("energy_density_fJ_per_um2", b.energy_density_fJ_per_um2);
        lg.set_attribute("images", b.images);
        lg.set_attribute("per_frame_rms_e", b.per_frame_rms_e);
        lg.set_attribute("fixed_pattern_rms_e", b.fixed_pattern_rms_e);
        lg.set_attribute("signal_spread_rms_e", b.signal_spread_rms_e);
        lg.set_attribute("margin_median_e", b.margin_median_e);
        std::vector<std::string> names;
        std::vector<double> rms;
        std::vector<std::int8_t> per_frame;
        for (const auto& t : b.terms) {
            names.push_back(t.name);
            rms.push_back(t.rms_e);
            per_frame.push_back(t.per_frame ? 1 : 0);
        }
        const std::vector<h5::TableColumn> columns{{"term", names}, {"rms_e", rms}, {"per_frame", per_frame}};
        lg.write_table("terms", columns);
        lg.set_attribute("chips", b.accuracy_all.chips);
        lg.set_attribute("accuracy_all", b.accuracy_all.mean);
        lg.set_attribute("accuracy_none", b.accuracy_none.mean);
        std::vector<std::string> term;
        std::vector<double> alone, alone_half, all_but, all_but_half;
        for (const auto& a : b.accuracies) {
            term.push_back(a.name);
            alone.push_back(a.alone.mean);
            alone_half.push_back(a.alone.half_width);
            all_but.push_back(a.all_but.mean);
            all_but_half.push_back(a.all_but.half_width);
        }
        const std::vector<h5::TableColumn> accuracy{{"term", term},
                                                    {"accuracy_alone", alone},
                                                    {"accuracy_alone_ci95_half_width", alone_half},
                                                    {"accuracy_all_but", all_but},
                                                    {"accuracy_all_but_ci95_half_width", all_but_half}};
        lg.write_table("accuracy", accuracy);
    }
}

// What an evaluation found: a test report (with noise budgets), or the adaptations of --frames.
struct EvalOutcome {
    TestReport report;
    std::vector<NoiseBudgetReport> budgets;
    std::vector<FramesAdaptation> adaptations;
};

void write_eval_group(h5::Group& root, int index, const EvalOutcome& outcome, const Config& config, const EvalOptions& o,
                      const Invocation& invocation) {
    h5::Group g = root.create_group("eval/" + std::to_string(index));
    g.set_attribute("command_line", invocation.command_line);
    g.set_attribute("created_utc", utc_now_iso8601());
    g.set_attribute("model_file", o.input_path);
    g.set_attribute("config_toml", config.to_toml());
    if (!o.frames_files.empty()) {
        write_frames_adaptations(g, outcome.adaptations);
        return;
    }
    write_test_report(g, outcome.report);
    write_noise_budgets(g, outcome.budgets);
}

void print_noise_budgets(const std::vector<NoiseBudgetReport>& budgets) {
    for (const auto& b : budgets) {
        std::printf("noise budget at %s fJ/µm² (first %d test images; electrons on a line, rms):\n",
                    core::shortest_text(b.energy_density_fJ_per_um2).c_str(), b.images);
        std::printf("  signal spread between outputs %10.4g e   median margin of the true class %10.4g e\n", b.signal_spread_rms_e,
                    b.margin_median_e);
        for (const auto& t : b.terms) std::printf("  %-20s %10.4g e   %s\n", t.name.c_str(), t.rms_e, t.per_frame ? "per frame" : "chip to chip");
        std::printf("  in quadrature        %10.4g e   per frame, %.4g e chip to chip\n", b.per_frame_rms_e, b.fixed_pattern_rms_e);
        const auto percent = [](const ChipSummary& c) { return 100.0 * c.mean; };
        std::printf("  accuracy over %d chips: every term %.2f %%, none %.2f %% (ideal read-out)\n", b.accuracy_all.chips,
                    percent(b.accuracy_all), percent(b.accuracy_none));
        for (const auto& a : b.accuracies)
            std::printf("  %-20s alone %6.2f %%   all but it %6.2f %%\n", a.name.c_str(), percent(a.alone), percent(a.all_but));
    }
}

}  // namespace

EvalProgress eval_progress(ProgressBar& bar) {
    if (!bar.active()) return {};
    return [&bar](const std::string& label, const models::Progress& p) {
        bar.update({label, p.images_done, p.images_total, p.images_per_s, false, 0.0, 0.0});
    };
}

void print_test_report(const TestReport& r, bool with_confusion) {
    std::printf("test set: %s, %zu images%s\n", r.dataset.c_str(), r.noise_free.images,
                r.subset ? (" (a SUBSET: the first " + std::to_string(r.noise_free.images) + " of " + std::to_string(r.full_test_size) +
                            " test images; data.test_images)")
                               .c_str()
                         : "");
    std::printf("  noise-free            accuracy %6.2f %%   loss %.4f\n", 100.0 * r.noise_free.accuracy, r.noise_free.loss);
    for (const auto& e : r.chips) {
        std::printf("  at %s fJ/µm² (%.3g photons per frame; noise %s, mismatch %s", core::shortest_text(e.energy_density_fJ_per_um2).c_str(),
                    e.photons_per_frame, e.noise ? "on" : "off", e.fixed_pattern ? "on" : "off");
        if (e.ideal_electronics) std::printf(", ideal electronics: the photon limit");
        if (e.phase_error_pi > 0) std::printf(", phase error %gπ", e.phase_error_pi);
        if (e.shift_px != 0) std::printf(", shift %lld px", static_cast<long long>(e.shift_px));
        if (e.rotation_deg != 0) std::printf(", rotation %g°", e.rotation_deg);
        std::printf(")\n");
        if (e.summary.chips >= 2)
            std::printf("    %d chips            accuracy %6.2f %% ± %.2f %% (95 %% interval %.2f – %.2f %%)\n", e.summary.chips,
                        100.0 * e.summary.mean, 100.0 * e.summary.half_width, 100.0 * std::max(0.0, e.summary.mean - e.summary.half_width),
                        100.0 * std::min(1.0, e.summary.mean + e.summary.half_width));
        else
            std::printf("    1 chip              accuracy %6.2f %% (one chip: no interval)\n", 100.0 * e.summary.mean);
        if (!e.adapted_per_chip.empty()) {
            std::printf("    after adaptive training (%d epochs on %d training images per chip):\n", e.adaptation_epochs, e.adaptation_images);
            if (e.adapted_summary.chips >= 2)
                std::printf("    %d chips            accuracy %6.2f %% ± %.2f %%\n", e.adapted_summary.chips, 100.0 * e.adapted_summary.mean,
                            100.0 * e.adapted_summary.half_width);
            else
                std::printf("    1 chip              accuracy %6.2f %%\n", 100.0 * e.adapted_summary.mean);
            std::printf("    yield (chips at ≥ %.4g %%): %.0f %% before, %.0f %% after\n", 100.0 * e.yield_accuracy, 100.0 * e.yield_before,
                        100.0 * e.yield_after);
        }
        // Once a line clips, the comparators no longer decide as the logits do.
        if (e.clipped_frame_fraction > 0.0)
            std::printf("    a computing line clipped in %.2f %% of the frames\n", 100.0 * e.clipped_frame_fraction);
    }
    if (!with_confusion) return;
    std::printf("  confusion matrix, noise-free (rows: true class, columns: predicted class):\n");
    print_confusion(r.noise_free.confusion, r.classes);
    for (const auto& e : r.chips) {
        std::printf("  confusion matrix at %s fJ/µm², summed over %d chip%s:\n", core::shortest_text(e.energy_density_fJ_per_um2).c_str(), e.summary.chips,
                    e.summary.chips == 1 ? "" : "s");
        print_confusion(e.confusion, r.classes);
    }
}

namespace {

// Before any work: where the results go can take them, and the overrides are ones eval may make.
void check_eval_options(const EvalOptions& o) {
    if (!o.output_path.empty()) {
        check_output_path(o.output_path, o.force, "--output");
        if (same_file(o.output_path, o.input_path))
            throw InputError("--output '" + o.output_path + "' is the model file; omit -o to add /eval/<n> to it");
    } else if (std::filesystem::is_regular_file(o.input_path)) {
        check_folder_writable(o.input_path, "accel eval (no --output: /eval/<n> is added to the model file)");
    }
    for (const auto& s : o.overrides) {
        const std::string key = s.substr(0, s.find('='));
        const auto first = key.find_first_not_of(" \t"), last = key.find_last_not_of(" \t");
        if (!evaluation_may_change(first == std::string::npos ? std::string() : key.substr(first, last - first + 1)))
            throw InputError(Config::set_origin(s) +
                             ": accel eval changes only eval.* keys and the chip's electronics (photodiode.*, chip.*, eac.* but eac.outputs "
                             "and eac.weights); the model's other settings come from its file");
    }
}

// To -o OUT.h5 as /eval/0, else as the next /eval/<n> of the model file.
void write_outcome(const EvalOutcome& outcome, const Config& config, const RunDescription& run, const EvalOptions& o,
                   const Invocation& invocation) {
    if (!o.output_path.empty()) {
        h5::OutputFile out(o.output_path, o.force ? h5::Overwrite::yes : h5::Overwrite::no);
        write_provenance(out.root(), make_provenance(invocation.command_line, config.to_toml(), run.seed, run.threads));
        write_eval_group(out.root(), 0, outcome, config, o, invocation);
        out.commit();
        if (!o.quiet) std::printf("wrote /eval/0 of %s\n", o.output_path.c_str());
    } else {
        h5::UpdateFile file(o.input_path);
        const int index = next_eval_index(file.root());
        write_eval_group(file.root(), index, outcome, config, o, invocation);
        file.commit();
        if (!o.quiet) std::printf("added /eval/%d to %s\n", index, o.input_path.c_str());
    }
}

}  // namespace

void run_eval(const EvalOptions& o, const Invocation& invocation) {
    check_eval_options(o);

    const Schema schema = accel_schema();
    Config config = Config::defaults(schema);
    RunDescription run;
    std::vector<double> parameters;
    RunData data;
    optics::PropagationCache<float> cache;
    std::unique_ptr<models::Model> model;
    {
        const h5::InputFile in(o.input_path);
        if (!in.root().has_group("model"))
            throw InputError("'" + o.input_path + "' has no group /model; accel eval needs the output of accel train");
        config = read_config(in.root(), schema);
        for (const auto& s : o.overrides) config.set(s, Config::set_origin(s));
        if (o.chips > 0) config.set("eval.chips=" + std::to_string(o.chips), "--chips");
        if (o.noise) config.set("eval.noise=true", "--noise");
        if (o.no_noise) config.set("eval.noise=false", "--no-noise");
        config.set("train.threads=" + std::to_string(resolve_threads(o.threads)), "--threads");
        run = describe_run(config);
        if (o.noise_budget && run.architecture != Architecture::accel)
            throw InputError("--noise-budget covers the ACCEL read-out; '" + o.input_path + "' holds a " +
                             std::string(architecture_name(run.architecture)) + " design");
        if (!o.export_frames.empty() && run.architecture != Architecture::accel)
            throw InputError("--export-frames writes the frames of ACCEL chips; '" + o.input_path + "' holds a " +
                             std::string(architecture_name(run.architecture)) + " design");
        // Adaptive training retrains each chip on training images; exported frames hold them.
        const bool needs_train = o.frames_files.empty() && (run.evaluation.adapts() || !o.export_frames.empty());
        const DataNeeds needs = needs_train ? DataNeeds::train_and_test : DataNeeds::test_only;
        if (!o.output_path.empty()) {
            std::vector<RunInput> inputs;
            for (const auto& f : data_files(run.data, needs)) inputs.push_back({f.string(), "a data file"});
            for (const auto& f : o.frames_files) inputs.push_back({f, "a frames file (--frames)"});
            check_not_an_input(o.output_path, "--output", inputs);
        }
        check_memory(run);  // first: the sampling checks themselves allocate grids of the design's size
        for (const auto& w : preflight_checks(run)) print_warning(w);
        data = load_data(run, needs);
        model = make_model(run, cache, data);
        parameters = read_model_parameters(in.root(), *model);
    }

    EvalOutcome outcome;
    std::unique_ptr<FramesExport> exported;
    if (!o.export_frames.empty())
        exported = std::make_unique<FramesExport>(o.export_frames, make_provenance(invocation.command_line, config.to_toml(), run.seed, run.threads),
                                                  o.input_path);
    if (!o.frames_files.empty()) {
        outcome.adaptations = adapt_from_frame_files(run, *model, parameters, o.frames_files);
    } else {
        ProgressBar bar(stderr, !o.quiet);
        const ChipFramesSink sink = exported ? ChipFramesSink([&exported](std::size_t light, const ChipFramesFile& f) { exported->write(light, f); })
                                             : ChipFramesSink();
        outcome.report = evaluate_test(run, *model, data, parameters, o.light_fJ_per_um2, eval_progress(bar), true, sink);
    }
    if (o.noise_budget) outcome.budgets = noise_budgets(run, *model, data, parameters, o.light_fJ_per_um2);
    if (!o.quiet) {
        std::printf("model: %s (%s, %zu parameters)\n", o.input_path.c_str(), model->architecture().c_str(), model->parameter_count());
        if (o.frames_files.empty()) print_test_report(outcome.report, true);
        print_frames_adaptations(outcome.adaptations);
        print_noise_budgets(outcome.budgets);
    }
    if (exported) {
        exported->commit();
        if (!o.quiet) std::printf("wrote the frames of %zu chips to %s\n", exported->files(), exported->folder().c_str());
    }
    write_outcome(outcome, config, run, o, invocation);
}

void add_eval(CLI::App& app, const Invocation& invocation) {
    auto opt = std::make_shared<EvalOptions>();
    CLI::App* sub = app.add_subcommand("eval", "Evaluate a trained model (noise-free and over simulated chips) on the test split");
    sub->add_option("model", opt->input_path, "Result file of accel train (its /model and config_toml)")->required();
    sub->add_option("--light", opt->light_fJ_per_um2,
                    "Light level(s) to evaluate at, fJ/µm² at the input (repeatable or comma-separated; default: the configured one)")
        ->delimiter(',')
        ->check(finite_positive("fJ/µm²"));
    sub->add_option("--chips", opt->chips, "Simulated chips per light level (overrides eval.chips)")->check(CLI::Range(1, 1000000));
    CLI::Option* noise = sub->add_flag("--noise", opt->noise, "Per-frame noise on in the chip evaluation (overrides eval.noise)");
    sub->add_flag("--no-noise", opt->no_noise, "Per-frame noise off in the chip evaluation")->excludes(noise);
    sub->add_option("--set", opt->overrides, "Override an eval.* key or one of the chip's electronics (photodiode.*, chip.*, eac.* but eac.outputs and eac.weights): key=value (repeatable)")->take_all();
    sub->add_option("-o,--output", opt->output_path, "Write the results to this new HDF5 file instead of adding /eval/<n> to the model file");
    sub->add_flag("--force", opt->force, "Overwrite an existing --output file");
    sub->add_option("--threads", opt->threads, "Threads; 0: all cores (results do not depend on it)")->check(CLI::Range(0, 1024));
    sub->add_flag("-q,--quiet", opt->quiet, "No progress and no summary");
    sub->add_flag("--noise-budget", opt->noise_budget,
                  "Also the noise budget of the ACCEL read-out at each light level: every noise term as rms electrons on a line, beside the signal");
    CLI::Option* frames = sub->add_option("--frames", opt->frames_files,
                                          "Adapt the chip of each frames file (docs/hdf5-schema.md) on its training frames and test it on its test "
                                          "frames, instead of simulating chips (repeatable)")
                              ->check(CLI::ExistingFile);
    sub->add_option("--export-frames", opt->export_frames,
                    "Also write every simulated chip's frames (adaptation's training images, the test images) to this new folder, a "
                    "frames file per chip and light level")
        ->excludes(frames);
    frames->excludes("--light")->excludes("--noise-budget")->excludes("--chips");
    sub->callback([opt, invocation] { run_eval(*opt, invocation); });
}

}  // namespace accel::sim::cli
