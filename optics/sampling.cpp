#include "accel/optics/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "accel/core/format.hpp"
#include "accel/optics/fft.hpp"

namespace accel::optics {
namespace {

// Four significant digits: the criteria are estimates, and the message stays short.
std::string fmt(double v) { return core::general_text(v, 4); }

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

// Spatial frequency (cycles/m) of DFT index k of n samples over a window of `width_m`.
double dft_frequency(int k, int n, double width_m) { return (k < (n + 1) / 2 ? k : k - n) / width_m; }

// |U(fx, fy)|² of the unpadded input in double precision (rows, then columns through a
// transpose), index kx·n + ky with kx the x (column) frequency.
template <class Real>
std::vector<double> power_spectrum(const Grid& grid, const Field<Real>& input) {
    const int n = grid.n;
    const std::size_t ld = aligned_row_stride(n);
    AlignedBuffer<double> a(static_cast<std::size_t>(n) * ld), b(static_cast<std::size_t>(n) * ld);
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) a.data()[r * ld + c] = std::complex<double>(input.samples[grid.index(r, c)]);
    FftBatch<double> rows(n, n, ld, FftBatch<double>::Direction::forward);
    rows.execute(a.data());
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) b.data()[c * ld + r] = a.data()[r * ld + c];
    rows.execute(b.data());
    std::vector<double> out(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
    for (int kx = 0; kx < n; ++kx)
        for (int ky = 0; ky < n; ++ky) out[static_cast<std::size_t>(kx) * n + ky] = std::norm(b.data()[kx * ld + ky]);
    return out;
}

// What the wrap-around estimate knows of the light: where its power lies (per column, per
// row) and where it goes (the angular spectrum, index kx·n + ky; empty means flat).
struct PhaseSpaceMarginals {
    std::vector<double> column_power, row_power, spectrum;
};

// Power per sideways shift (whole pixels) along one axis: `folded` by shift modulo m (where
// it lands in the periodic padded window), `direct` by shift + n − 1 for |shift| ≤ n − 1
// (landings that could stay inside the window without wrapping).
struct ShiftHistogram {
    int n, m;
    std::vector<double> folded, direct;
    double total = 0.0;  // all the input power, carried or not
    ShiftHistogram(int n_px, int m_px)
        : n(n_px), m(m_px), folded(static_cast<std::size_t>(m_px)), direct(static_cast<std::size_t>(2 * n_px - 1)) {}

    void add_whole(double k, double w) {
        double j = std::fmod(k, static_cast<double>(m));
        if (j < 0.0) j += m;
        folded[std::min(static_cast<std::size_t>(j), folded.size() - 1)] += w;
        if (std::abs(k) <= n - 1) direct[static_cast<std::size_t>(k + (n - 1))] += w;
    }
    // A walk-off of s px, split linearly between the two nearest whole pixels.
    void add(double s, double w) {
        constexpr double far_px = 1e15;  // keeps floor() exact; such light lands anywhere
        s = std::clamp(s, -far_px, far_px);
        const double k0 = std::floor(s), frac = s - k0;
        add_whole(k0, w * (1.0 - frac));
        add_whole(k0 + 1.0, w * frac);
    }
};

// Fraction of the power that wraps along one axis: for a source column c and shift k, the
// landing c + k is wrapped if (c + k) mod m lies in [0, n) while c + k does not. Prefix sums
// make it O(n + m).
double axis_wrapped_fraction(const std::vector<double>& position_power, const ShiftHistogram& h) {
    const int n = h.n, m = h.m;
    double p_total = 0.0;
    for (double p : position_power) p_total += p;
    if (!(p_total > 0.0) || !(h.total > 0.0)) return 0.0;
    std::vector<double> folded_sum(static_cast<std::size_t>(m) + 1, 0.0), direct_sum(h.direct.size() + 1, 0.0);
    for (std::size_t i = 0; i < h.folded.size(); ++i) folded_sum[i + 1] = folded_sum[i] + h.folded[i];
    for (std::size_t i = 0; i < h.direct.size(); ++i) direct_sum[i + 1] = direct_sum[i] + h.direct[i];
    const auto folded_range = [&](int start, int length) {  // circular, length ≤ m
        const auto s = static_cast<std::size_t>(start);
        const auto e = static_cast<std::size_t>(start + length);
        if (e <= static_cast<std::size_t>(m)) return folded_sum[e] - folded_sum[s];
        return folded_sum[static_cast<std::size_t>(m)] - folded_sum[s] + folded_sum[e - static_cast<std::size_t>(m)];
    };
    double wrapped = 0.0;
    for (int c = 0; c < n; ++c) {
        const double p = position_power[static_cast<std::size_t>(c)];
        if (p == 0.0) continue;
        const double lands_inside = folded_range((m - c % m) % m, n);  // shifts k with (c + k) mod m ∈ [0, n)
        const double stays_inside = direct_sum[static_cast<std::size_t>(2 * n - 1 - c)] - direct_sum[static_cast<std::size_t>(n - 1 - c)];
        wrapped += p * (lands_inside - stays_inside);
    }
    return std::clamp(wrapped / (p_total * h.total), 0.0, 1.0);
}

constexpr int flat_band_samples = 256;

// Estimated wrapped fraction of the input power for a padding of `pad_px` per side.
double wrapped_fraction(const PropagationGeometry& geometry, const PhaseSpaceMarginals& light, int pad_px) {
    PropagationGeometry g = geometry;
    g.pad_px = pad_px;
    const int n = g.grid.n, m = g.padded_n();
    const double width = g.grid.width_m(), lambda = g.wavelength_m;
    const double f_lim = g.band_limit ? g.band_limit_per_m() : std::numeric_limits<double>::infinity();
    const double scale = g.distance_m * lambda / g.grid.pitch_m;  // walk-off in px = scale·f / cos θ
    // A flat spectrum is a uniform density over the grid band: a lattice of flat_band_samples²
    // frequencies represents it as well as n², the uniform spread of positions smoothing the
    // coarser walk-off steps.
    const bool flat = light.spectrum.empty();
    const int nk = flat ? std::min(n, flat_band_samples) : n;
    const double lattice_width = flat ? nk * g.grid.pitch_m : width;
    ShiftHistogram hx(n, m), hy(n, m);
    for (int kx = 0; kx < nk; ++kx) {
        const double fx = dft_frequency(kx, nk, lattice_width);
        for (int ky = 0; ky < nk; ++ky) {
            const double fy = dft_frequency(ky, nk, lattice_width);
            const double w = flat ? 1.0 : light.spectrum[static_cast<std::size_t>(kx) * n + ky];
            hx.total += w;
            hy.total += w;
            const double cos2 = 1.0 - lambda * lambda * (fx * fx + fy * fy);
            if (std::abs(fx) > f_lim || std::abs(fy) > f_lim || !(cos2 > 0.0) || w == 0.0) continue;
            const double cos_theta = std::sqrt(cos2);
            hx.add(scale * fx / cos_theta, w);
            hy.add(scale * fy / cos_theta, w);
        }
    }
    const double wx = axis_wrapped_fraction(light.column_power, hx);
    const double wy = axis_wrapped_fraction(light.row_power, hy);
    return wx + wy - wx * wy;
}

WrapAroundEstimate estimate_from(const PropagationGeometry& g, const PhaseSpaceMarginals& light, double tolerated_fraction) {
    const int n = g.grid.n, pad = g.padding_px();
    WrapAroundEstimate out;
    out.wrapped_fraction = wrapped_fraction(g, light, pad);
    if (out.wrapped_fraction <= tolerated_fraction) {
        out.padding_px_needed = pad;
        return out;
    }
    // Search upwards from n/2 (enough with the band limit on, up to the corner frequencies),
    // doubling, then bisect down; the fraction falls with the padding.
    const int cap = std::min(4 * n, (max_padded_grid_px - n) / 2);
    const auto ok = [&](int p) { return wrapped_fraction(g, light, p) <= tolerated_fraction; };
    int hi = std::max(pad + 1, (n + 1) / 2);
    while (hi < cap && !ok(hi)) hi = std::min(cap, 2 * hi);
    if (hi > cap || !ok(hi)) return out;
    int lo = pad;
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        (ok(mid) ? hi : lo) = mid;
    }
    out.padding_px_needed = hi;
    return out;
}

std::vector<SamplingFinding> wrap_finding(const PropagationGeometry& g, const WrapAroundEstimate& e, double warning_fraction,
                                          const std::string& whose_light) {
    if (e.wrapped_fraction <= warning_fraction) return {};
    const std::string remedy =
        e.padding_px_needed >= 0 ? "pad to ≥ " + std::to_string(e.padding_px_needed) + " px per side" : "enlarge the padding";
    return {{Severity::warning, "wrap_around",
             "an estimated " + fmt(100.0 * e.wrapped_fraction) + " % of " + whose_light +
                 " walks beyond the padding over z = " + fmt(g.distance_m) + " m and wraps round the periodic padded window (" +
                 std::to_string(g.padded_n()) + " px, pad " + std::to_string(g.padding_px()) +
                 " px per side) into the opposite side of the output (walk-off z·λf/sqrt(1 − λ²f²) of its angular spectrum; "
                 "criterion ≤ " + fmt(100.0 * warning_fraction) + " %); " + remedy +
                 (g.band_limit ? " (n/2 = " + std::to_string((g.grid.n + 1) / 2) + " px rules it out)" : std::string()) +
                 ", or ignore this for a periodic field such as a grating, which wants padding 0"}};
}

}  // namespace

template <class Real>
WrapAroundEstimate estimate_wrap_around(const PropagationGeometry& g, const Field<Real>& input, double tolerated_fraction) {
    validate(g);
    if (input.samples.size() != g.grid.size()) throw std::invalid_argument("estimate_wrap_around: field does not match the grid");
    const int n = g.grid.n;
    PhaseSpaceMarginals light{std::vector<double>(static_cast<std::size_t>(n), 0.0), std::vector<double>(static_cast<std::size_t>(n), 0.0),
                              power_spectrum(g.grid, input)};
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const double p = std::norm(std::complex<double>(input.samples[g.grid.index(r, c)]));
            light.column_power[static_cast<std::size_t>(c)] += p;
            light.row_power[static_cast<std::size_t>(r)] += p;
        }
    return estimate_from(g, light, tolerated_fraction);
}

WrapAroundEstimate estimate_wrap_around(const PropagationGeometry& g, double tolerated_fraction) {
    validate(g);
    const auto n = static_cast<std::size_t>(g.grid.n);
    const PhaseSpaceMarginals light{std::vector<double>(n, 1.0), std::vector<double>(n, 1.0), {}};
    return estimate_from(g, light, tolerated_fraction);
}

template <class Real>
std::vector<SamplingFinding> check_wrap_around(const PropagationGeometry& g, const Field<Real>& input, double warning_fraction) {
    if (!g.band_limit) return {};  // check_window_spread then counts all light beyond the wrap-free angle
    return wrap_finding(g, estimate_wrap_around(g, input, warning_fraction), warning_fraction, "the input power");
}

std::vector<SamplingFinding> check_wrap_around(const PropagationGeometry& g, double warning_fraction) {
    if (!g.band_limit) return {};
    return wrap_finding(g, estimate_wrap_around(g, warning_fraction), warning_fraction,
                        "the light a mask of random phases at the grid pitch would scatter (an upper estimate for trained masks)");
}

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
    const std::vector<double> spectrum = power_spectrum(g.grid, input);
    const double f_keep = std::min(g.band_limit ? g.band_limit_per_m() : wrap_free_band(g), 1.0 / g.wavelength_m);
    const double width = g.grid.width_m();
    const double inv_lambda2 = 1.0 / (g.wavelength_m * g.wavelength_m);
    double total = 0.0, lost = 0.0;
    std::vector<std::pair<double, double>> by_frequency;  // (max(|fx|,|fy|), power)
    by_frequency.reserve(g.grid.size());
    for (int kx = 0; kx < n; ++kx) {
        const double fx = dft_frequency(kx, n, width);
        for (int ky = 0; ky < n; ++ky) {
            const double fy = dft_frequency(ky, n, width);
            const double p = spectrum[static_cast<std::size_t>(kx) * n + ky];
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
template WrapAroundEstimate estimate_wrap_around<float>(const PropagationGeometry&, const Field<float>&, double);
template WrapAroundEstimate estimate_wrap_around<double>(const PropagationGeometry&, const Field<double>&, double);
template std::vector<SamplingFinding> check_wrap_around<float>(const PropagationGeometry&, const Field<float>&, double);
template std::vector<SamplingFinding> check_wrap_around<double>(const PropagationGeometry&, const Field<double>&, double);

}  // namespace accel::optics
