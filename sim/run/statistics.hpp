#pragma once
// Statistics of accuracies over simulated chips: Student's t intervals.

#include <span>

namespace accel::sim {

// Student's t quantile t_{p, dof} (dof ≥ 1), by bisection on the CDF (regularised incomplete beta).
[[nodiscard]] double student_t_quantile(double p, int dof);

// Mean and 95 % interval of per-chip accuracies: mean ± t_{0.975, K−1}·s/sqrt(K).
struct ChipSummary {
    int chips = 0;
    double mean = 0.0;
    double std_dev = 0.0;      // sample standard deviation (K − 1); 0 for one chip
    double t_quantile = 0.0;   // t_{0.975, K−1}; NaN for one chip
    double half_width = 0.0;   // NaN for one chip (no interval)
};
[[nodiscard]] ChipSummary summarize_chips(std::span<const double> accuracies);

}  // namespace accel::sim
