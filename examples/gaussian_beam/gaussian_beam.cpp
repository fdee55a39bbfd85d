// Propagates a Gaussian beam with accel's band-limited angular-spectrum propagator and
// compares its waist after the distance with the paraxial law w(z) = w0·sqrt(1 + (z/z_R)²),
// z_R = π·w0²/λ (Siegman, "Lasers", 1986, ch. 17). Prints the power before and after (the
// propagator conserves it) and both radii; exits 1 if either disagrees beyond 1 %.
#include <cmath>
#include <cstdio>
#include <numbers>

#include <accel/optics/propagator.hpp>
#include <accel/optics/sources.hpp>

int main() {
    const accel::optics::Grid grid{256, 4e-6};  // 256 × 256 samples at 4 µm
    const double wavelength_m = 532e-9, waist_m = 60e-6, distance_m = 0.02, power_W = 1e-3;
    const auto beam = accel::optics::gaussian_beam<double>(grid, wavelength_m, waist_m, power_W);

    accel::optics::PropagationCache<double> cache;
    const accel::optics::Propagator<double> propagator({grid, wavelength_m, distance_m}, cache);
    const auto out = propagator.propagate(beam);

    // 1/e² intensity radius from the second moment: w = 2·sqrt(<x²>) along x.
    double moment = 0.0, total = 0.0;
    for (int r = 0; r < grid.n; ++r) {
        for (int c = 0; c < grid.n; ++c) {
            const double x = grid.x_m(c);
            const double intensity = std::norm(out(r, c));
            moment += x * x * intensity;
            total += intensity;
        }
    }
    const double radius_m = 2.0 * std::sqrt(moment / total);
    const double rayleigh_m = std::numbers::pi * waist_m * waist_m / wavelength_m;
    const double expected_m = waist_m * std::sqrt(1.0 + std::pow(distance_m / rayleigh_m, 2));

    std::printf("power in %.6g W, out %.6g W\n", beam.power_W(), out.power_W());
    std::printf("beam radius after %.3g m: %.4g um (paraxial law %.4g um)\n", distance_m, radius_m * 1e6, expected_m * 1e6);
    const bool ok = std::abs(out.power_W() / beam.power_W() - 1.0) < 0.01 && std::abs(radius_m / expected_m - 1.0) < 0.01;
    return ok ? 0 : 1;
}
