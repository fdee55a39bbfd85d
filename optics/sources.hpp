#pragma once
// Named input fields for the physics workbench and the tests: analytic beams sampled on a
// Grid, normalised so that the sampled power Σ|u|²·pitch² equals the requested power.

#include "accel/optics/field.hpp"
#include "accel/optics/grid.hpp"

namespace accel::optics {

// A Gaussian beam at its waist (z = 0): u ∝ exp(−r²/w₀²), flat phase, w₀ the 1/e² intensity
// radius. Throws std::invalid_argument naming a bad argument (grid, wavelength_m, waist_m,
// power_W must be finite and > 0).
template <class Real>
Field<Real> gaussian_beam(const Grid& grid, double wavelength_m, double waist_m, double power_W);

// A uniformly lit square aperture of side `side_m`, centred on the axis: constant amplitude on
// the pixels whose centres lie inside the square (edges included), times the tilt phase
// exp(i·2π·(sinθx·x + sinθy·y)/λ) of a plane wave arriving at angles θx, θy. The tilt must
// stay below the grid's Nyquist angle asin(λ/(2·pitch)) or the phase would alias; the square
// must cover at least one pixel centre and fit in the window.
template <class Real>
Field<Real> square_aperture(const Grid& grid, double wavelength_m, double side_m, double tilt_x_rad, double tilt_y_rad,
                            double power_W);

}  // namespace accel::optics
