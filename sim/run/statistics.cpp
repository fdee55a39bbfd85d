#include "accel/sim/run/statistics.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace accel::sim {
namespace {

// Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4).
double beta_continued_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300, eps = 1e-15;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::abs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 10000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
        d = 1.0 + aa * d;
        c = 1.0 + aa / c;
        d = 1.0 / (std::abs(d) < tiny ? tiny : d);
        c = std::abs(c) < tiny ? tiny : c;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
        d = 1.0 + aa * d;
        c = 1.0 + aa / c;
        d = 1.0 / (std::abs(d) < tiny ? tiny : d);
        c = std::abs(c) < tiny ? tiny : c;
        const double delta = d * c;
        h *= delta;
        if (std::abs(delta - 1.0) < eps) break;
    }
    return h;
}

// Regularised incomplete beta I_x(a, b).
double incomplete_beta(double a, double b, double x) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
    return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

// CDF of Student's t with `dof` degrees of freedom at t ≥ 0.
double student_t_cdf(double t, double dof) { return 1.0 - 0.5 * incomplete_beta(0.5 * dof, 0.5, dof / (dof + t * t)); }

}  // namespace

double student_t_quantile(double p, int dof) {
    if (dof < 1 || !(p > 0.5 && p < 1.0)) throw std::invalid_argument("student_t_quantile: need dof ≥ 1 and 0.5 < p < 1");
    double lo = 0.0, hi = 1e7;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (student_t_cdf(mid, dof) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

ChipSummary summarize_chips(std::span<const double> accuracies) {
    ChipSummary s;
    s.chips = static_cast<int>(accuracies.size());
    if (accuracies.empty()) return s;
    double sum = 0.0;
    for (double a : accuracies) sum += a;
    s.mean = sum / static_cast<double>(s.chips);
    if (s.chips < 2) {
        s.t_quantile = s.half_width = std::numeric_limits<double>::quiet_NaN();
        return s;
    }
    double squares = 0.0;
    for (double a : accuracies) squares += (a - s.mean) * (a - s.mean);
    s.std_dev = std::sqrt(squares / (s.chips - 1));
    s.t_quantile = student_t_quantile(0.975, s.chips - 1);
    s.half_width = s.t_quantile * s.std_dev / std::sqrt(static_cast<double>(s.chips));
    return s;
}

}  // namespace accel::sim
