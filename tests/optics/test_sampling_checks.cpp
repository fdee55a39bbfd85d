// Sampling checks fire on configurations that alias or lose light and stay silent otherwise;
// their messages carry the criterion and the offending numbers.

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <sstream>
#include <string>
#include <vector>

#include "optics/detector.hpp"
#include "optics/sampling.hpp"
#include "optics_test_helpers.hpp"

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
