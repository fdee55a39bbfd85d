// Sampling checks fire on configurations that alias or lose light and stay silent otherwise;
// their messages carry the criterion and the offending numbers.

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "accel/optics/detector.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/optics/sampling.hpp"
#include "optics_test_helpers.hpp"
#include "tolerances.hpp"

using namespace accel::optics;
using Catch::Matchers::Contains;

namespace {

constexpr double green_m = 532e-9;

// The checks print numbers with 4 significant digits (sampling.cpp); the same here, so the
// tests can look for the values they expect.
std::string fmt4(double v) {
    std::ostringstream s;
    s.precision(4);
    s << v;
    return s.str();
}

const SamplingFinding* find(const std::vector<SamplingFinding>& findings, const std::string& check) {
    for (const auto& f : findings)
        if (f.check == check) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("Transfer-function aliasing is reported without the band limit", "[physics][sampling]") {
    // 256 px at 1 µm (L = 512 µm padded), z = 0.1 m: f_lim = 1/(λ·sqrt((2z/L)² + 1)) = 4.8e3 /m,
    // far below the grid's band min(1/(2·dx), 1/λ) = 5e5 /m.
    PropagationGeometry g{Grid{256, 1e-6}, green_m, 0.1};
    g.band_limit = false;
    const auto findings = check_transfer_function(g);
    REQUIRE(findings.size() == 1);
    const auto& f = findings.front();
    CHECK(f.check == "transfer_function_aliasing");
    CHECK(f.severity == Severity::error);
    CHECK(has_error(findings));
    CHECK_THAT(f.message, Contains("criterion f_lim ≥ band"));
    CHECK_THAT(f.message, Contains("f_lim = " + fmt4(g.band_limit_per_m()) + " /m"));
    CHECK_THAT(f.message, Contains("band " + fmt4(5e5) + " /m"));
    CHECK_THAT(f.message, Contains("z = " + fmt4(0.1) + " m"));
    CHECK_THAT(f.message, Contains("L = " + fmt4(g.padded_width_m()) + " m"));

    SECTION("the band limit makes the same geometry alias-free") {
        g.band_limit = true;
        CHECK(check_transfer_function(g).empty());
    }
    SECTION("a short distance is alias-free without the band limit") {
        // 256 px at 2 µm, L = 1024 µm, z = 1 mm: f_lim = 8.6e5 /m ≥ band 2.5e5 /m.
        PropagationGeometry near{Grid{256, 2e-6}, green_m, 1e-3};
        near.band_limit = false;
        REQUIRE(near.band_limit_per_m() >= Grid{256, 2e-6}.nyquist_per_m());
        CHECK(check_transfer_function(near).empty());
    }
}

TEST_CASE("Window-spread check fires for broad spectra at long distance", "[physics][sampling]") {
    const Grid grid{128, 2e-6};
    SECTION("a one-pixel point source over 50 mm") {
        // White spectrum up to 2.5e5 /m; the padded window (512 µm) carries only |f| ≤ f_lim = 9.6e3 /m.
        const PropagationGeometry g{grid, green_m, 50e-3};
        Field<double> point(grid, green_m);
        point(64, 64) = 1.0;
        const auto findings = check_window_spread(g, point);
        REQUIRE(findings.size() == 1);
        const auto& f = findings.front();
        CHECK(f.check == "window_spread");
        CHECK(f.severity == Severity::error);
        CHECK_THAT(f.message, Contains(" % of the input power lies beyond"));
        CHECK_THAT(f.message, Contains("(criterion ≤ "));
        CHECK_THAT(f.message, Contains("beyond f = " + fmt4(g.band_limit_per_m()) + " /m"));
        CHECK_THAT(f.message, Contains("z = " + fmt4(50e-3) + " m"));
        CHECK_THAT(f.message, Contains("pad to ≥"));
    }
    SECTION("a random phase with little padding") {
        PropagationGeometry g{grid, green_m, 5e-3, 8};
        Field<float> speckle(grid, green_m);
        const auto noise = accel::test::random_complex<float>(grid.size(), 3);
        for (std::size_t i = 0; i < grid.size(); ++i) speckle.samples[i] = noise[i] / std::abs(noise[i]);
        const auto findings = check_window_spread(g, speckle);
        REQUIRE(find(findings, "window_spread") != nullptr);
        CHECK(has_error(findings));
    }
    SECTION("silent for a smooth Gaussian") {
        // w0 = 50 µm on 256 px at 2 µm over 10 mm: the spectrum at f_lim = 9.6e4 /m is e^{−455} in power.
        const Grid wide{256, 2e-6};
        const PropagationGeometry g{wide, green_m, 10e-3};
        const auto beam = accel::test::sample_field<double>(
            wide, green_m, [](double x, double y) { return accel::test::gaussian_beam(x, y, 0.0, 50e-6, green_m); });
        CHECK(check_window_spread(g, beam).empty());  // neither error nor warning
    }
}

TEST_CASE("Detector check fires for a photodiode array larger than the window", "[physics][sampling]") {
    // ACCEL's 32×32 array at 35 µm pitch, fill factor 0.0914: active squares 10.6 µm wide whose
    // outer edges reach ±548 µm.
    const PhotodiodeArray array;
    const auto areas = photodiode_areas(array);
    SECTION("on a 1024 µm window") {
        // Half-width 512 µm: columns and rows 0, 1, 30, 31 reach beyond it (|centre| + 5.3 µm ≥
        // 512.8 µm), so 1024 − 28² = 240 areas stick out, the first being pd_0_0.
        const Grid grid{512, 2e-6};
        const auto findings = check_detectors(grid, areas);
        REQUIRE(findings.size() == 1);
        const auto& f = findings.front();
        CHECK(f.check == "detector_outside_window");
        CHECK(f.severity == Severity::error);
        CHECK_THAT(f.message, Contains("240 detector area(s)"));
        CHECK_THAT(f.message, Contains("'pd_0_0'"));
        CHECK_THAT(f.message, Contains("criterion: inside ±" + fmt4(512e-6) + " m"));
    }
    SECTION("silent on a 1200 µm window") {
        CHECK(check_detectors(Grid{600, 2e-6}, areas).empty());
    }
    SECTION("an array moved off-centre is caught") {
        PhotodiodeArray shifted = array;
        shifted.centre_x_m = 60e-6;
        CHECK(has_error(check_detectors(Grid{600, 2e-6}, photodiode_areas(shifted))));
    }
}

// ------------------------------------------------------------------------- wrap-around

namespace {

// A Gaussian of waist 30 µm at its waist, centred at x = +0.42 mm (column 465.5, 3 waists
// from the right edge) on 512 px at 2 µm, tilted towards +x with spatial frequency f0 (below
// the grid's 2.5e5 /m): over z = 5.69 mm it walks z·λf0/sqrt(1 − (λf0)²) to the right while
// spreading to w(z) = 44 µm.
constexpr int wrap_n = 512;
constexpr double wrap_dx = 2e-6, wrap_z = 5.69e-3, wrap_w0 = 30e-6, wrap_x0 = 0.42e-3;

Field<double> tilted_beam(double f0_per_m, double x0_m = wrap_x0) {
    return accel::test::sample_field<double>(Grid{wrap_n, wrap_dx}, green_m, [&](double x, double y) {
        return accel::test::gaussian_beam(x - x0_m, y, 0.0, wrap_w0, green_m) *
               std::polar(1.0, 2.0 * std::numbers::pi * f0_per_m * x);
    });
}

// The wrapped fraction as the propagator produces it: with a padding of n/2 nothing can wrap
// (the band limit caps the walk-off at L/2 = n px), so the difference between the output with
// `pad_px` and that one is the light that came back in, provided the field's spectrum lies
// inside both band limits and the grid's band (it does here, by > 4 spectral widths).
double measured_wrapped_fraction(const Field<double>& input, int pad_px) {
    PropagationCache<double> cache;
    const auto wrapped = Propagator<double>({input.grid, green_m, wrap_z, pad_px}, cache).propagate(input);
    const auto clean = Propagator<double>({input.grid, green_m, wrap_z, wrap_n / 2}, cache).propagate(input);
    const auto d = accel::test::l2_difference(wrapped.samples, clean.samples);
    const double in = accel::test::l2_norm(std::span<const std::complex<double>>(input.samples));
    return (d.error * d.error) / (in * in);
}

// The estimate treats the field's phase-space density as the product of its position and
// angle marginals, exact for a Gaussian at its waist; what remains is the linear split of
// walk-offs between whole pixels and the non-paraxial spread of the walk-off over the beam's
// angular width.
const accel::test::Tolerance wrap_estimate_tol{"wrapped_fraction", 0.01, 0.0,
                                               "separable phase space exact at a waist; pixel split, non-paraxial spread (measured 1e-4)"};

}  // namespace

TEST_CASE("Wrap-around check estimates the light a tilted beam sends round the padded window", "[physics][sampling]") {
    SECTION("pad 128 on a 512 grid: part of the beam re-enters from the left") {
        // f0 = 2e5 /m: the walk-off, 304.5 px, takes the beam centre 2.5 px (a quarter of the
        // landing beam's σ = w(z)/2) past the wrap boundary at m − 0.5 − c = 767.5 − 465.5 px.
        const auto beam = tilted_beam(2e5);
        const PropagationGeometry g{beam.grid, green_m, wrap_z, 128};
        const double measured = measured_wrapped_fraction(beam, 128);
        const auto estimate = estimate_wrap_around(g, beam);
        INFO("measured " << measured << ", estimated " << estimate.wrapped_fraction);
        REQUIRE(measured > 0.5);  // 0.587
        REQUIRE(measured < 0.7);
        CHECK(within(wrap_estimate_tol, std::abs(estimate.wrapped_fraction - measured), measured));

        const auto findings = check_wrap_around(g, beam);
        REQUIRE(findings.size() == 1);
        const auto& f = findings.front();
        CHECK(f.check == "wrap_around");
        CHECK(f.severity == Severity::warning);
        CHECK_FALSE(has_error(findings));
        CHECK_THAT(f.message, Contains("an estimated " + fmt4(100.0 * estimate.wrapped_fraction) + " % of the input power"));
        CHECK_THAT(f.message, Contains("pad to ≥ " + std::to_string(estimate.padding_px_needed) + " px per side"));
        CHECK_THAT(f.message, Contains("periodic field"));

        // The padding it names does suffice, and is not far more than needed.
        REQUIRE(estimate.padding_px_needed > 128);
        REQUIRE(estimate.padding_px_needed <= wrap_n / 2);
        CHECK(measured_wrapped_fraction(beam, estimate.padding_px_needed) < 1e-3);
        CHECK(measured_wrapped_fraction(beam, estimate.padding_px_needed - 16) > 1e-4);
    }
    SECTION("pad 0: the beam that walks out of the right edge comes back whole") {
        // f0 = 1e5 /m (f_lim = 1.7e5 /m): walk-off 152 px, the centre lands 106 px (5 beam
        // radii) past the edge.
        const auto beam = tilted_beam(1e5);
        const PropagationGeometry g{beam.grid, green_m, wrap_z, 0};
        const double measured = measured_wrapped_fraction(beam, 0);
        const auto estimate = estimate_wrap_around(g, beam);
        INFO("measured " << measured << ", estimated " << estimate.wrapped_fraction);
        REQUIRE(measured > 0.999);
        CHECK(within(wrap_estimate_tol, std::abs(estimate.wrapped_fraction - measured), measured));
        const auto findings = check_wrap_around(g, beam);
        REQUIRE(findings.size() == 1);
        CHECK(findings.front().severity == Severity::warning);
    }
    SECTION("silent with the default padding n/2, where the same beam leaves into the padding") {
        const auto beam = tilted_beam(2e5);
        const PropagationGeometry g{beam.grid, green_m, wrap_z};  // pad n/2
        CHECK(estimate_wrap_around(g, beam).wrapped_fraction < 1e-12);  // rounding only
        CHECK(check_wrap_around(g, beam).empty());
    }
    SECTION("silent for a beam that stays inside, even with pad 128") {
        // Centred, f0 = 2e4 /m: walk-off 30 px, the beam keeps > 180 px from either edge.
        const auto beam = tilted_beam(2e4, 0.0);
        CHECK(check_wrap_around(PropagationGeometry{beam.grid, green_m, wrap_z}, beam).empty());
        CHECK(check_wrap_around(PropagationGeometry{beam.grid, green_m, wrap_z, 128}, beam).empty());
    }
}

TEST_CASE("Wrap-around check without a field: silent for the presets' geometries, fires without padding", "[physics][sampling]") {
    // The geometries of configs/*.toml (mask grid, distances, padding n/2).
    struct PresetGeometry {
        const char* name;
        Grid grid;
        double distance_m;
        int pad_px;
    };
    for (const PresetGeometry& p : {PresetGeometry{"accel-2023", Grid{400, 9.2e-6}, 0.140, 200},
                                    PresetGeometry{"accel-2023", Grid{400, 9.2e-6}, 0.145, 200},
                                    PresetGeometry{"d2nn-5layer", Grid{200, 36e-6}, 0.300, 100},
                                    PresetGeometry{"synthetic-quick", Grid{64, 8e-6}, 0.020, 32}}) {
        INFO(p.name << ", z = " << p.distance_m << " m");
        CHECK(check_wrap_around(PropagationGeometry{p.grid, green_m, p.distance_m, p.pad_px}).empty());
        const PropagationGeometry unpadded{p.grid, green_m, p.distance_m, 0};
        const auto estimate = estimate_wrap_around(unpadded);
        // A random-phase mask fills the band up to f_lim; without padding all of it that
        // heads out of the window comes back in (7.6–9.9 % here).
        CHECK(estimate.wrapped_fraction > 0.05);
        CHECK(estimate.padding_px_needed > 0);
        CHECK(estimate.padding_px_needed <= p.pad_px);
        const auto findings = check_wrap_around(unpadded);
        REQUIRE(findings.size() == 1);
        CHECK(findings.front().check == "wrap_around");
        CHECK(findings.front().severity == Severity::warning);
        CHECK_THAT(findings.front().message, Contains("random phases"));
    }
}
