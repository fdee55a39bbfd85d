// Band-limited angular-spectrum propagation against direct Rayleigh–Sommerfeld integration.
//
// Rayleigh–Sommerfeld, first kind (Goodman, "Introduction to Fourier Optics", 3rd ed., eq. 3-74;
// e^{−iωt} convention, matching H = exp(+i2πz·sqrt(1/λ² − f²))):
//   U(x, y, z) = (1/2π) ∬ U0(ξ, η) · (z/r) · (1/r − ik) · e^{ikr}/r  dξ dη,
//   r = sqrt((x−ξ)² + (y−η)² + z²).
// It is the exact solution for a field given on the plane z = 0, evanescent waves included; the
// angular-spectrum method is its Fourier-domain form, so the two must agree to quadrature
// accuracy when (i) the input decays to ~0 at the window edge, (ii) its spectrum lies inside the
// band the propagator keeps, and (iii) the quadrature is exact, which for a smooth, compactly
// supported integrand on a uniform grid (midpoint rule) holds to spectral accuracy when the
// integrand U0·kernel has no content at |f| ≥ 1/dx.

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

#include "accel/optics/propagator.hpp"
#include "optics_test_helpers.hpp"
#include "tolerances.hpp"

using namespace accel::optics;
using accel::test::Tolerance;
using accel::test::within;

namespace {

constexpr double pi = std::numbers::pi;

constexpr Tolerance rayleigh_sommerfeld_tol{
    "rayleigh_sommerfeld", 0.0, 1e-3,
    "both are exact for an in-band, edge-free field; the residual is quadrature and truncation (~1e-7)"};

// Direct RS-I sum over the grid's samples (midpoint rule) for every output pixel, in double.
// The kernel depends only on the pixel offset, so it is tabulated once on (2n−1)² offsets.
std::vector<std::complex<double>> rayleigh_sommerfeld(const Field<double>& in, double z) {
    const int n = in.grid.n;
    const double dx = in.grid.pitch_m;
    const double k = 2.0 * pi / in.wavelength_m;
    const int span = 2 * n - 1;
    std::vector<std::complex<double>> kernel(static_cast<std::size_t>(span) * static_cast<std::size_t>(span));
    for (int di = -(n - 1); di < n; ++di) {
        for (int dj = -(n - 1); dj < n; ++dj) {
            const double rho2 = dx * dx * (static_cast<double>(di) * di + static_cast<double>(dj) * dj);
            const double r = std::sqrt(rho2 + z * z);
            const std::complex<double> kernel_value = (z / r) * std::complex<double>(1.0 / r, -k) * std::polar(1.0 / r, k * r);
            kernel[static_cast<std::size_t>(di + n - 1) * static_cast<std::size_t>(span) + static_cast<std::size_t>(dj + n - 1)] =
                kernel_value * (dx * dx / (2.0 * pi));
        }
    }
    std::vector<std::complex<double>> out(in.grid.size());
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            std::complex<double> sum = 0.0;
            for (int p = 0; p < n; ++p) {
                const std::complex<double>* krow =
                    kernel.data() + static_cast<std::size_t>(i - p + n - 1) * static_cast<std::size_t>(span) + (j + n - 1);
                const std::complex<double>* urow = in.samples.data() + in.grid.index(p, 0);
                for (int q = 0; q < n; ++q) sum += urow[q] * krow[-q];
            }
            out[in.grid.index(i, j)] = sum;
        }
    }
    return out;
}

// A Gaussian-apodised aperture (w = 8 px, off-centre, amplitude-modulated) with a tilt, a
// quadratic phase and a seeded random smooth phase: all its spectral content lies within
// ~4e5 /m of the origin, far inside both the grid's Nyquist frequency (1.25e6 /m at 0.4 µm)
// and the band limit, and the amplitude at the window edge is ≲ 1e-5.
Field<double> structured_field(const Grid& grid, double wavelength_m, std::uint64_t seed) {
    const double w = 8.0 * grid.pitch_m;
    const double x0 = 0.7 * grid.pitch_m, y0 = -0.4 * grid.pitch_m;
    const double tilt_x = 2e5, tilt_y = -1e5;  // cycles per metre: sin θ = 0.11, 0.05
    const double curvature_radius = 150e-6;
    struct Ripple {
        double amplitude, fx, fy, phase;
    };
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    std::vector<Ripple> ripples(4);
    for (auto& rp : ripples) {
        const double a = 0.5 * std::abs(uniform(rng));
        const double fx = 5e4 * uniform(rng);
        const double fy = 5e4 * uniform(rng);
        rp = {a, fx, fy, pi * uniform(rng)};
    }
    return accel::test::sample_field<double>(grid, wavelength_m, [&](double x, double y) {
        const double u = x - x0, v = y - y0;
        const double amplitude = std::exp(-(u * u + v * v) / (w * w)) * (1.0 + 0.3 * std::cos(2.0 * pi * u / (6.0 * w)));
        double phase = 2.0 * pi * (tilt_x * x + tilt_y * y) + pi * (x * x + y * y) / (wavelength_m * curvature_radius);
        for (const auto& rp : ripples) phase += rp.amplitude * std::cos(2.0 * pi * (rp.fx * x + rp.fy * y) + rp.phase);
        return std::polar(amplitude, phase);
    });
}

}  // namespace

// 532 nm at 0.4 µm pitch. z = 20 and 30 µm keep the kernel smooth on the pixel scale (r ≥ z =
// 50 px) and its local frequency sin θ/λ ≤ 1.6e6 /m below 1/dx = 2.5e6 /m over every
// source–output pair that carries light; one case uses an odd grid and a non-default padding.
TEST_CASE("Angular spectrum agrees with direct Rayleigh-Sommerfeld integration", "[physics][propagator]") {
    const double lambda = 532e-9;
    struct Case {
        int n;
        double z;
        int pad_px;
    };
    for (const Case cs : {Case{64, 20e-6, -1}, Case{57, 30e-6, 40}}) {
        const Grid grid{cs.n, 0.4e-6};
        const auto input = structured_field(grid, lambda, 2024);
        PropagationCache<double> cache;
        const Propagator<double> prop({grid, lambda, cs.z, cs.pad_px}, cache);
        const auto asm_out = prop.propagate(input);
        const auto rs_out = rayleigh_sommerfeld(input, cs.z);
        const auto d = accel::test::l2_difference(asm_out.samples, rs_out);
        INFO("n = " << cs.n << ", z = " << cs.z << " m, padded to " << prop.geometry().padded_n() << " px, f_lim = "
                    << prop.geometry().band_limit_per_m() << " /m");
        CHECK(within(rayleigh_sommerfeld_tol, d.error, d.reference));
    }
}
