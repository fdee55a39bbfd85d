#include "accel/sim/sweep/sweep_runner.hpp"

#include <stdexcept>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "accel/core/constants.hpp"
#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/io/model_io.hpp"
#include "accel/sim/run/conditions.hpp"
#include "accel/sim/run/model_construction.hpp"
#include "accel/sim/run/preflight.hpp"
#include "accel/sim/run/test_evaluation.hpp"

namespace accel::sim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Everything load_data reads (the data description and the seed), which together decide
// the images.
std::string data_key(const RunDescription& run) {
    const DataDescription& d = run.data;
    return d.dataset + '\n' + d.dir.string() + '\n' + std::to_string(d.synthetic_train) + ' ' + std::to_string(d.synthetic_test) + ' ' +
           std::to_string(d.synthetic_classes) + ' ' + std::to_string(d.train_images) + (d.train_first ? "f " : " ") + std::to_string(d.test_images) + ' ' +
           core::shortest_text(d.validation_fraction) + "\nseed=" + std::to_string(run.seed);
}

// The energy columns: NaN for a design without an energy model (the all-optical read-out).
void fill_energy(PointResult& r, const RunDescription& run) {
    r.frame_energy_J = run.light.frame_energy_J;
    r.photons_per_frame = run.light.photons_per_frame;
    r.energy_density_fJ_per_um2 = run.light.energy_density_fJ_per_um2;
    if (run.architecture == Architecture::d2nn) {
        r.energy_per_frame_J = r.throughput_POPS = r.efficiency_POPS_per_W = nan;
        return;
    }
    const analog::EnergyReport e = energy_report(run);
    r.energy_per_frame_J = e.energy_per_frame_J();
    r.throughput_POPS = e.ops_per_s() * 1e-15;
    r.efficiency_POPS_per_W = e.ops_per_J() * 1e-15;
}

void fill_accuracy(PointResult& r, const TestReport& report) {
    r.accuracy_noise_free = report.noise_free.accuracy;
    const ChipEvaluation& e = report.chips.front();
    r.chips = e.summary.chips;
    r.accuracy_mean = e.summary.mean;
    r.accuracy_std = e.summary.chips >= 2 ? e.summary.std_dev : nan;
    // The interval of a fraction, clipped to what a fraction can be.
    r.accuracy_ci95_low = e.summary.chips >= 2 ? std::max(0.0, e.summary.mean - e.summary.half_width) : nan;
    r.accuracy_ci95_high = e.summary.chips >= 2 ? std::min(1.0, e.summary.mean + e.summary.half_width) : nan;
    r.chip_accuracy.clear();
    for (const auto& chip : e.per_chip) r.chip_accuracy.push_back(chip.accuracy);
    r.clipped_frame_fraction = e.clipped_frame_fraction;
    double gain_sum = 0.0;
    for (int g : e.gain_setting_per_chip) gain_sum += g;
    r.gain_setting_mean = e.gain_setting_per_chip.empty() ? nan : gain_sum / static_cast<double>(e.gain_setting_per_chip.size());
    const bool adapted = !e.adapted_per_chip.empty();
    const ChipSummary& a = e.adapted_summary;
    r.accuracy_adapted_mean = adapted ? a.mean : nan;
    r.accuracy_adapted_ci95_low = adapted && a.chips >= 2 ? std::max(0.0, a.mean - a.half_width) : nan;
    r.accuracy_adapted_ci95_high = adapted && a.chips >= 2 ? std::min(1.0, a.mean + a.half_width) : nan;
}

// Images averaged for the detected light of a point: the mean settles to well under 1 % long
// before the test split ends, and the optics of 100 images cost seconds.
constexpr int detected_light_images = 100;

// Photons per frame reaching the detectors' active areas (photodiodes, or class regions of
// the all-optical read-out), mean over the first test images, nominal design at the point's
// light level. The detect-then-compute baseline images the whole input window onto its
// sensor: its detected photons are the input photons.
double detected_photons(const RunDescription& run, models::Model& model, const RunData& data, std::span<const double> parameters) {
    if (model.optical_output_size() == 0) return run.light.photons_per_frame;
    model.prepare(parameters, conditions_for(run, Purpose::noise_free));
    const auto ws = model.make_workspace();
    std::vector<double> power(model.optical_output_size());
    const int images = std::min(detected_light_images, data.test.size());
    const double photon_J = core::photon_energy_J(run.optics.stage.wavelength_m);
    const double seconds = run.photodiode.integration_time_s;
    double sum_W = 0.0;
    for (int i = 0; i < images; ++i) {
        model.optical_output(data.test.image(i), *ws, power);
        for (double p : power) sum_W += p;
    }
    return images > 0 ? sum_W / images * seconds / photon_J : nan;
}

std::string point_name(const SweepPoint& p) {
    std::string s = "sweep point " + std::to_string(p.index) + " (";
    for (std::size_t a = 0; a < p.assignments.size(); ++a) s += (a ? ", " : "") + p.assignments[a];
    return s + ")";
}

}  // namespace

PointRunner::PointRunner(const SweepSpec& spec, Config base, std::vector<double> model_parameters)
    : spec_(spec), base_(std::move(base)), model_parameters_(std::move(model_parameters)) {}

const RunData& PointRunner::data_for(const RunDescription& run) {
    // Training, and adaptive training in an evaluation, need the training split too.
    const bool train = spec_.run == SweepRun::train || run.evaluation.adapts();
    const std::string key = data_key(run) + (train ? "|train" : "|test");
    auto it = data_.find(key);
    if (it == data_.end()) {
        const DataNeeds needs = train ? DataNeeds::train_and_test : DataNeeds::test_only;
        it = data_.emplace(key, std::make_unique<RunData>(load_data(run, needs))).first;
    }
    return *it->second;
}

// preflight_checks (sim/run/preflight.cpp) reads the design: design, optics, detector, d2nn, chip,
// eac and photodiode keys, none of light, eval, train or data. Points that differ only in
// keys of those sections (a light sweep of 10^5 points, say) share one preflight, which costs
// milliseconds on a large mask.
std::vector<std::string> PointRunner::preflight_of(const RunDescription& run, const SweepPoint& point) {
    std::string key;
    for (const auto& a : point.assignments) {
        const std::string_view section = std::string_view(a).substr(0, a.find('.'));
        if (section != "light" && section != "eval" && section != "train" && section != "data") key += a + '\n';
    }
    const auto it = preflight_cache_.find(key);
    if (it != preflight_cache_.end()) return it->second;
    std::vector<std::string> warnings = preflight_checks(run);
    preflight_cache_.emplace(std::move(key), warnings);
    return warnings;
}

std::vector<std::string> PointRunner::check(const SweepPoint& point) {
    try {
        const Config c = point_config(base_, point);
        // An energy sweep of the all-optical network gets the energy model's error, not one
        // about the read-out the energy model does not cover.
        if (spec_.run == SweepRun::energy) (void)energy_report(c);
        const RunDescription run = describe_run(c);
        // First: the sampling checks themselves allocate grids of the design's size.
        if (spec_.run != SweepRun::energy) check_memory(run);
        std::vector<std::string> warnings = preflight_of(run, point);
        if (spec_.run == SweepRun::energy) return warnings;
        const RunData& data = data_for(run);
        const auto model = make_model(run, cache_, data);
        if (spec_.run == SweepRun::eval && model->parameter_count() != model_parameters_.size())
            throw InputError("the trained model has " + std::to_string(model_parameters_.size()) + " parameters but this point's " +
                             model->architecture() + " model has " + std::to_string(model->parameter_count()) +
                             "; an eval sweep may vary only what leaves the model's shape alone");
        return warnings;
    } catch (const InputError& e) {
        throw InputError(point_name(point) + ": " + e.what());
    } catch (const std::invalid_argument& e) {  // a value the optics or models reject
        throw InputError(point_name(point) + ": " + e.what());
    }
}

std::vector<ConfigValue> PointRunner::axis_values(const SweepPoint& point) const {
    const Config c = point_config(base_, point);
    std::vector<ConfigValue> out;
    for (const auto& axis : spec_.axes) out.push_back(c.value(axis.key));
    return out;
}

PointResult PointRunner::run(const SweepPoint& point, const PointProgress& progress) {
    const RunDescription run = describe_run(point_config(base_, point));
    PointResult r;
    r.point = point.index;
    fill_energy(r, run);
    r.accuracy_noise_free = r.accuracy_mean = r.accuracy_std = r.accuracy_ci95_low = r.accuracy_ci95_high = nan;
    r.detected_photons_per_frame = nan;
    r.clipped_frame_fraction = r.gain_setting_mean = nan;
    r.accuracy_adapted_mean = r.accuracy_adapted_ci95_low = r.accuracy_adapted_ci95_high = nan;
    if (spec_.run == SweepRun::energy) return r;

    const std::string name = "point " + std::to_string(point.index);
    const RunData& data = data_for(run);
    const auto model = make_model(run, cache_, data);
    std::vector<double> parameters = model_parameters_;
    if (spec_.run == SweepRun::train) {
        const auto start = std::chrono::steady_clock::now();
        models::Trainer trainer(*model, run.training.settings);
        models::TrainState state = starting_state(run.training.init_from, trainer, *model);
        trainer.train(
            data.train, data.split.train, data.split.validation, state,
            [&](const models::Progress& p) {
                if (progress) progress(name + ": epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs), p);
            },
            {});
        parameters = state.best_parameters;
        r.train_seconds = seconds_since(start);
        if (spec_.keep_models) r.model_parameters = parameters;
    }
    const auto start = std::chrono::steady_clock::now();
    const EvalProgress eval_progress = progress ? EvalProgress([&](const std::string& label, const models::Progress& p) { progress(name + ": " + label, p); })
                                                : EvalProgress();
    const TestReport report = evaluate_test(run, *model, data, parameters, {}, eval_progress, spec_.noise_free);
    fill_accuracy(r, report);
    r.detected_photons_per_frame = detected_photons(run, *model, data, parameters);
    r.eval_seconds = seconds_since(start);
    return r;
}

void PointRunner::write_point_model(h5::Group& group, const SweepPoint& point, std::span<const double> parameters) {
    const Config c = point_config(base_, point);
    const RunDescription run = describe_run(c);
    const RunData& data = data_for(run);
    const auto model = make_model(run, cache_, data.train);
    write_model(group, *model, parameters, conditions_for(run, Purpose::noise_free));
    group.set_attribute("config_toml", c.to_toml());
}

std::vector<double> train_base_model(const RunDescription& run, models::TrainState& state, const PointProgress& progress,
                                     const std::function<void(models::Model&, const models::TrainState&)>& epoch_done) {
    const RunData data = load_data(run, DataNeeds::train_and_test);
    optics::PropagationCache<float> cache;
    const auto model = make_model(run, cache, data);
    models::Trainer trainer(*model, run.training.settings);
    if (state.parameters.empty()) state = starting_state(run.training.init_from, trainer, *model);
    trainer.train(
        data.train, data.split.train, data.split.validation, state,
        [&](const models::Progress& p) {
            if (progress) progress("base model: epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs), p);
        },
        [&](const models::TrainState& s) { epoch_done(*model, s); });
    return state.best_parameters;
}

}  // namespace accel::sim
