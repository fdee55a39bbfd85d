#include "accel/sim/run/test_evaluation.hpp"

#include <limits>
#include <numeric>

#include "accel/core/format.hpp"
#include "accel/sim/run/conditions.hpp"

namespace accel::sim {
namespace {

using ProgressFor = std::function<std::function<void(const models::Progress&)>(const std::string&)>;

ChipEvaluation evaluate_at_light(const RunDescription& at_light, models::Trainer& trainer, const RunData& data,
                                 const std::vector<int>& indices, std::span<const double> parameters, int classes,
                                 const ProgressFor& report) {
    const EvaluationDescription& ev = at_light.evaluation;
    const int chips = ev.varies_by_chip() ? ev.chips : 1;
    const double light = at_light.light.energy_density_fJ_per_um2;
    ChipEvaluation e;
    e.energy_density_fJ_per_um2 = light;
    e.frame_energy_J = at_light.light.frame_energy_J;
    e.photons_per_frame = at_light.light.photons_per_frame;
    e.noise = ev.noise;
    e.fixed_pattern = ev.fixed_pattern;
    e.phase_error_pi = ev.phase_error_pi;
    e.shift_px = ev.shift_px;
    e.rotation_deg = ev.rotation_deg;
    e.confusion.assign(static_cast<std::size_t>(classes) * static_cast<std::size_t>(classes), 0);
    std::vector<double> accuracies;
    // Chips that share the optical stage run the optics once per image (Trainer::evaluate_chips).
    e.per_chip = trainer.evaluate_chips(data.test, indices, parameters, conditions_for(at_light, Purpose::chip_test, 0), chips,
                                        report("test at " + core::shortest_text(light) + " fJ/um2, " + std::to_string(chips) + " chips"));
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

TestReport evaluate_test(const RunDescription& run, models::Model& model, const RunData& data, std::span<const double> parameters,
                         std::span<const double> light_levels, const EvalProgress& progress, bool with_noise_free) {
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
    for (double light : lights)
        r.chips.push_back(evaluate_at_light(run.at_light(light), trainer, data, indices, parameters, r.classes, report));
    return r;
}

}  // namespace accel::sim
