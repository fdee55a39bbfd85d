#include "accel/sim/run/test_evaluation.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

#include "accel/analog/energy.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/run/chip_adaptation.hpp"
#include "accel/sim/run/conditions.hpp"

namespace accel::sim {
namespace {

using ProgressFor = std::function<std::function<void(const models::Progress&)>(const std::string&)>;


// Each chip's gain setting, and its energy per frame at that setting's line capacitance.
void record_gain_settings(const RunDescription& at_light, ChipEvaluation& e) {
    const auto& settings = at_light.compute_array.gain_line_capacitances_F;
    for (const auto& chip : e.per_chip) {
        if (chip.gain_setting < 0 || settings.empty()) continue;
        e.gain_setting_per_chip.push_back(chip.gain_setting);
        analog::AccelEnergyParams energy = at_light.accel_energy;
        energy.line_capacitance_F = settings[static_cast<std::size_t>(chip.gain_setting)];
        e.energy_per_frame_J_per_chip.push_back(analog::accel_energy(energy).energy_per_frame_J());
    }
}

double fraction_reaching(const std::vector<models::EvalResult>& chips, double accuracy) {
    if (chips.empty()) return 0.0;
    const auto n = std::count_if(chips.begin(), chips.end(), [&](const models::EvalResult& r) { return r.accuracy >= accuracy; });
    return static_cast<double>(n) / static_cast<double>(chips.size());
}

// The same chips after ACCEL's adaptive training, and the yield before and after; their
// frames to `sink` when one is given.
void add_adaptation(const RunDescription& at_light, models::Model& model, models::Trainer& trainer, const RunData& data,
                    const std::vector<int>& indices, std::span<const double> parameters, const FrameSet& ranging, const FramesSink& sink,
                    const ProgressFor& report, ChipEvaluation& e) {
    const EvaluationDescription& ev = at_light.evaluation;
    const int chips = static_cast<int>(e.per_chip.size());
    e.adapted_per_chip = adapt_and_test_chips(at_light, model, trainer, data, indices, parameters,
                                              conditions_for(at_light, Purpose::chip_test, 0), chips, ranging, sink,
                                              report((ev.adapts() ? "adapting " : "frames of ") + std::to_string(chips) + " chips at " +
                                                     core::shortest_text(e.energy_density_fJ_per_um2) + " fJ/um2"));
    if (!ev.adapts()) return;
    std::vector<double> accuracies;
    for (const auto& chip : e.adapted_per_chip) accuracies.push_back(chip.accuracy);
    e.adapted_summary = summarize_chips(accuracies);
    e.yield_accuracy = ev.yield_accuracy;
    e.yield_before = fraction_reaching(e.per_chip, ev.yield_accuracy);
    e.yield_after = fraction_reaching(e.adapted_per_chip, ev.yield_accuracy);
    e.adaptation_epochs = ev.adaptation.epochs;
    e.adaptation_images = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(ev.adaptation_images), data.split.train.size()));
}

ChipEvaluation evaluate_at_light(const RunDescription& at_light, models::Model& model, models::Trainer& trainer, const RunData& data,
                                 const std::vector<int>& indices, std::span<const double> parameters, int classes,
                                 const FramesSink& sink, const ProgressFor& report) {
    const EvaluationDescription& ev = at_light.evaluation;
    const int chips = ev.varies_by_chip() ? ev.chips : 1;
    const double light = at_light.light.energy_density_fJ_per_um2;
    ChipEvaluation e;
    e.energy_density_fJ_per_um2 = light;
    e.frame_energy_J = at_light.light.frame_energy_J;
    e.photons_per_frame = at_light.light.photons_per_frame;
    e.noise = ev.noise;
    e.fixed_pattern = ev.fixed_pattern;
    e.ideal_electronics = ev.ideal_electronics;
    e.phase_error_pi = ev.phase_error_pi;
    e.shift_px = ev.shift_px;
    e.rotation_deg = ev.rotation_deg;
    e.confusion.assign(static_cast<std::size_t>(classes) * static_cast<std::size_t>(classes), 0);
    std::vector<double> accuracies;
    const FrameSet ranging = ev.ranging_frames > 0 ? set_ranging_frames(at_light, model, data, parameters) : FrameSet{};
    // Chips that share the optical stage run the optics once per image (Trainer::evaluate_chips).
    e.per_chip = trainer.evaluate_chips(data.test, indices, parameters, conditions_for(at_light, Purpose::chip_test, 0), chips,
                                        report("test at " + core::shortest_text(light) + " fJ/um2, " + std::to_string(chips) + " chips"));
    if (ev.adapts() || sink) add_adaptation(at_light, model, trainer, data, indices, parameters, ranging, sink, report, e);
    if (ev.ranging_frames > 0) model.set_ranging_frames({}, 0, analog::FrameUnit::power_W);
    record_gain_settings(at_light, e);
    std::size_t clipped = 0, frames = 0;
    for (const auto& chip : e.per_chip) {
        accuracies.push_back(chip.accuracy);
        for (std::size_t i = 0; i < e.confusion.size(); ++i) e.confusion[i] += chip.confusion[i];
        clipped += chip.clipped_frames;
        frames += chip.images;
    }
    e.summary = summarize_chips(accuracies);
    e.clipped_frame_fraction = frames > 0 ? static_cast<double>(clipped) / static_cast<double>(frames) : 0.0;
    return e;
}

}  // namespace

// Auto-ranging: the optical outputs of the nominal design for the first test frames at this
// light level (their labels unused), which each chip then ranges its conversion gain on.
// Returns them as frames (mean signal electrons) for the chips' adaptation.
FrameSet set_ranging_frames(const RunDescription& at_light, models::Model& model, const RunData& data, std::span<const double> parameters) {
    const std::size_t width = model.optical_output_size();
    const auto frames = static_cast<std::size_t>(std::min(at_light.evaluation.ranging_frames, data.test.size()));
    if (width == 0 || frames == 0) return {};
    model.prepare(parameters, conditions_for(at_light, Purpose::noise_free));
    const auto ws = model.make_workspace();
    std::vector<double> power_W(frames * width);
    for (std::size_t i = 0; i < frames; ++i)
        model.optical_output(data.test.image(static_cast<int>(i)), *ws, std::span<double>(power_W.data() + i * width, width));
    model.set_ranging_frames(power_W, frames, analog::FrameUnit::power_W);
    FrameSet ranging;
    ranging.signal_e.resize(power_W.size());
    model.signal_electrons(power_W, ranging.signal_e);
    for (std::size_t i = 0; i < frames; ++i) ranging.frame_number.push_back(static_cast<int>(i));
    return ranging;
}

TestReport evaluate_test(const RunDescription& run, models::Model& model, const RunData& data, std::span<const double> parameters,
                         std::span<const double> light_levels, const EvalProgress& progress, bool with_noise_free,
                         const ChipFramesSink& frames) {
    models::Trainer trainer(model, run.training.settings);
    std::vector<int> indices(static_cast<std::size_t>(data.test.size()));
    std::iota(indices.begin(), indices.end(), 0);
    TestReport r;
    r.dataset = data.test.name;
    r.subset = data.test_is_subset;
    r.full_test_size = data.full_test_size;
    r.classes = model.classes();
    const ProgressFor report = [&progress](const std::string& label) {
        return progress ? std::function<void(const models::Progress&)>([&progress, label](const models::Progress& p) { progress(label, p); })
                        : std::function<void(const models::Progress&)>();
    };
    if (with_noise_free)
        r.noise_free = trainer.evaluate(data.test, indices, parameters, conditions_for(run, Purpose::noise_free), false, report("test, noise-free"));
    else
        r.noise_free.accuracy = r.noise_free.loss = std::numeric_limits<double>::quiet_NaN();

    std::vector<double> lights(light_levels.begin(), light_levels.end());
    if (lights.empty()) lights.push_back(run.light.energy_density_fJ_per_um2);
    for (std::size_t i = 0; i < lights.size(); ++i) {
        const FramesSink sink = frames ? FramesSink([&frames, i](const ChipFramesFile& f) { frames(i, f); }) : FramesSink();
        r.chips.push_back(evaluate_at_light(run.at_light(lights[i]), model, trainer, data, indices, parameters, r.classes, sink, report));
    }
    return r;
}

}  // namespace accel::sim
