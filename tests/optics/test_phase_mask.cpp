// Phase masks: wrapping, quantisation to etch levels, fabrication phase error and misalignment.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <random>
#include <set>
#include <vector>

#include "accel/optics/phase_mask.hpp"
#include "tolerances.hpp"

using namespace accel::optics;
using accel::test::Tolerance;
using accel::test::within;

namespace {

constexpr double pi = std::numbers::pi;

constexpr Tolerance wrap_tol{"wrap_phase_congruence", 1e-12, 0.0, "fmod is exact; adding 2π rounds by ≤ 1 ulp of 2π·|k|"};
constexpr Tolerance quantise_error_tol{"quantise_max_error", 0.0, 1e-12, "nearest-level rounding: |error| ≤ step/2 = π/8, up to rounding of the division"};

// φ reduced to (−π, π]: the circular difference of two phases.
double circular(double phi) { return std::remainder(phi, 2.0 * pi); }

std::vector<double> random_phases(std::size_t count, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 2.0 * pi);
    std::vector<double> p(count);
    for (auto& v : p) v = u(rng);
    return p;
}

}  // namespace

TEST_CASE("wrap_phase maps every phase into 0..2π and keeps it modulo 2π", "[unit][phase_mask]") {
    std::vector<double> inputs = {0.0, -0.0, 2 * pi, -2 * pi, 4 * pi, pi, -pi, 1e-300, -1e-300, -1e-20, 2 * pi - 1e-15,
                                  std::nextafter(2 * pi, 0.0), std::nextafter(-2 * pi, 0.0), 1e6, -1e6 - 0.5};
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> u(-50.0, 50.0);
    for (int i = 0; i < 1000; ++i) inputs.push_back(u(rng));
    double worst = 0.0;
    bool in_range = true;
    for (const double phi : inputs) {
        const double w = wrap_phase(phi);
        in_range = in_range && w >= 0.0 && w < 2 * pi;
        worst = std::max(worst, std::abs(circular(w - phi)) / std::max(1.0, std::abs(phi) / (2 * pi)));
    }
    CHECK(in_range);
    CHECK(within(wrap_tol, worst, 0.0));
    CHECK(wrap_phase(2 * pi) == 0.0);
    CHECK(wrap_phase(-1e-20) == 0.0);  // −1e-20 + 2π rounds to 2π, which is 0
}

TEST_CASE("PhaseMask::from_parameter wraps the parameter", "[unit][phase_mask]") {
    const Grid grid{3, 1e-6};
    const std::vector<double> parameter = {-7.0, 0.5, 13.0, 2 * pi, -pi, 100.0, 0.0, 1.0, 6.0};
    const auto mask = PhaseMask::from_parameter(grid, parameter);
    REQUIRE(mask.phase_rad.size() == 9);
    for (std::size_t i = 0; i < 9; ++i) CHECK(mask.phase_rad[i] == wrap_phase(parameter[i]));
    CHECK_THROWS_AS(PhaseMask::from_parameter(grid, std::vector<double>(8)), std::invalid_argument);
}

TEST_CASE("3-bit quantisation gives 8 levels with rounding error at most π/8", "[unit][phase_mask]") {
    auto phases = random_phases(100000, 2);
    // Include the level midpoints and values just below 2π, which must round to level 0.
    for (int k = 0; k < 8; ++k) phases.push_back((k + 0.5) * pi / 4);
    phases.push_back(std::nextafter(2 * pi, 0.0));
    phases.push_back(-0.01);
    auto quantised = phases;
    quantise_phase(quantised, 3);
    std::set<double> levels(quantised.begin(), quantised.end());
    CHECK(levels.size() == 8);
    for (const double v : levels) {
        const double k = v / (pi / 4);
        CHECK(std::abs(k - std::round(k)) < 1e-12);
        CHECK(v >= 0.0);
        CHECK(v < 2 * pi);
    }
    double worst = 0.0;
    for (std::size_t i = 0; i < phases.size(); ++i) worst = std::max(worst, std::abs(circular(quantised[i] - phases[i])));
    INFO("largest rounding error " << worst << " rad, bound π/8 = " << pi / 8);
    CHECK(within(quantise_error_tol, std::max(0.0, worst - pi / 8), pi / 8));  // excess over the bound
    CHECK(worst > 0.99 * pi / 8);  // the bound is reached, not just respected
    CHECK(quantised[quantised.size() - 2] == 0.0);
    CHECK(quantised.back() == 0.0);
    CHECK_THROWS_AS(quantise_phase(quantised, 0), std::invalid_argument);
}

// Wrapped differences of N(0, σ²) errors: for σ = 0.1 rad wrapping never bites (P(|e| > π) ~
// e^{−493}), so the sample mean is within 4σ/√N of 0 and the sample standard deviation within
// 4·σ/√(2N) of σ.
TEST_CASE("Phase error has zero mean and standard deviation sigma", "[unit][phase_mask]") {
    const std::size_t n = 200000;
    const double sigma = 0.1;
    const auto before = random_phases(n, 3);
    auto after = before;
    std::mt19937_64 rng(4);
    add_phase_error(after, sigma, rng);
    double sum = 0.0, sum2 = 0.0;
    bool in_range = true;
    for (std::size_t i = 0; i < n; ++i) {
        in_range = in_range && after[i] >= 0.0 && after[i] < 2 * pi;
        const double d = circular(after[i] - before[i]);
        sum += d;
        sum2 += d * d;
    }
    const double mean = sum / static_cast<double>(n);
    const double sd = std::sqrt(sum2 / static_cast<double>(n) - mean * mean);
    const Tolerance mean_tol{"phase_error_mean", 4.0 * sigma / std::sqrt(static_cast<double>(n)), 0.0, "4 standard errors of the mean"};
    const Tolerance sd_tol{"phase_error_std", 4.0 * sigma / std::sqrt(2.0 * static_cast<double>(n)), 0.0,
                           "4 standard errors of the sample standard deviation, σ/√(2N)"};
    CHECK(in_range);
    CHECK(within(mean_tol, std::abs(mean), 0.0));
    CHECK(within(sd_tol, std::abs(sd - sigma), 0.0));

    SECTION("the same seed gives the same errors") {
        auto again = before;
        std::mt19937_64 rng2(4);
        add_phase_error(again, sigma, rng2);
        CHECK(again == after);
    }
}

TEST_CASE("Integer misalignment shifts pixels exactly and fills with 0", "[unit][phase_mask]") {
    const Grid grid{9, 1e-6};
    std::vector<double> phase(grid.size());
    for (std::size_t i = 0; i < phase.size(); ++i) phase[i] = 0.01 * static_cast<double>(i + 1);  // all distinct, none 0
    const PlaneMisalignment m{3, -2, 0.0};
    const auto out = misalign(grid, phase, m);
    REQUIRE(out.size() == grid.size());
    for (int r = 0; r < grid.n; ++r)
        for (int c = 0; c < grid.n; ++c) {
            // +x shift moves the mask to larger columns: output (r, c) shows mask pixel (r − sy, c − sx).
            const int mr = r - m.shift_y_px, mc = c - m.shift_x_px;
            const bool covered = mr >= 0 && mr < grid.n && mc >= 0 && mc < grid.n;
            INFO("row " << r << ", col " << c);
            CHECK(out[grid.index(r, c)] == (covered ? phase[grid.index(mr, mc)] : 0.0));
        }
    CHECK_THROWS_AS(misalign(grid, std::vector<double>(5), m), std::invalid_argument);
}

TEST_CASE("Rotation by zero is the identity", "[unit][phase_mask]") {
    const Grid grid{16, 1e-6};
    const auto phase = random_phases(grid.size(), 5);
    CHECK(misalign(grid, phase, PlaneMisalignment{}) == phase);
    // A rotation too small to move any pixel centre by half a pixel takes the resampling path
    // and must still return every pixel unchanged.
    CHECK(misalign(grid, phase, PlaneMisalignment{0, 0, 1e-9}) == phase);
}

TEST_CASE("Rotation by 90 degrees maps pixels exactly for odd n", "[unit][phase_mask]") {
    // Counter-clockwise in (x, y) with x along columns and y along rows: the mask point
    // (mx, my) moves to (−my, mx), so output (r, c) shows mask pixel (n−1−c, r).
    const Grid grid{7, 1e-6};
    const auto phase = random_phases(grid.size(), 6);
    const auto out = misalign(grid, phase, PlaneMisalignment{0, 0, pi / 2});
    for (int r = 0; r < grid.n; ++r)
        for (int c = 0; c < grid.n; ++c) {
            INFO("row " << r << ", col " << c);
            CHECK(out[grid.index(r, c)] == phase[grid.index(grid.n - 1 - c, r)]);
        }
    // Four quarter turns are the identity.
    auto turned = phase;
    for (int i = 0; i < 4; ++i) turned = misalign(grid, turned, PlaneMisalignment{0, 0, pi / 2});
    CHECK(turned == phase);
}

TEST_CASE("Small rotation keeps the set of phase values", "[unit][phase_mask]") {
    // Nearest-pixel resampling copies mask pixels: every output value is an input value or the
    // 0 of an uncovered pixel, and a quantised mask stays quantised.
    const Grid grid{64, 1e-6};
    const auto phase = random_phases(grid.size(), 7);  // distinct continuous values
    const std::set<double> values(phase.begin(), phase.end());
    const auto out = misalign(grid, phase, PlaneMisalignment{1, 0, 5.0 * pi / 180.0});
    std::size_t uncovered = 0, copied = 0;
    for (const double v : out) {
        if (values.count(v)) ++copied;
        else if (v == 0.0) ++uncovered;
    }
    CHECK(copied + uncovered == out.size());
    CHECK(copied > out.size() * 9 / 10);
    CHECK(uncovered > 0);  // the corners turn out of the window

    auto quantised = phase;
    quantise_phase(quantised, 3);
    const auto out_q = misalign(grid, quantised, PlaneMisalignment{0, 0, 0.05});
    const std::set<double> levels(quantised.begin(), quantised.end());
    for (const double v : out_q) CHECK((levels.count(v) == 1 || v == 0.0));
}

TEST_CASE("apply_phase multiplies by exp(i phi)", "[unit][phase_mask]") {
    std::vector<std::complex<float>> field = {{1.0f, 0.0f}, {0.0f, 2.0f}, {-1.0f, 1.0f}};
    const std::vector<double> phase = {pi / 2, pi, 0.25};
    const auto original = field;
    apply_phase<float>(field, phase);
    for (std::size_t i = 0; i < field.size(); ++i) {
        const auto expected = std::complex<double>(original[i]) * std::polar(1.0, phase[i]);
        CHECK(std::abs(std::complex<double>(field[i]) - expected) < 1e-6 * std::abs(expected));
    }
}
