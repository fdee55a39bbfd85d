#pragma once
// The noise budget of a trained ACCEL design at each light level (`accel eval --noise-budget`):
// analog::noise_budget for the nominal design's mean photodiode charges of each of the first
// test images, every term as the rms over those images and the outputs, beside the signal
// that separates the classes.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "accel/models/model.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/run/run_data.hpp"
#include "accel/sim/run/statistics.hpp"

namespace accel::sim {

// Test images a budget is taken over: the rms of a term settles to a per cent long before.
inline constexpr int noise_budget_images = 1000;

struct NoiseBudgetTerm {
    std::string name;
    double rms_e = 0.0;      // electrons referred to the line capacitance, rms over images and outputs
    bool per_frame = true;   // frame to frame, or chip to chip
};

// The test accuracy over the evaluation's chips with one non-ideality alone (the others off,
// lines unclipped unless it is clipping) and with all but that one.
struct TermAccuracy {
    std::string name;  // a NoiseBudgetTerm's name, or "clipping"
    ChipSummary alone, all_but;
};

struct NoiseBudgetReport {
    double energy_density_fJ_per_um2 = 0.0;
    int images = 0;
    std::vector<NoiseBudgetTerm> terms;
    double per_frame_rms_e = 0.0;      // the per-frame terms in quadrature
    double fixed_pattern_rms_e = 0.0;  // the chip-to-chip terms in quadrature
    double signal_spread_rms_e = 0.0;  // rms over images and outputs of D_c − mean over outputs: what separates the classes
    double margin_median_e = 0.0;      // median over images of D_label − max of the other D_c (noise-free)
    // Accuracies on the same images and chips: every term on, none (ideal read-out, lines
    // unclipped), and per term.
    ChipSummary accuracy_all, accuracy_none;
    std::vector<TermAccuracy> accuracies;
};

// The non-idealities whose accuracies a budget reports, in its order: the terms of
// analog::noise_budget, then clipping.
[[nodiscard]] const std::vector<std::string>& budget_term_names();
// The switches with only `name` on (alone) or with all but `name` on.
[[nodiscard]] analog::NoiseSwitches term_switches(const std::string& name, bool alone);

// One report per light level (fJ/µm²; empty: the run's), its terms with the evaluation's noise
// and mismatch switches; its accuracies over the evaluation's chips with every term
// available (eval.noise and eval.fixed_pattern on, chip electronics). For an ACCEL model only
// (std::invalid_argument otherwise): callers check design.architecture first.
[[nodiscard]] std::vector<NoiseBudgetReport> noise_budgets(const RunDescription& run, models::Model& model, const RunData& data,
                                                           std::span<const double> parameters, std::span<const double> light_levels_fJ_per_um2);

}  // namespace accel::sim
