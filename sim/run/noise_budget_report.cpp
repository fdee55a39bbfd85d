#include "accel/sim/run/noise_budget_report.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "accel/analog/noise_budget.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/run/conditions.hpp"
#include "accel/sim/run/test_evaluation.hpp"

namespace accel::sim {
namespace {

NoiseBudgetReport budget_at_light(const RunDescription& at_light, models::Model& model, const std::vector<std::int8_t>& weights,
                                  const RunData& data, std::span<const double> parameters) {
    // The evaluation's switches: frame noise, mismatch, and the photon limit's ideal electronics.
    const analog::NoiseSwitches noise = models::effective_switches(analog::NoiseSwitches{}, conditions_for(at_light, Purpose::chip_test));
    model.prepare(parameters, conditions_for(at_light, Purpose::noise_free));
    // The lines at the gain the nominal chip integrates on: the configured setting, or the one
    // it ranges to at this light level (the caller has set the ranging frames).
    analog::ComputeArrayParams p = at_light.compute_array;
    const auto& settings = p.gain_line_capacitances_F;
    if (model.gain_setting() >= 0 && static_cast<std::size_t>(model.gain_setting()) < settings.size())
        p.line_capacitance_F = settings[static_cast<std::size_t>(model.gain_setting())];
    const analog::ChipInstance chip = analog::ideal_chip(p);
    const auto ws = model.make_workspace();
    const int images = std::min(noise_budget_images, data.test.size());
    const auto inputs = static_cast<std::size_t>(p.inputs), outputs = static_cast<std::size_t>(p.outputs);
    std::vector<double> power_W(inputs), signal_e(inputs), margins;
    std::vector<double> sum_squares;
    std::vector<NoiseBudgetTerm> terms;
    double spread2 = 0.0;
    const double electrons_per_W = analog::mean_signal_e(at_light.photodiode, 1.0);
    for (int i = 0; i < images; ++i) {
        model.optical_output(data.test.image(i), *ws, power_W);
        for (std::size_t k = 0; k < inputs; ++k) signal_e[k] = electrons_per_W * power_W[k];
        const auto budget = analog::noise_budget(p, at_light.photodiode, chip, weights, signal_e, noise);
        if (terms.empty())
            for (const auto& t : budget[0].terms) terms.push_back({t.name, 0.0, t.per_frame});
        sum_squares.resize(terms.size(), 0.0);
        double mean = 0.0;
        for (const auto& b : budget) mean += b.signal_e / static_cast<double>(outputs);
        for (const auto& b : budget) {
            spread2 += (b.signal_e - mean) * (b.signal_e - mean);
            for (std::size_t t = 0; t < terms.size(); ++t) sum_squares[t] += b.terms[t].rms_e * b.terms[t].rms_e;
        }
        const auto label = static_cast<std::size_t>(data.test.labels[static_cast<std::size_t>(i)]);
        if (label < outputs) {
            double best_other = -INFINITY;
            for (std::size_t c = 0; c < outputs; ++c)
                if (c != label) best_other = std::max(best_other, budget[c].signal_e);
            margins.push_back(budget[label].signal_e - best_other);
        }
    }
    NoiseBudgetReport r;
    r.energy_density_fJ_per_um2 = at_light.light.energy_density_fJ_per_um2;
    r.images = images;
    const double samples = static_cast<double>(images) * static_cast<double>(outputs);
    double frame2 = 0.0, fixed2 = 0.0;
    for (std::size_t t = 0; t < terms.size(); ++t) {
        terms[t].rms_e = samples > 0 ? std::sqrt(sum_squares[t] / samples) : 0.0;
        (terms[t].per_frame ? frame2 : fixed2) += terms[t].rms_e * terms[t].rms_e;
    }
    r.terms = terms;
    r.per_frame_rms_e = std::sqrt(frame2);
    r.fixed_pattern_rms_e = std::sqrt(fixed2);
    r.signal_spread_rms_e = samples > 0 ? std::sqrt(spread2 / samples) : 0.0;
    if (!margins.empty()) {
        std::nth_element(margins.begin(), margins.begin() + static_cast<std::ptrdiff_t>(margins.size() / 2), margins.end());
        r.margin_median_e = margins[margins.size() / 2];
    }
    return r;
}

// Every term's accuracy alone and all but it, over the evaluation's chips on the budget's
// images. The chips' optics run once when they share them; the electronics run per setting.
void add_term_accuracies(const RunDescription& at_light, models::Model& model, const RunData& data, std::span<const double> parameters,
                         NoiseBudgetReport& r) {
    models::Trainer trainer(model, at_light.training.settings);
    std::vector<int> indices(static_cast<std::size_t>(r.images));
    std::iota(indices.begin(), indices.end(), 0);
    models::Conditions base = conditions_for(at_light, Purpose::chip_test, 0);
    base.noise = base.fixed_pattern = true;
    const int chips = std::max(1, at_light.evaluation.chips);
    std::vector<double> optical;
    const bool shared = trainer.chips_share_optical_stage(base);
    if (shared) {
        model.prepare(parameters, base);
        optical = trainer.optical_outputs(data.test, indices);
    }
    const auto summary = [&](const analog::NoiseSwitches& terms) {
        models::Conditions c = base;
        c.terms = terms;
        const std::vector<models::EvalResult> results = shared ? trainer.evaluate_chips_from_optical(data.test, indices, parameters, c, chips, optical)
                                                               : trainer.evaluate_chips(data.test, indices, parameters, c, chips);
        std::vector<double> accuracies;
        for (const auto& e : results) accuracies.push_back(e.accuracy);
        return summarize_chips(accuracies);
    };
    r.accuracy_all = summary(analog::NoiseSwitches{});
    analog::NoiseSwitches ideal = analog::NoiseSwitches::none();
    ideal.clipping = false;
    r.accuracy_none = summary(ideal);
    for (const std::string& name : budget_term_names()) r.accuracies.push_back({name, summary(term_switches(name, true)), summary(term_switches(name, false))});
}

}  // namespace

const std::vector<std::string>& budget_term_names() {
    static const std::vector<std::string> names{"photon_shot", "dark_shot",        "johnson",           "reset",   "pixel_gain",
                                                "weight_path", "line_capacitance", "comparator_offset", "clipping"};
    return names;
}

analog::NoiseSwitches term_switches(const std::string& name, bool alone) {
    analog::NoiseSwitches n;
    bool* const fields[] = {&n.shot,        &n.dark,             &n.thermal,           &n.reset,   &n.pixel_gain,
                            &n.weight_path, &n.line_capacitance, &n.comparator_offset, &n.clipping};
    const auto& names = budget_term_names();
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) throw std::invalid_argument("noise budget: no term '" + name + "'");
    const auto which = static_cast<std::size_t>(it - names.begin());
    for (std::size_t t = 0; t < names.size(); ++t) *fields[t] = alone ? t == which : t != which;
    return n;
}

std::vector<NoiseBudgetReport> noise_budgets(const RunDescription& run, models::Model& model, const RunData& data,
                                             std::span<const double> parameters, std::span<const double> light_levels) {
    model.prepare(parameters, conditions_for(run, Purpose::noise_free));
    const auto sram = model.sram_weights();
    if (!sram || model.optical_output_size() != static_cast<std::size_t>(run.compute_array.inputs))
        throw std::invalid_argument("noise budget: the " + model.architecture() + " model has no compute array (the caller checks the architecture)");
    std::vector<double> lights(light_levels.begin(), light_levels.end());
    if (lights.empty()) lights.push_back(run.light.energy_density_fJ_per_um2);
    std::vector<NoiseBudgetReport> reports;
    for (double light : lights) {
        const RunDescription at_light = run.at_light(light);
        if (at_light.evaluation.ranging_frames > 0) (void)set_ranging_frames(at_light, model, data, parameters);
        reports.push_back(budget_at_light(at_light, model, sram->values, data, parameters));
        add_term_accuracies(at_light, model, data, parameters, reports.back());
        if (at_light.evaluation.ranging_frames > 0) model.set_ranging_frames({}, 0, analog::FrameUnit::power_W);
    }
    return reports;
}

}  // namespace accel::sim
