#pragma once
// Phase masks: phase per pixel from an unconstrained parameter, quantisation to 2^b etch
// levels, fabrication phase error and plane misalignment.

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <span>
#include <vector>

#include "accel/optics/grid.hpp"

namespace accel::optics {

inline constexpr double two_pi = 2.0 * std::numbers::pi;

// Wraps any real phase (the unconstrained training parameter) into [0, 2π).
inline double wrap_phase(double phi) {
    double w = std::fmod(phi, two_pi);
    if (w < 0) w += two_pi;
    return w >= two_pi ? 0.0 : w;
}

// A phase mask of grid.n × grid.n pixels, phase in radians in [0, 2π).
struct PhaseMask {
    Grid grid;
    std::vector<double> phase_rad;

    static PhaseMask from_parameter(const Grid& g, std::span<const double> parameter);
};

// Rounds each phase to the nearest of 2^bits equally spaced levels 2πk/2^bits (k wraps to 0),
// as for a mask etched in `bits` lithography steps (ACCEL's fused-silica masks: 3 bits).
void quantise_phase(std::span<double> phase_rad, int bits);

// Adds an independent N(0, σ²) error to each pixel's phase and re-wraps
// (etch-depth error; ACCEL's released code uses σ = 0.26π).
template <class Urbg>
void add_phase_error(std::span<double> phase_rad, double sigma_rad, Urbg& rng) {
    std::normal_distribution<double> normal(0.0, sigma_rad);
    for (double& p : phase_rad) p = wrap_phase(p + normal(rng));
}

// Rigid in-plane misalignment of a mask relative to the optical axis: a lateral shift by whole
// pixels and a rotation about the grid centre.
struct PlaneMisalignment {
    int shift_x_px = 0;       // + moves the mask towards +x (increasing column)
    int shift_y_px = 0;       // + moves the mask towards +y (increasing row)
    double rotation_rad = 0;  // counter-clockwise in the (x, y) frame

    [[nodiscard]] bool is_identity() const { return shift_x_px == 0 && shift_y_px == 0 && rotation_rad == 0.0; }
};

// Resamples the displaced mask onto the fixed grid. A rigid pixelated mask moved in its
// plane shows, at each grid point, the phase of the mask pixel that now covers it, so the
// resampling is nearest-pixel (it keeps the quantised levels); grid points no longer covered
// by the mask see phase 0 (bare substrate).
std::vector<double> misalign(const Grid& grid, std::span<const double> phase_rad, const PlaneMisalignment& m);

// The same resampling as an index map: for each grid pixel, the mask pixel that covers it
// after the displacement, or −1 (uncovered). Gradients flow back through it.
std::vector<int> misalignment_source(const Grid& grid, const PlaneMisalignment& m);

// field *= exp(i·φ), pixel by pixel.
template <class Real>
void apply_phase(std::span<std::complex<Real>> field, std::span<const double> phase_rad) {
    for (std::size_t i = 0; i < field.size(); ++i)
        field[i] *= std::complex<Real>(static_cast<Real>(std::cos(phase_rad[i])), static_cast<Real>(std::sin(phase_rad[i])));
}

}  // namespace accel::optics
