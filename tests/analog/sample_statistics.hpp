#pragma once
// Sample statistics for the noise tests, and the bound convention they share.
//
// Every statistical check draws from fixed seeds, so its outcome is deterministic; the bound
// is still derived from the sampling distribution of the estimator: |estimate − expected| ≤
// z_bound × (standard error). With z_bound = 5 a correct sampler fails a single check for
// fewer than 6 in 10⁷ seeds (two-sided normal tail), so a failure after a change of seed
// or draw order means a real error, not bad luck.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace accel::test {

inline constexpr double z_bound = 5.0;

struct SampleMoments {
    double n = 0.0;
    double mean = 0.0;
    double variance = 0.0;        // unbiased, divided by n − 1
    double fourth_central = 0.0;  // m4 = mean of (x − mean)⁴

    // Standard error of the sample mean, σ/√n.
    [[nodiscard]] double mean_se() const { return std::sqrt(variance / n); }
    // Standard error of the sample variance, √((μ4 − σ⁴)/n), with the sample's own moments
    // (for a normal sample this is σ²·√(2/n)).
    [[nodiscard]] double variance_se() const { return std::sqrt(std::max(0.0, fourth_central - variance * variance) / n); }
};

inline SampleMoments moments(std::span<const double> x) {
    SampleMoments m;
    m.n = static_cast<double>(x.size());
    double sum = 0.0;
    for (double v : x) sum += v;
    m.mean = sum / m.n;
    double s2 = 0.0, s4 = 0.0;
    for (double v : x) {
        const double d = (v - m.mean) * (v - m.mean);
        s2 += d;
        s4 += d * d;
    }
    m.variance = s2 / (m.n - 1.0);
    m.fourth_central = s4 / m.n;
    return m;
}

// Two-sample Kolmogorov–Smirnov statistic D = max_v |F_a(v) − F_b(v)|, evaluated at every
// distinct value (ties handled, so it is valid for integer-valued samples).
inline double ks_statistic(std::vector<double> a, std::vector<double> b) {
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
    std::size_t i = 0, j = 0;
    double d = 0.0;
    while (i < a.size() && j < b.size()) {
        const double v = std::min(a[i], b[j]);
        while (i < a.size() && a[i] == v) ++i;
        while (j < b.size() && b[j] == v) ++j;
        d = std::max(d, std::abs(static_cast<double>(i) / na - static_cast<double>(j) / nb));
    }
    return d;
}

// Asymptotic critical value of the two-sample KS statistic at level α:
// c(α)·√((n+m)/(n·m)) with c(α) = √(−ln(α/2)/2). For discrete distributions the test is
// conservative (the true level is below α).
inline double ks_critical(std::size_t n, std::size_t m, double alpha) {
    const double nn = static_cast<double>(n), mm = static_cast<double>(m);
    return std::sqrt(-std::log(alpha / 2.0) / 2.0) * std::sqrt((nn + mm) / (nn * mm));
}

}  // namespace accel::test
