#include "optics/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>
#include <utility>

#include "optics/fft.hpp"

namespace accel::optics {
namespace {

std::string fmt(double v) {
    std::ostringstream s;
    s.precision(4);
    s << v;
    return s.str();
}

// Padding per side (pixels) for which the band limit f_lim reaches f; infinite when f is at
// or beyond 1/λ. From f_lim = 1/(λ·sqrt((2z/L)²+1)) ≥ f  ⇔  L ≥ 2z / sqrt(1/(λf)² − 1).
double padding_for_band(const PropagationGeometry& g, double f) {
    const double lf = g.wavelength_m * f;
    if (lf >= 1.0) return std::numeric_limits<double>::infinity();
    const double width = 2.0 * g.distance_m / std::sqrt(1.0 / (lf * lf) - 1.0);
    return std::max(0.0, std::ceil((width / g.grid.pitch_m - g.grid.n) / 2.0));
}

// Highest spatial frequency (per axis) the grid can carry into the output window.
double usable_band(const PropagationGeometry& g) { return std::min(g.grid.nyquist_per_m(), 1.0 / g.wavelength_m); }

// Without the band limit, light travelling sideways by more than 2·pad pixels over z wraps
// round the periodic padded window back into the cropped output.
double wrap_free_band(const PropagationGeometry& g) {
    const double travel = 2.0 * g.padding_px() * g.grid.pitch_m;
    const double t = travel / g.distance_m;  // tan θ
    return t / std::sqrt(1.0 + t * t) / g.wavelength_m;
}

}  // namespace

std::vector<SamplingFinding> check_transfer_function(const PropagationGeometry& g) {
    validate(g);
    std::vector<SamplingFinding> out;
    const double f_lim = g.band_limit_per_m();
    const double band = usable_band(g);
    if (f_lim >= band) return out;
    const double pad_needed = padding_for_band(g, band);
    const std::string pad_text = std::isfinite(pad_needed) ? "pad to ≥ " + fmt(pad_needed) + " px per side" : "enlarge the padded window";
    // With the band limit on, H is zero wherever its phase would alias, so the method is
    // alias-free by construction; what the limit removes is reported per field by
    // check_window_spread.
    if (g.band_limit) return out;
    out.push_back({Severity::error, "transfer_function_aliasing",
                   "transfer function aliases: its phase is undersampled (Δf = 1/L = " + fmt(1.0 / g.padded_width_m()) +
                       " /m) for |f| > f_lim = " + fmt(f_lim) + " /m, inside the grid's band " + fmt(band) +
                       " /m (criterion f_lim ≥ band, z = " + fmt(g.distance_m) + " m, L = " + fmt(g.padded_width_m()) +
                       " m); enable the band limit, " + pad_text + ", or shorten the distance"});
    return out;
}

template <class Real>
std::vector<SamplingFinding> check_window_spread(const PropagationGeometry& g, const Field<Real>& input, double error_fraction,
                                                 double warning_fraction) {
    validate(g);
    const int n = g.grid.n;
    if (input.samples.size() != g.grid.size()) throw std::invalid_argument("check_window_spread: field does not match the grid");
    // Spectrum of the unpadded input (double precision, rows then columns via a transpose).
    const std::size_t ld = aligned_row_stride(n);
    AlignedBuffer<double> a(static_cast<std::size_t>(n) * ld), b(static_cast<std::size_t>(n) * ld);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) a.data()[r * ld + c] = std::complex<double>(input.samples[g.grid.index(r, c)]);
    FftBatch<double> rows(n, n, ld, FftBatch<double>::Direction::forward);
    rows.execute(a.data());
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) b.data()[c * ld + r] = a.data()[r * ld + c];
    rows.execute(b.data());

    const double f_keep = std::min(g.band_limit ? g.band_limit_per_m() : wrap_free_band(g), 1.0 / g.wavelength_m);
    const double width = g.grid.width_m();
    const double inv_lambda2 = 1.0 / (g.wavelength_m * g.wavelength_m);
    double total = 0.0, lost = 0.0;
    std::vector<std::pair<double, double>> by_frequency;  // (max(|fx|,|fy|), power)
    by_frequency.reserve(g.grid.size());
    for (int kx = 0; kx < n; ++kx) {
        const double fx = (kx < (n + 1) / 2 ? kx : kx - n) / width;
        for (int ky = 0; ky < n; ++ky) {
            const double fy = (ky < (n + 1) / 2 ? ky : ky - n) / width;
            const double p = std::norm(b.data()[kx * ld + ky]);
            total += p;
            const double f = std::max(std::abs(fx), std::abs(fy));
            const bool evanescent = fx * fx + fy * fy >= inv_lambda2;
            if (f > f_keep || evanescent) lost += p;
            by_frequency.emplace_back(evanescent ? std::numeric_limits<double>::infinity() : f, p);
        }
    }
    std::vector<SamplingFinding> out;
    if (!(total > 0.0) || lost <= warning_fraction * total) return out;
    const bool is_error = lost > error_fraction * total;
    const double max_lost_fraction = is_error ? error_fraction : warning_fraction;

    // Frequency below which all but max_lost_fraction of the power lies: what the window must carry.
    std::sort(by_frequency.begin(), by_frequency.end());
    double acc = 0.0, f_need = 0.0;
    for (const auto& [f, p] : by_frequency) {
        acc += p;
        f_need = f;
        if (acc >= (1.0 - max_lost_fraction) * total) break;
    }
    const double pad_needed = g.band_limit ? padding_for_band(g, f_need)
                                           : std::ceil(g.distance_m * std::tan(std::asin(std::min(1.0, g.wavelength_m * f_need))) /
                                                       (2.0 * g.grid.pitch_m));
    const std::string remedy = std::isfinite(pad_needed) ? "pad to ≥ " + fmt(pad_needed) + " px per side or shorten the distance"
                                                         : "part of it is evanescent; sample more coarsely or shorten the distance";
    out.push_back({is_error ? Severity::error : Severity::warning, "window_spread",
                   "window too small for the diffraction spread: " + fmt(100.0 * lost / total) +
                       " % of the input power lies beyond f = " + fmt(f_keep) + " /m, which the padded window of " +
                       fmt(g.padded_width_m()) + " m cannot carry over z = " + fmt(g.distance_m) + " m (criterion ≤ " +
                       fmt(100.0 * max_lost_fraction) + " %); " + remedy});
    return out;
}

std::vector<SamplingFinding> check_detectors(const Grid& grid, const std::vector<DetectorArea>& areas) {
    validate(grid);
    const double half = 0.5 * grid.width_m();
    // Detector edges that coincide with the window edge are inside up to rounding.
    const double slack = 1e-9 * grid.width_m();
    std::size_t outside = 0;
    const DetectorArea* first = nullptr;
    for (const auto& a : areas) {
        if (a.x_min_m < -half - slack || a.x_max_m > half + slack || a.y_min_m < -half - slack || a.y_max_m > half + slack) {
            ++outside;
            if (!first) first = &a;
        }
    }
    if (!first) return {};
    return {{Severity::error, "detector_outside_window",
             std::to_string(outside) + " detector area(s) extend beyond the " + fmt(grid.width_m()) + " m window, first '" +
                 first->name + "' at x ∈ [" + fmt(first->x_min_m) + ", " + fmt(first->x_max_m) + "] m, y ∈ [" +
                 fmt(first->y_min_m) + ", " + fmt(first->y_max_m) + "] m (criterion: inside ±" + fmt(half) +
                 " m); enlarge the grid, shrink the detector pitch or re-centre the array"}};
}

bool has_error(const std::vector<SamplingFinding>& findings) {
    return std::any_of(findings.begin(), findings.end(), [](const auto& f) { return f.severity == Severity::error; });
}

template std::vector<SamplingFinding> check_window_spread<float>(const PropagationGeometry&, const Field<float>&, double, double);
template std::vector<SamplingFinding> check_window_spread<double>(const PropagationGeometry&, const Field<double>&, double, double);

}  // namespace accel::optics
