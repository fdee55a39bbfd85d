// Propagator mechanics: precision, threading, in-place use, caching and input validation.

#include <catch2/catch.hpp>

#include <omp.h>

#include <complex>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "accel/optics/propagator.hpp"
#include "optics_test_helpers.hpp"
#include "tolerances.hpp"

using namespace accel::optics;
using accel::test::Tolerance;
using accel::test::within;

namespace {

constexpr double green_m = 532e-9;

constexpr Tolerance float_vs_double_tol{"float_vs_double_propagation", 0.0, 1e-5,
                                        "float round-off ε·O(log m) over four FFT passes, ε = 6e-8"};

template <class Real>
bool bitwise_equal(const std::vector<std::complex<Real>>& a, const std::vector<std::complex<Real>>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(std::complex<Real>)) == 0;
}

}  // namespace

TEST_CASE("Float and double propagation agree", "[unit][propagator]") {
    // A white field exercises every frequency, including those the band limit removes.
    const Grid grid{128, 2e-6};
    const PropagationGeometry g{grid, green_m, 2e-3};
    const auto input_d = accel::test::random_complex<double>(grid.size(), 5);
    std::vector<std::complex<float>> input_f(input_d.begin(), input_d.end());
    PropagationCache<double> cache_d;
    PropagationCache<float> cache_f;
    const Propagator<double> prop_d(g, cache_d);
    const Propagator<float> prop_f(g, cache_f);
    std::vector<std::complex<double>> out_d(grid.size());
    std::vector<std::complex<float>> out_f(grid.size());
    auto ws_d = prop_d.make_workspace();
    auto ws_f = prop_f.make_workspace();
    prop_d.forward(input_d.data(), out_d.data(), ws_d);
    prop_f.forward(input_f.data(), out_f.data(), ws_f);
    const auto d = accel::test::l2_difference(out_f, out_d);
    CHECK(within(float_vs_double_tol, d.error, d.reference));
    prop_d.adjoint(input_d.data(), out_d.data(), ws_d);
    prop_f.adjoint(input_f.data(), out_f.data(), ws_f);
    const auto da = accel::test::l2_difference(out_f, out_d);
    CHECK(within(float_vs_double_tol, da.error, da.reference));
}

// Each row and column block is transformed by the same plan whichever thread runs it, so the
// thread count must not change a single bit (DESIGN.md §7: same result whatever the threads).
// Both propagators share one cache and hence one set of FFTW plans: FFTW_MEASURE may pick
// different algorithms in different planning runs.
TEMPLATE_TEST_CASE("Multi-threaded propagation is bitwise identical to single-threaded", "[unit][propagator]", float, double) {
    using Real = TestType;
    const Grid grid{200, 2e-6};
    const PropagationGeometry g{grid, green_m, 5e-3};
    PropagationCache<Real> cache;
    const Propagator<Real> serial(g, cache, 1);
    const Propagator<Real> parallel(g, cache, 2);
    const auto input = accel::test::random_complex<Real>(grid.size(), 7);
    std::vector<std::complex<Real>> a(grid.size()), b(grid.size());
    auto ws1 = serial.make_workspace();
    auto ws2 = parallel.make_workspace();
    serial.forward(input.data(), a.data(), ws1);
    parallel.forward(input.data(), b.data(), ws2);
    CHECK(bitwise_equal(a, b));
    serial.adjoint(input.data(), a.data(), ws1);
    parallel.adjoint(input.data(), b.data(), ws2);
    CHECK(bitwise_equal(a, b));
}

TEMPLATE_TEST_CASE("In-place propagation equals out-of-place", "[unit][propagator]", float, double) {
    using Real = TestType;
    const Grid grid{97, 3e-6};  // odd n, odd padded size
    PropagationCache<Real> cache;
    const Propagator<Real> prop({grid, green_m, 4e-3}, cache);
    auto ws = prop.make_workspace();
    const auto input = accel::test::random_complex<Real>(grid.size(), 9);
    std::vector<std::complex<Real>> out(grid.size());
    prop.forward(input.data(), out.data(), ws);
    auto in_place = input;
    prop.forward(in_place.data(), in_place.data(), ws);
    CHECK(bitwise_equal(in_place, out));
    prop.adjoint(input.data(), out.data(), ws);
    in_place = input;
    prop.adjoint(in_place.data(), in_place.data(), ws);
    CHECK(bitwise_equal(in_place, out));
}

TEST_CASE("PropagationCache builds one transfer function per geometry", "[unit][propagator]") {
    const Grid grid{64, 2e-6};
    PropagationCache<float> cache;
    CHECK(cache.transfer_count() == 0);
    const Propagator<float> a({grid, green_m, 1e-3}, cache);
    CHECK(cache.transfer_count() == 1);
    const Propagator<float> b({grid, green_m, 1e-3}, cache);
    CHECK(cache.transfer_count() == 1);
    // The default padding (−1) and the same padding given explicitly are one geometry.
    const Propagator<float> c({grid, green_m, 1e-3, grid.n / 2}, cache);
    CHECK(cache.transfer_count() == 1);
    const auto h1 = cache.transfer({grid, green_m, 1e-3});
    const auto h2 = cache.transfer({grid, green_m, 1e-3});
    CHECK(h1.get() == h2.get());
    const Propagator<float> d({grid, green_m, 2e-3}, cache);
    CHECK(cache.transfer_count() == 2);
    const Propagator<float> e({grid, green_m, 1e-3, 10}, cache);
    CHECK(cache.transfer_count() == 3);
    const Propagator<float> f({grid, 633e-9, 1e-3}, cache);
    CHECK(cache.transfer_count() == 4);
    CHECK(cache.transfer({grid, green_m, 2e-3}).get() != h1.get());
}

// Parallelising over images: one propagator shared by OpenMP threads, one workspace each.
TEST_CASE("Concurrent forward calls with separate workspaces match serial results", "[unit][propagator]") {
    const Grid grid{96, 2e-6};
    PropagationCache<float> cache;
    const Propagator<float> prop({grid, green_m, 3e-3}, cache);
    constexpr int images = 8;
    std::vector<std::vector<std::complex<float>>> inputs, serial(images), parallel(images);
    for (int i = 0; i < images; ++i) inputs.push_back(accel::test::random_complex<float>(grid.size(), 100 + static_cast<unsigned>(i)));
    {
        auto ws = prop.make_workspace();
        for (int i = 0; i < images; ++i) {
            serial[static_cast<std::size_t>(i)].resize(grid.size());
            prop.forward(inputs[static_cast<std::size_t>(i)].data(), serial[static_cast<std::size_t>(i)].data(), ws);
        }
    }
    for (auto& p : parallel) p.resize(grid.size());
    int threads_seen = 0;
#pragma omp parallel num_threads(2) reduction(max : threads_seen)
    {
        threads_seen = omp_get_num_threads();
        auto ws = prop.make_workspace();
        // Several passes so that the two threads really overlap in time.
        for (int pass = 0; pass < 4; ++pass) {
#pragma omp for schedule(dynamic, 1)
            for (int i = 0; i < images; ++i)
                prop.forward(inputs[static_cast<std::size_t>(i)].data(), parallel[static_cast<std::size_t>(i)].data(), ws);
        }
    }
    INFO("OpenMP threads used: " << threads_seen);
    for (int i = 0; i < images; ++i) CHECK(bitwise_equal(serial[static_cast<std::size_t>(i)], parallel[static_cast<std::size_t>(i)]));
}

TEST_CASE("Propagation geometry and fields are validated", "[unit][propagator]") {
    const Grid grid{32, 2e-6};
    PropagationCache<double> cache;
    CHECK_THROWS_AS(Propagator<double>({grid, green_m, 0.0}, cache), std::invalid_argument);
    CHECK_THROWS_AS(Propagator<double>({grid, green_m, -1e-3}, cache), std::invalid_argument);
    CHECK_THROWS_AS(Propagator<double>({grid, green_m, std::numeric_limits<double>::quiet_NaN()}, cache), std::invalid_argument);
    CHECK_THROWS_AS(Propagator<double>({grid, 0.0, 1e-3}, cache), std::invalid_argument);
    CHECK_THROWS_AS(Propagator<double>({grid, green_m, 1e-3, -2}, cache), std::invalid_argument);
    CHECK_THROWS_AS(Propagator<double>({Grid{0, 2e-6}, green_m, 1e-3}, cache), std::invalid_argument);
    const Propagator<double> prop({grid, green_m, 1e-3}, cache);
    CHECK_THROWS_AS(prop.propagate(Field<double>(Grid{32, 3e-6}, green_m)), std::invalid_argument);
    CHECK_THROWS_AS(prop.propagate(Field<double>(grid, 633e-9)), std::invalid_argument);
    CHECK_NOTHROW(prop.propagate(Field<double>(grid, green_m)));
}
