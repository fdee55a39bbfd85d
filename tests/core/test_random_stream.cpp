// Counter-based random streams: reproducibility, independence of streams, independence of the
// thread count, and the statistics of the Poisson sampler in each of its regimes (inversion
// below 10, PTRS up to the Gaussian threshold, the normal approximation above it).
// Statistical bounds follow tests/analog/sample_statistics.hpp (5 standard errors).

#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "accel/core/random_stream.hpp"
#include "tests/analog/sample_statistics.hpp"
#include "tests/optics/tolerances.hpp"

using namespace accel::core;
using accel::test::moments;
using accel::test::Tolerance;
using accel::test::within;
using accel::test::z_bound;

namespace {

std::vector<double> poisson_draws(double mean, double gaussian_above, std::size_t n, std::uint64_t seed) {
    RandomStream s(seed, StreamKind::frame, 0, 0);
    std::vector<double> x(n);
    for (double& v : x) v = s.poisson(mean, gaussian_above);
    return x;
}

// Bit patterns of a frame's draws: a mix of every sampler, so any dependence on the order in
// which frames are processed would show up.
std::vector<std::uint64_t> frame_draws(std::uint64_t seed, std::uint32_t chip, std::uint32_t frame) {
    RandomStream s(seed, StreamKind::frame, chip, frame);
    std::vector<std::uint64_t> bits;
    for (int i = 0; i < 64; ++i) {
        bits.push_back(std::bit_cast<std::uint64_t>(s.uniform()));
        bits.push_back(std::bit_cast<std::uint64_t>(s.normal()));
        bits.push_back(std::bit_cast<std::uint64_t>(s.poisson(3.0)));
        bits.push_back(std::bit_cast<std::uint64_t>(s.poisson(250.0)));
        bits.push_back(std::bit_cast<std::uint64_t>(s.poisson(2e6)));  // normal approximation
    }
    return bits;
}

std::vector<std::uint32_t> words(RandomStream s, int n) {
    std::vector<std::uint32_t> w(static_cast<std::size_t>(n));
    for (auto& x : w) x = s.next_u32();
    return w;
}

std::size_t equal_positions(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    std::size_t same = 0;
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
    return same;
}

}  // namespace

TEST_CASE("The same seed, kind, chip and frame give the same sequence", "[unit][random]") {
    RandomStream a(42, StreamKind::frame, 3, 7), b(42, StreamKind::frame, 3, 7);
    bool same = true;
    for (int i = 0; i < 2000; ++i) {
        same = same && a.next_u32() == b.next_u32();
        same = same && std::bit_cast<std::uint64_t>(a.uniform()) == std::bit_cast<std::uint64_t>(b.uniform());
        same = same && std::bit_cast<std::uint64_t>(a.normal()) == std::bit_cast<std::uint64_t>(b.normal());
        same = same && a.poisson(7.5) == b.poisson(7.5) && a.poisson(400.0) == b.poisson(400.0);
    }
    CHECK(same);
}

TEST_CASE("A different seed, kind, chip or frame gives a different sequence", "[unit][random]") {
    // 256 words of 32 bits: unrelated streams agree at a position with probability 2^-32,
    // so even one coincidence among 256 positions (expected 6e-8) would point to shared state.
    const auto base = words(RandomStream(42, StreamKind::frame, 3, 7), 256);
    CHECK(equal_positions(base, words(RandomStream(43, StreamKind::frame, 3, 7), 256)) == 0);
    CHECK(equal_positions(base, words(RandomStream(42, StreamKind::chip, 3, 7), 256)) == 0);
    CHECK(equal_positions(base, words(RandomStream(42, StreamKind::fabrication, 3, 7), 256)) == 0);
    CHECK(equal_positions(base, words(RandomStream(42, StreamKind::frame, 4, 7), 256)) == 0);
    CHECK(equal_positions(base, words(RandomStream(42, StreamKind::frame, 3, 8), 256)) == 0);
    // Chip and frame are separate counter words: (chip 7, frame 3) is not (chip 3, frame 7).
    CHECK(equal_positions(base, words(RandomStream(42, StreamKind::frame, 7, 3), 256)) == 0);
    // Consecutive frames of one chip are not shifted copies of each other either.
    const auto next = words(RandomStream(42, StreamKind::frame, 3, 8), 512);
    CHECK(std::search(next.begin(), next.end(), base.begin(), base.begin() + 4) == next.end());
}

TEST_CASE("Frames drawn in an OpenMP loop do not depend on the thread count or order", "[unit][random][openmp]") {
    constexpr int frames = 96;
    int used = 0;
    const auto draw_all = [&](int threads) {
        std::vector<std::vector<std::uint64_t>> out(frames);
        // Dynamic scheduling hands frames to threads in an unpredictable order.
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int f = 0; f < frames; ++f) {
            out[static_cast<std::size_t>(f)] = frame_draws(2024, 1, static_cast<std::uint32_t>(f));
#pragma omp critical
            used = std::max(used, omp_get_num_threads());
        }
        return out;
    };
    const auto one = draw_all(1);
    const auto two = draw_all(2);
    INFO("threads used in the parallel run: " << used);
    std::vector<std::vector<std::uint64_t>> reversed(frames);
    for (int f = frames - 1; f >= 0; --f) reversed[static_cast<std::size_t>(f)] = frame_draws(2024, 1, static_cast<std::uint32_t>(f));
    CHECK(one == two);
    CHECK(one == reversed);
    CHECK(one[0] != one[1]);
}

TEST_CASE("Uniform and normal draws have the right mean and variance", "[physics][random]") {
    constexpr std::size_t n = 100000;
    RandomStream s(11, StreamKind::frame, 0, 0);
    std::vector<double> u(n), g(n);
    bool in_range = true;
    for (std::size_t i = 0; i < n; ++i) {
        u[i] = s.uniform();
        in_range = in_range && u[i] >= 0.0 && u[i] < 1.0;
        g[i] = s.normal();
    }
    CHECK(in_range);
    const auto mu = moments(u), mg = moments(g);
    // Uniform: σ² = 1/12, μ4 = 1/80. Normal: σ² = 1, μ4 = 3. Standard errors from these.
    const double nn = static_cast<double>(n);
    CHECK(within(Tolerance{"uniform_mean", z_bound * std::sqrt(1.0 / 12.0 / nn), 0.0, "5 standard errors, σ = 1/√12"}, mu.mean - 0.5, 0.0));
    CHECK(within(Tolerance{"uniform_variance", z_bound * std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / nn), 0.0, "5 standard errors, √((μ4 − σ⁴)/n)"},
                 mu.variance - 1.0 / 12.0, 0.0));
    CHECK(within(Tolerance{"normal_mean", z_bound / std::sqrt(nn), 0.0, "5 standard errors, 1/√n"}, mg.mean, 0.0));
    CHECK(within(Tolerance{"normal_variance", z_bound * std::sqrt(2.0 / nn), 0.0, "5 standard errors, √(2/n)"}, mg.variance - 1.0, 0.0));
}

// Poisson(λ): mean λ, variance λ, μ4 = λ + 3λ², so the sample mean has standard error √(λ/n)
// and the sample variance √((μ4 − σ⁴)/n) = √((λ + 2λ²)/n).
TEST_CASE("Poisson draws have mean equal to variance in every regime", "[physics][random][poisson]") {
    const double lambda = GENERATE(0.5, 5.0, 9.99, 10.0, 50.0, 5000.0);
    constexpr std::size_t n = 100000;
    const double nn = static_cast<double>(n);
    const auto x = poisson_draws(lambda, 1e6, n, static_cast<std::uint64_t>(lambda * 100.0) + 1);
    const bool integers = std::all_of(x.begin(), x.end(), [](double v) { return v >= 0.0 && v == std::floor(v); });
    CHECK(integers);
    const auto m = moments(x);
    INFO("lambda " << lambda << ": mean " << m.mean << ", variance " << m.variance);
    const Tolerance mean_tol{"poisson_mean", z_bound * std::sqrt(lambda / nn), 0.0, "5 standard errors of the mean, √(λ/n)"};
    const Tolerance var_tol{"poisson_variance", z_bound * std::sqrt((lambda + 2.0 * lambda * lambda) / nn), 0.0,
                            "5 standard errors of the sample variance, √((λ + 2λ²)/n)"};
    CHECK(within(mean_tol, m.mean - lambda, lambda));
    CHECK(within(var_tol, m.variance - lambda, lambda));
}

// Beyond the first two moments: the frequency of each count k with p_k > 10⁻³ matches the
// exact pmf within 5 binomial standard errors √(p(1−p)/n). This catches a sampler (inversion
// or PTRS) with the right mean and variance but the wrong shape.
TEST_CASE("Poisson frequencies match the exact probabilities", "[physics][random][poisson]") {
    const double lambda = GENERATE(0.5, 5.0, 50.0);
    constexpr std::size_t n = 100000;
    const double nn = static_cast<double>(n);
    const auto x = poisson_draws(lambda, 1e6, n, 77);
    std::vector<double> count(400, 0.0);
    for (double v : x)
        if (v < 400.0) count[static_cast<std::size_t>(v)] += 1.0;
    int checked = 0;
    for (int k = 0; k < 400; ++k) {
        const double kk = static_cast<double>(k);
        const double p = std::exp(kk * std::log(lambda) - lambda - std::lgamma(kk + 1.0));
        if (p < 1e-3) continue;
        ++checked;
        INFO("lambda " << lambda << ", k " << k << ": frequency " << count[static_cast<std::size_t>(k)] / nn << ", pmf " << p);
        CHECK(within(Tolerance{"poisson_pmf", z_bound * std::sqrt(p * (1.0 - p) / nn), 0.0, "5 binomial standard errors"},
                     count[static_cast<std::size_t>(k)] / nn - p, p));
    }
    CHECK(checked >= 3);
}

// At the threshold the sampler switches from exact PTRS to round(λ + √λ·N(0,1)). With the
// default threshold λ = 10⁶ the two must be indistinguishable at this sample size: the
// normal approximation's skewness 1/√λ = 10⁻³ shifts the CDF by ~10⁻⁴, far below what 5·10⁴
// draws resolve.
TEST_CASE("Poisson draws agree just below and just above the Gaussian threshold", "[physics][random][poisson]") {
    constexpr double lambda = 1e6;
    constexpr std::size_t n = 50000;
    const double nn = static_cast<double>(n);
    const auto exact = poisson_draws(lambda, lambda * (1.0 + 1e-9), n, 5);   // λ not above: PTRS
    const auto approx = poisson_draws(lambda, lambda * (1.0 - 1e-9), n, 5);  // λ above: normal approximation
    REQUIRE(exact != approx);  // really two different samplers on the same stream
    const auto me = moments(exact), ma = moments(approx);
    INFO("PTRS mean " << me.mean << " variance " << me.variance << "; normal mean " << ma.mean << " variance " << ma.variance);
    const Tolerance mean_tol{"threshold_mean", z_bound * std::sqrt(lambda / nn), 0.0, "5 standard errors of the mean, √(λ/n)"};
    const Tolerance var_tol{"threshold_variance", z_bound * lambda * std::sqrt(2.0 / nn), 0.0,
                            "5 standard errors of the sample variance, ≈ λ·√(2/n) for large λ"};
    const Tolerance diff_tol{"threshold_mean_difference", z_bound * std::sqrt(2.0 * lambda / nn), 0.0,
                             "5 standard errors of a difference of two independent means"};
    CHECK(within(mean_tol, me.mean - lambda, lambda));
    CHECK(within(mean_tol, ma.mean - lambda, lambda));
    CHECK(within(var_tol, me.variance - lambda, lambda));
    CHECK(within(var_tol, ma.variance - lambda, lambda));
    CHECK(within(diff_tol, me.mean - ma.mean, lambda));

    // Two-sample Kolmogorov–Smirnov at α = 10⁻⁶ (conservative for integer-valued samples).
    const double d = accel::test::ks_statistic(exact, approx);
    CHECK(within(Tolerance{"threshold_ks", accel::test::ks_critical(n, n, 1e-6), 0.0, "two-sample KS critical value at α = 1e-6"}, d, 0.0));

    // Quantiles: the difference of two sample p-quantiles has standard error
    // √(2p(1−p)/n)/f(x_p), with f(x_p) = φ(z_p)/√λ the density at the quantile.
    auto se = exact, sa = approx;
    std::sort(se.begin(), se.end());
    std::sort(sa.begin(), sa.end());
    const std::pair<double, double> quantiles[] = {{0.01, -2.326348}, {0.1, -1.281552}, {0.5, 0.0}, {0.9, 1.281552}, {0.99, 2.326348}};
    for (const auto& [p, z] : quantiles) {
        const auto i = static_cast<std::size_t>(p * (nn - 1.0));
        const double density = std::exp(-0.5 * z * z) / std::sqrt(2.0 * 3.141592653589793 * lambda);
        const Tolerance q_tol{"threshold_quantile", z_bound * std::sqrt(2.0 * p * (1.0 - p) / nn) / density, 0.0,
                              "5 standard errors of a difference of sample quantiles"};
        INFO("quantile " << p << ": PTRS " << se[i] << ", normal " << sa[i]);
        CHECK(within(q_tol, se[i] - sa[i], lambda));
    }
}

TEST_CASE("Poisson rejects a negative or non-finite mean and gives 0 for mean 0", "[unit][random][poisson]") {
    RandomStream s(1, StreamKind::frame, 0, 0);
    CHECK(s.poisson(0.0) == 0.0);
    CHECK_THROWS_AS(s.poisson(-1.0), std::invalid_argument);
    CHECK_THROWS_AS(s.poisson(std::nan("")), std::invalid_argument);
    CHECK_THROWS_AS(s.poisson(std::numeric_limits<double>::infinity()), std::invalid_argument);
}
