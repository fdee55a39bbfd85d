// Detector-plane integration: exact fractional pixel overlap, photodiode arrays and the 3-4-3
// class regions.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "accel/optics/detector.hpp"
#include "tolerances.hpp"

using namespace accel::optics;
using accel::test::PrecisionTolerance;
using accel::test::Tolerance;
using accel::test::within;

namespace {

constexpr Tolerance overlap_sum_tol{"detector_overlap_sum", 0.0, 1e-12,
                                    "overlaps are products of interval lengths that telescope; only rounding of edges"};
constexpr PrecisionTolerance uniform_power_tol{
    {"detector_uniform_power_float", 0.0, 1e-6, "|u|² of a float amplitude carries ~1e-7 relative rounding"},
    {"detector_uniform_power_double", 0.0, 1e-12, "exact overlap areas; only double rounding"}};

double interval_overlap(double a0, double a1, double b0, double b1) { return std::max(0.0, std::min(a1, b1) - std::max(a0, b0)); }

double area_of(const DetectorArea& a) { return (a.x_max_m - a.x_min_m) * (a.y_max_m - a.y_min_m); }

// The part of an area inside the grid window.
double area_inside(const Grid& g, const DetectorArea& a) {
    const double h = 0.5 * g.width_m();
    return interval_overlap(a.x_min_m, a.x_max_m, -h, h) * interval_overlap(a.y_min_m, a.y_max_m, -h, h);
}

// Overlap of an area with every pixel of the grid, by brute force over all pixels.
std::vector<double> brute_force_overlaps(const Grid& g, const DetectorArea& a) {
    std::vector<double> w(g.size());
    for (int r = 0; r < g.n; ++r)
        for (int c = 0; c < g.n; ++c) {
            const double x = g.x_m(c), y = g.y_m(r), h = 0.5 * g.pitch_m;
            w[g.index(r, c)] = interval_overlap(a.x_min_m, a.x_max_m, x - h, x + h) * interval_overlap(a.y_min_m, a.y_max_m, y - h, y + h);
        }
    return w;
}

}  // namespace

// ACCEL's photodiode array (32×32, 35 µm pitch, fill factor 0.0914: active squares of
// 10.58 µm) on 1.2 µm pixels, shifted by a fraction of a pixel so that no edge meets a pixel
// boundary: a uniform intensity I must give exactly I × active area on every photodiode.
TEMPLATE_TEST_CASE("Uniform intensity gives intensity times active area on every photodiode", "[unit][detector]", float, double) {
    using Real = TestType;
    const Grid grid{960, 1.2e-6};
    PhotodiodeArray array;
    array.centre_x_m = 0.37e-6;
    array.centre_y_m = -0.83e-6;
    const DetectorIntegrator integrator(grid, photodiode_areas(array));
    REQUIRE(integrator.count() == 32 * 32);
    const double intensity = 2.5;  // W/m²
    const std::vector<std::complex<Real>> field(grid.size(), std::complex<Real>(static_cast<Real>(std::sqrt(intensity))));
    std::vector<double> power(static_cast<std::size_t>(integrator.count()));
    integrator.integrate(field.data(), power.data());
    const double active_area = array.active_side_m() * array.active_side_m();
    double worst = 0.0;
    for (const double p : power) worst = std::max(worst, std::abs(p - intensity * active_area));
    CHECK(within(uniform_power_tol.get<Real>(), worst, intensity * active_area));
}

TEST_CASE("Pixel overlaps are exact and sum to the detector area", "[unit][detector]") {
    const Grid grid{960, 1.2e-6};
    PhotodiodeArray array;
    array.centre_x_m = 0.37e-6;
    array.centre_y_m = -0.83e-6;
    const auto areas = photodiode_areas(array);
    const DetectorIntegrator integrator(grid, areas);
    const auto& w = integrator.overlap_m2();
    const double pixel_area = grid.pitch_m * grid.pitch_m;
    double worst_sum = 0.0;
    bool overlaps_in_range = true;
    for (Eigen::Index k = 0; k < w.outerSize(); ++k) {
        double sum = 0.0;
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(w, k); it; ++it) {
            sum += it.value();
            overlaps_in_range = overlaps_in_range && it.value() > 0.0 && it.value() <= pixel_area * (1 + 1e-12);
        }
        worst_sum = std::max(worst_sum, std::abs(sum - area_of(areas[static_cast<std::size_t>(k)])));
    }
    CHECK(overlaps_in_range);
    CHECK(within(overlap_sum_tol, worst_sum, area_of(areas.front())));
    // 10.58 µm = 8.8 pixels per side touches 9 or 10 pixels per side.
    for (Eigen::Index k = 0; k < w.outerSize(); ++k) {
        const auto touched = w.row(k).nonZeros();
        CHECK((touched == 81 || touched == 90 || touched == 100));
    }
}

TEST_CASE("Overlap matrix matches brute force for arbitrary areas", "[unit][detector]") {
    // Odd n so that a pixel centre sits on the axis; areas inside one pixel, on pixel
    // boundaries, straddling the window edge and entirely outside it.
    const Grid grid{41, 1e-6};
    const double h = 0.5 * grid.width_m();
    std::vector<DetectorArea> areas = {
        {"inside_one_pixel", 0.1e-6, 0.4e-6, -0.3e-6, 0.2e-6},
        {"pixel_aligned", -2.5e-6, 0.5e-6, 1.5e-6, 3.5e-6},
        {"straddles_edge", h - 2.3e-6, h + 4e-6, -h - 1e-6, -h + 3.7e-6},
        {"outside", h + 1e-6, h + 5e-6, 0.0, 2e-6},
    };
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> pos(-h - 3e-6, h + 3e-6), size(0.05e-6, 9e-6);
    for (int i = 0; i < 40; ++i) {
        const double x = pos(rng), y = pos(rng), sx = size(rng), sy = size(rng);
        areas.push_back({"random_" + std::to_string(i), x, x + sx, y, y + sy});
    }
    const DetectorIntegrator integrator(grid, areas);
    const auto& w = integrator.overlap_m2();
    double worst = 0.0, worst_sum = 0.0;
    for (std::size_t k = 0; k < areas.size(); ++k) {
        const auto expected = brute_force_overlaps(grid, areas[k]);
        std::vector<double> got(grid.size(), 0.0);
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(w, static_cast<Eigen::Index>(k)); it; ++it)
            got[static_cast<std::size_t>(it.col())] = it.value();
        double sum = 0.0;
        for (std::size_t p = 0; p < grid.size(); ++p) {
            worst = std::max(worst, std::abs(got[p] - expected[p]));
            sum += got[p];
        }
        worst_sum = std::max(worst_sum, std::abs(sum - area_inside(grid, areas[k])));
    }
    const double pixel_area = grid.pitch_m * grid.pitch_m;
    CHECK(within(overlap_sum_tol, worst, pixel_area));
    CHECK(within(overlap_sum_tol, worst_sum, pixel_area));
    // The area inside one pixel touches only the axis pixel, with its full area.
    CHECK(w.row(0).nonZeros() == 1);
    CHECK(w.coeff(0, static_cast<Eigen::Index>(grid.index(20, 20))) == Approx(0.3e-6 * 0.5e-6).epsilon(1e-12));
    // The pixel-aligned area covers 3 × 2 whole pixels (edge rounding may add slivers of ~1e-22 m²).
    int whole = 0;
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(w, 1); it; ++it)
        if (it.value() > 1e-9 * pixel_area) {
            ++whole;
            CHECK(it.value() == Approx(pixel_area).epsilon(1e-12));
        }
    CHECK(whole == 3 * 2);
    CHECK(w.row(3).nonZeros() == 0);

    // power = Σ overlap·|u|² for a non-uniform field.
    std::vector<std::complex<double>> field(grid.size());
    for (int r = 0; r < grid.n; ++r)
        for (int c = 0; c < grid.n; ++c) field[grid.index(r, c)] = std::polar(1.0 + 0.1 * c + 0.01 * r * r, 0.3 * r);
    std::vector<double> power(areas.size());
    integrator.integrate(field.data(), power.data());
    double worst_power = 0.0, scale = 0.0;
    for (std::size_t k = 0; k < areas.size(); ++k) {
        const auto wk = brute_force_overlaps(grid, areas[k]);
        double expected = 0.0;
        for (std::size_t p = 0; p < grid.size(); ++p) expected += wk[p] * std::norm(field[p]);
        worst_power = std::max(worst_power, std::abs(power[k] - expected));
        scale = std::max(scale, expected);
    }
    CHECK(within(overlap_sum_tol, worst_power, scale));
}

TEST_CASE("Class regions 3-4-3 are ten disjoint squares inside the span", "[unit][detector]") {
    const double span = 1e-3;
    for (const double side : {span / 10, span / 6, span / 5}) {
        const auto areas = class_regions_3_4_3(span, side);
        INFO("side = span / " << span / side);
        REQUIRE(areas.size() == 10);
        std::set<std::string> names;
        std::set<long> row_centres;
        for (std::size_t i = 0; i < areas.size(); ++i) {
            const auto& a = areas[i];
            names.insert(a.name);
            row_centres.insert(std::lround(0.5 * (a.y_min_m + a.y_max_m) * 1e9));
            CHECK(a.x_max_m - a.x_min_m == Approx(side).epsilon(1e-12));
            CHECK(a.y_max_m - a.y_min_m == Approx(side).epsilon(1e-12));
            CHECK(a.x_min_m >= -0.5 * span);
            CHECK(a.x_max_m <= 0.5 * span);
            CHECK(a.y_min_m >= -0.5 * span);
            CHECK(a.y_max_m <= 0.5 * span);
            for (std::size_t j = i + 1; j < areas.size(); ++j) {
                const auto& b = areas[j];
                const double common = interval_overlap(a.x_min_m, a.x_max_m, b.x_min_m, b.x_max_m) *
                                      interval_overlap(a.y_min_m, a.y_max_m, b.y_min_m, b.y_max_m);
                INFO(a.name << " and " << b.name);
                CHECK(common <= 1e-12 * side * side);
            }
        }
        CHECK(names.size() == 10);
        CHECK(row_centres.size() == 3);
    }
}

// Four regions of the middle row sit span/5 apart, so a side above span/5 would make them overlap.
TEST_CASE("Class regions reject sizes that cannot fit the layout", "[unit][detector]") {
    const double span = 1e-3;
    CHECK_THROWS_AS(class_regions_3_4_3(span, span / 4.5), std::invalid_argument);
    CHECK_THROWS_AS(class_regions_3_4_3(span, span / 4), std::invalid_argument);
    CHECK_THROWS_AS(class_regions_3_4_3(span, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(class_regions_3_4_3(0.0, 1e-6), std::invalid_argument);
}

TEST_CASE("Photodiode arrays and detector areas are validated", "[unit][detector]") {
    PhotodiodeArray a;
    a.fill_factor = 0.0;
    CHECK_THROWS_AS(photodiode_areas(a), std::invalid_argument);
    a.fill_factor = 1.5;
    CHECK_THROWS_AS(photodiode_areas(a), std::invalid_argument);
    a = PhotodiodeArray{};
    a.rows = 0;
    CHECK_THROWS_AS(photodiode_areas(a), std::invalid_argument);
    a = PhotodiodeArray{};
    a.pitch_m = -1e-6;
    CHECK_THROWS_AS(photodiode_areas(a), std::invalid_argument);
    CHECK_THROWS_AS(DetectorIntegrator(Grid{16, 1e-6}, {{"empty", 1e-6, 1e-6, 0.0, 1e-6}}), std::invalid_argument);
}

// The backward pass of the integration is its gradient: for L = Σ_k c_k·P_k(u), δL must equal
// Re Σ_p conj(g_p)·δu_p with g = 2·∂L/∂u*. L is a quadratic form in u, so central differences
// are exact but for rounding, whatever the step.
TEST_CASE("The intensity backward pass is the gradient of the detector powers", "[unit][detector][gradient]") {
    const Grid grid{24, 2e-6};
    PhotodiodeArray array{3, 3, 12e-6, 0.5, 0.7e-6, -0.4e-6};  // active squares cut pixels at fractions
    const DetectorIntegrator integrator(grid, photodiode_areas(array));
    std::mt19937_64 rng(23);
    std::normal_distribution<double> normal;
    std::vector<std::complex<double>> field(grid.size()), direction(grid.size());
    for (auto& u : field) u = {normal(rng), normal(rng)};
    for (auto& d : direction) d = {normal(rng), normal(rng)};
    std::vector<double> weight(static_cast<std::size_t>(integrator.count()));
    for (double& c : weight) c = normal(rng);

    std::vector<double> dloss_dintensity(grid.size());
    std::vector<std::complex<double>> gradient(grid.size());
    integrator.intensity_backward<double>(field, weight, dloss_dintensity, gradient);

    // ∂L/∂I_p = Σ_k overlap(k,p)·c_k.
    const auto& w = integrator.overlap_m2();
    std::vector<double> expected(grid.size(), 0.0);
    for (Eigen::Index k = 0; k < w.outerSize(); ++k)
        for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(w, k); it; ++it)
            expected[static_cast<std::size_t>(it.col())] += it.value() * weight[static_cast<std::size_t>(k)];
    double worst = 0.0, scale = 0.0;
    for (std::size_t p = 0; p < grid.size(); ++p) {
        worst = std::max(worst, std::abs(dloss_dintensity[p] - expected[p]));
        scale = std::max(scale, std::abs(expected[p]));
    }
    CHECK(within(Tolerance{"intensity_gradient", 0.0, 1e-14, "the same sums in the same order"}, worst, scale));

    const auto loss = [&](double step) {
        std::vector<std::complex<double>> u(field);
        for (std::size_t p = 0; p < u.size(); ++p) u[p] += step * direction[p];
        std::vector<double> power(weight.size());
        integrator.integrate(u.data(), power.data());
        double l = 0.0;
        for (std::size_t k = 0; k < power.size(); ++k) l += weight[k] * power[k];
        return l;
    };
    const double h = 1e-3;
    const double finite_difference = (loss(h) - loss(-h)) / (2.0 * h);
    double analytic = 0.0, magnitude = 0.0;  // magnitude: Σ|terms|, the scale rounding refers to
    for (std::size_t p = 0; p < grid.size(); ++p) {
        const double term = (std::conj(gradient[p]) * direction[p]).real();
        analytic += term;
        magnitude += std::abs(term);
    }
    CHECK(within(Tolerance{"intensity_backward_fd", 0.0, 1e-9, "central differences of a quadratic form: rounding only"},
                 finite_difference - analytic, magnitude));
}
