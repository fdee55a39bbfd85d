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

namespace accel::sim {

// Test images a budget is taken over: the rms of a term settles to a per cent long before.
inline constexpr int noise_budget_images = 1000;

struct NoiseBudgetTerm {
    std::string name;
    double rms_e = 0.0;      // electrons referred to the line capacitance, rms over images and outputs
    bool per_frame = true;   // frame to frame, or chip to chip
};

struct NoiseBudgetReport {
    double energy_density_fJ_per_um2 = 0.0;
    int images = 0;
    std::vector<NoiseBudgetTerm> terms;
    double per_frame_rms_e = 0.0;      // the per-frame terms in quadrature
    double fixed_pattern_rms_e = 0.0;  // the chip-to-chip terms in quadrature
    double signal_spread_rms_e = 0.0;  // rms over images and outputs of D_c − mean over outputs: what separates the classes
    double margin_median_e = 0.0;      // median over images of D_label − max of the other D_c (noise-free)
};

// One report per light level (fJ/µm²; empty: the run's), with the evaluation's noise and
// mismatch switches. For an ACCEL model only (std::invalid_argument otherwise): callers check
// design.architecture first.
[[nodiscard]] std::vector<NoiseBudgetReport> noise_budgets(const RunDescription& run, models::Model& model, const RunData& data,
                                                           std::span<const double> parameters, std::span<const double> light_levels_fJ_per_um2);

}  // namespace accel::sim
