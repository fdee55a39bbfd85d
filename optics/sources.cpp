#include "accel/optics/sources.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <utility>

#include "accel/core/format.hpp"

namespace accel::optics {

namespace {

void require_positive(const char* name, double value, const char* unit) {
    if (!std::isfinite(value) || !(value > 0.0))
        throw std::invalid_argument(std::string(name) + " must be finite and > 0 " + unit + ", got " +
                                    core::general_text(value));
}

// Scales the field so that Σ|u|²·pitch² = power_W; the caller has checked that it has power.
template <class Real>
void normalise_power(Field<Real>& f, double power_W) {
    const double sampled = f.power_W();
    const Real scale = static_cast<Real>(std::sqrt(power_W / sampled));
    for (auto& v : f.samples) v *= scale;
}

}  // namespace

template <class Real>
Field<Real> gaussian_beam(const Grid& grid, double wavelength_m, double waist_m, double power_W) {
    validate(grid);
    require_positive("wavelength_m", wavelength_m, "m");
    require_positive("waist_m", waist_m, "m");
    require_positive("power_W", power_W, "W");
    Field<Real> f(grid, wavelength_m);
    const double inv_w2 = 1.0 / (waist_m * waist_m);
    for (int row = 0; row < grid.n; ++row) {
        const double y = grid.y_m(row);
        for (int col = 0; col < grid.n; ++col) {
            const double x = grid.x_m(col);
            f(row, col) = static_cast<Real>(std::exp(-(x * x + y * y) * inv_w2));
        }
    }
    if (!(f.power_W() > 0.0))
        throw std::invalid_argument("waist_m = " + core::general_text(waist_m) + " m is too small for the pitch " +
                                    core::general_text(grid.pitch_m) + " m: the sampled beam has no power");
    normalise_power(f, power_W);
    return f;
}

template <class Real>
Field<Real> square_aperture(const Grid& grid, double wavelength_m, double side_m, double tilt_x_rad, double tilt_y_rad,
                            double power_W) {
    validate(grid);
    require_positive("wavelength_m", wavelength_m, "m");
    require_positive("side_m", side_m, "m");
    require_positive("power_W", power_W, "W");
    if (side_m > grid.width_m())
        throw std::invalid_argument("side_m = " + core::general_text(side_m) + " m exceeds the grid width " +
                                    core::general_text(grid.width_m()) + " m");
    // A tilt phase whose spatial frequency sinθ/λ exceeds 1/(2·pitch) aliases on the grid.
    const double max_sin = std::min(1.0, wavelength_m / (2.0 * grid.pitch_m));
    const double max_tilt = std::asin(max_sin);
    for (const auto& [name, tilt] : {std::pair{"tilt_x_rad", tilt_x_rad}, std::pair{"tilt_y_rad", tilt_y_rad}}) {
        if (!std::isfinite(tilt) || !(std::abs(tilt) < max_tilt))
            throw std::invalid_argument(std::string(name) + " must be finite with |tilt| < " + core::general_text(max_tilt) +
                                        " rad (the grid's Nyquist angle asin(lambda/(2 pitch))), got " +
                                        core::general_text(tilt));
    }

    Field<Real> f(grid, wavelength_m);
    // Pixel centres exactly on an edge count as inside; the tolerance keeps that decision
    // symmetric despite rounding in x_m().
    const double half = 0.5 * side_m + 1e-9 * grid.pitch_m;
    const double kx = 2.0 * std::numbers::pi * std::sin(tilt_x_rad) / wavelength_m;
    const double ky = 2.0 * std::numbers::pi * std::sin(tilt_y_rad) / wavelength_m;
    for (int row = 0; row < grid.n; ++row) {
        const double y = grid.y_m(row);
        if (std::abs(y) > half) continue;
        for (int col = 0; col < grid.n; ++col) {
            const double x = grid.x_m(col);
            if (std::abs(x) > half) continue;
            const double phase = kx * x + ky * y;
            f(row, col) = std::complex<Real>(static_cast<Real>(std::cos(phase)), static_cast<Real>(std::sin(phase)));
        }
    }
    if (!(f.power_W() > 0.0))
        throw std::invalid_argument("side_m = " + core::general_text(side_m) +
                                    " m covers no pixel centre; it must be at least the pitch " +
                                    core::general_text(grid.pitch_m) + " m");
    normalise_power(f, power_W);
    return f;
}

template Field<float> gaussian_beam<float>(const Grid&, double, double, double);
template Field<double> gaussian_beam<double>(const Grid&, double, double, double);
template Field<float> square_aperture<float>(const Grid&, double, double, double, double, double);
template Field<double> square_aperture<double>(const Grid&, double, double, double, double, double);

}  // namespace accel::optics
