// Propagation through a homogeneous slab within a gap (a glass plate before the sensor):
// the optical path of a plane wave, a Gaussian beam against the paraxial law of a plate
// (thickness t of index n acts as t/n of vacuum, plus the phase of its optical path), power
// conservation, and the band limit of a layered gap.

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "accel/optics/field.hpp"
#include "accel/optics/propagator.hpp"
#include "optics_test_helpers.hpp"
#include "tolerances.hpp"

using namespace accel::optics;
using accel::test::l2_difference;
using accel::test::Tolerance;
using accel::test::within;

namespace {

constexpr double pi = std::numbers::pi;
constexpr double silica = 1.4602;  // fused silica at 532 nm, as in optics.plate_refractive_index

constexpr Tolerance path_phase_tol{"slab_path_phase", 1e-9, 0.0, "phases of ~10⁴ rad reduced modulo 2π in double"};
constexpr Tolerance slab_gaussian_tol{"slab_gaussian_beam", 0.0, 1e-4,
                                      "the reference is paraxial in both media: the neglected k·z·θ⁴/8 phase is ~1e-5 here"};
constexpr Tolerance slab_energy_tol{"slab_energy", 0.0, 1e-6, "|H| = 1 inside the band; only round-off remains"};
constexpr Tolerance band_limit_tol{"layered_band_limit", 0.0, 1e-9, "bisection to 1e-15 of the band"};

double wrapped(double phase) { return std::remainder(phase, 2.0 * pi); }

}  // namespace

// A plane wave of transverse frequency (fx, 0) crossing z − t of vacuum and t of glass picks up
// 2π·[(z − t)·sqrt(1/λ² − fx²) + t·sqrt(n²/λ² − fx²)]; at normal incidence the plate delays it by
// its optical path difference 2π(n − 1)t/λ, at every wavelength.
TEST_CASE("A plate in the gap adds its optical path to every plane wave", "[physics][propagator][slab]") {
    const Grid grid{64, 4e-6};
    const double z = 3e-3, t = 0.6e-3;
    for (const double lambda : {450e-9, 532e-9, 650e-9}) {
        const PropagationGeometry vacuum{grid, lambda, z};
        PropagationGeometry plate{grid, lambda, z};
        plate.slabs = {{t, silica}};
        const auto h0 = band_limited_transfer<double>(vacuum), h1 = band_limited_transfer<double>(plate);
        const int m = h1.m;
        const double width = plate.padded_width_m();
        for (const int jx : {0, 1, 3, 7}) {
            const double fx = jx / width;
            REQUIRE(fx < plate.band_limit_per_m());
            const double expected = 2.0 * pi * ((z - t) * std::sqrt(1.0 / (lambda * lambda) - fx * fx) +
                                                t * std::sqrt(silica * silica / (lambda * lambda) - fx * fx));
            const std::complex<double> h = h1.h_scaled[static_cast<std::size_t>(jx) * m] * (static_cast<double>(m) * m);
            INFO("λ = " << lambda << " m, fx = " << fx << " /m");
            CHECK(std::abs(std::abs(h) - 1.0) < 1e-12);
            CHECK(within(path_phase_tol, wrapped(std::arg(h) - expected), pi));
            if (jx == 0) {
                const std::complex<double> ratio = h1.h_scaled[0] / h0.h_scaled[0];
                CHECK(within(path_phase_tol, wrapped(std::arg(ratio) - 2.0 * pi * (silica - 1.0) * t / lambda), pi));
            }
        }
    }
}

// Paraxially a plate of thickness t and index n diffracts as t/n of vacuum: a Gaussian beam
// after z − t of vacuum and t of glass is the vacuum beam at z_eff = z − t + t/n, times
// e^{ik(n − 1/n)t}. 532 nm, w0 = 50 µm (zR = 14.8 mm), z = 1 zR with 40 % of it in glass.
TEST_CASE("A Gaussian beam through a plate is the vacuum beam at the reduced distance", "[physics][propagator][slab]") {
    const Grid grid{512, 2e-6};
    const double lambda = 532e-9, w0 = 50e-6;
    const double z = pi * w0 * w0 / lambda, t = 0.4 * z;
    const auto input = accel::test::sample_field<double>(grid, lambda, [&](double x, double y) {
        return accel::test::gaussian_beam(x, y, 0.0, w0, lambda);
    });
    PropagationCache<double> cache;
    PropagationGeometry g{grid, lambda, z};
    g.slabs = {{t, silica}};
    const Propagator<double> prop(g, cache);
    const auto out = prop.propagate(input);
    const double z_eff = z - t + t / silica;
    const std::complex<double> plate_phase = std::polar(1.0, 2.0 * pi * (silica - 1.0 / silica) * t / lambda);
    const auto expected = accel::test::sample_field<double>(grid, lambda, [&](double x, double y) {
        return accel::test::gaussian_beam(x, y, z_eff, w0, lambda) * plate_phase;
    });
    const auto d = l2_difference(out.samples, expected.samples);
    CHECK(within(slab_gaussian_tol, d.error, d.reference));
    // And it is not the vacuum beam at z: the plate matters.
    const auto in_vacuum = accel::test::sample_field<double>(grid, lambda, [&](double x, double y) {
        return accel::test::gaussian_beam(x, y, z, w0, lambda) * plate_phase;
    });
    const auto v = l2_difference(out.samples, in_vacuum.samples);
    CHECK(v.error > 100.0 * d.error);
    // Power is conserved.
    CHECK(within(slab_energy_tol, std::abs(out.power_W() - input.power_W()), input.power_W()));
}

// The band limit of a layered gap: the kernel's walk-off Σ t_i·f/sqrt(n_i²/λ² − f²) reaches
// L/2 at f_lim; a "slab" of index 1 is vacuum, so the gap then has the closed form of one layer.
TEST_CASE("The band limit of a gap with a plate keeps the kernel's walk-off within the window", "[unit][propagator][slab]") {
    const Grid grid{200, 3e-6};
    const double lambda = 532e-9, z = 3e-3, t = 0.6e-3;
    PropagationGeometry plate{grid, lambda, z, 250};
    plate.slabs = {{t, silica}};
    const double f = plate.band_limit_per_m();
    const auto walk = [&](double thickness, double n) { return thickness * f / std::sqrt(n * n / (lambda * lambda) - f * f); };
    CHECK(within(band_limit_tol, walk(z - t, 1.0) + walk(t, silica) - 0.5 * plate.padded_width_m(), plate.padded_width_m()));
    const PropagationGeometry vacuum{grid, lambda, z, 250};
    CHECK(f > vacuum.band_limit_per_m());  // glass bends light less: a wider band fits
    PropagationGeometry index_one{grid, lambda, z, 250};
    index_one.slabs = {{t, 1.0}};
    CHECK(within(band_limit_tol, index_one.band_limit_per_m() - vacuum.band_limit_per_m(), vacuum.band_limit_per_m()));
    // Bad slabs are refused.
    PropagationGeometry thick{grid, lambda, z};
    thick.slabs = {{2.0 * z, silica}};
    CHECK_THROWS_AS(validate(thick), std::invalid_argument);
    PropagationGeometry below_one{grid, lambda, z};
    below_one.slabs = {{t, 0.5}};
    CHECK_THROWS_AS(validate(below_one), std::invalid_argument);
}
