// The electronic analog computing array (EAC): noise-off exactness, kT/C reset noise,
// fixed-pattern terms per chip, clipping, ternary zeros, sequential read-out and the
// comparator read-out. Statistical bounds follow tests/analog/sample_statistics.hpp.

#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <utility>
#include <stdexcept>
#include <vector>

#include "accel/analog/compute_array.hpp"
#include "accel/core/constants.hpp"
#include "tests/analog/sample_statistics.hpp"
#include "tests/optics/tolerances.hpp"

using namespace accel::analog;
using namespace accel::core;
using accel::test::moments;
using accel::test::Tolerance;
using accel::test::within;
using accel::test::z_bound;

namespace {

constexpr double q = constants::elementary_charge_C;
constexpr double kB = constants::boltzmann_J_K;
constexpr double not_set = std::numeric_limits<double>::quiet_NaN();  // marks outputs not yet written

// Reference scale: Σ_k |w_ck|·Q_k. The line sums 1024 terms per line (error ≤ n·ε·Σ|x| ≈
// 1e-13 relative in the worst case, far less in practice), then scales by q/C and back.
constexpr Tolerance dot_product_tol{"noise_off_dot_product", 0.0, 1e-12,
                                    "two 1024-term double sums and a q/C, C/q round trip: ≤ ~1e-13 relative"};

std::vector<std::int8_t> random_weights(const ComputeArrayParams& p, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> pick(0, p.weights == WeightKind::binary ? 1 : 2);
    std::vector<std::int8_t> w(static_cast<std::size_t>(p.outputs) * static_cast<std::size_t>(p.inputs));
    for (auto& x : w) {
        const int v = pick(rng);
        x = static_cast<std::int8_t>(p.weights == WeightKind::binary ? 2 * v - 1 : v - 1);
    }
    return w;
}

std::vector<double> random_charges(std::size_t n, double max_e, std::uint64_t seed, bool integer = false) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, max_e);
    std::vector<double> x(n);
    for (auto& v : x) v = integer ? std::floor(u(rng)) : u(rng);
    return x;
}

struct DotProduct {
    double value = 0.0;  // Σ_k w_ck·Q_k, summed in long double
    double scale = 0.0;  // Σ_k |w_ck|·Q_k
};

DotProduct exact_dot(const ComputeArrayParams& p, const std::vector<std::int8_t>& w, const std::vector<double>& charge, int c) {
    long double sum = 0.0L, scale = 0.0L;
    for (int k = 0; k < p.inputs; ++k) {
        const auto i = static_cast<std::size_t>(c) * static_cast<std::size_t>(p.inputs) + static_cast<std::size_t>(k);
        sum += static_cast<long double>(w[i]) * charge[static_cast<std::size_t>(k)];
        scale += std::abs(static_cast<long double>(w[i])) * charge[static_cast<std::size_t>(k)];
    }
    return {static_cast<double>(sum), static_cast<double>(scale)};
}

NoiseSwitches only(bool NoiseSwitches::*which) {
    NoiseSwitches n = NoiseSwitches::none();
    n.*which = true;
    return n;
}

}  // namespace

// With every noise term off and an ideal chip, V+ − V− = (Q+ − Q−)·q/C, so
// differential_V·C/q is the integer-weight dot product Σ_k w_ck·Q_k in electrons. Charges stay
// below clipping: 1024 inputs × < 2·10⁴ e = < 2.05·10⁷ e per line, 1.64 V on 2 pF < 1.8 V.
TEST_CASE("With noise off the analog output is the exact integer-weight dot product", "[physics][compute_array]") {
    ComputeArrayParams p;
    p.weights = GENERATE(WeightKind::binary, WeightKind::ternary);
    const bool integer_charges = GENERATE(false, true);
    const ChipInstance chip = ideal_chip(p);
    const auto w = random_weights(p, p.weights == WeightKind::binary ? 1 : 2);
    REQUIRE_NOTHROW(validate_weights(p, w));
    const auto charge = random_charges(static_cast<std::size_t>(p.inputs), 2e4, 3, integer_charges);
    REQUIRE(2e4 * p.inputs * q / p.line_capacitance_F < p.swing_V);
    std::vector<double> out(static_cast<std::size_t>(p.outputs), not_set);
    RandomStream frame(1, StreamKind::frame, 0, 0);
    sum_on_lines(p, chip, w, charge, 0, p.outputs, NoiseSwitches::none(), frame, out);
    double worst = 0.0;
    for (int c = 0; c < p.outputs; ++c) {
        const auto ref = exact_dot(p, w, charge, c);
        const double measured_e = out[static_cast<std::size_t>(c)] * p.line_capacitance_F / q;
        worst = std::max(worst, std::abs(measured_e - ref.value) / ref.scale);
        CHECK(within(dot_product_tol, measured_e - ref.value, ref.scale));
    }
    INFO("largest relative error " << worst);
    CHECK(worst < 1e-12);
}

// The same through the photodiodes: powers chosen so the mean charges are random numbers of
// electrons; with noise off the photodiode delivers exactly mean_signal_e (dark is off in
// NoiseSwitches::none(), so no dark electrons either).
TEST_CASE("With noise off evaluate_frame gives the dot product of the photodiode charges", "[physics][compute_array]") {
    ComputeArrayParams p;
    p.weights = GENERATE(WeightKind::binary, WeightKind::ternary);
    const PhotodiodeParams pd;
    const ChipInstance chip = ideal_chip(p);
    const auto w = random_weights(p, 4);
    const auto target_e = random_charges(static_cast<std::size_t>(p.inputs), 2e4, 5);
    std::vector<double> power(target_e.size()), charge(target_e.size());
    for (std::size_t k = 0; k < power.size(); ++k) {
        power[k] = target_e[k] * q / (responsivity_A_per_W(pd) * pd.integration_time_s);
        charge[k] = mean_signal_e(pd, power[k]);
    }
    std::vector<double> out(static_cast<std::size_t>(p.outputs), not_set);
    RandomStream frame(1, StreamKind::frame, 0, 0);
    evaluate_frame(p, pd, chip, w, power, NoiseSwitches::none(), frame, out);
    for (int c = 0; c < p.outputs; ++c) {
        const auto ref = exact_dot(p, w, charge, c);
        CHECK(within(dot_product_tol, out[static_cast<std::size_t>(c)] * p.line_capacitance_F / q - ref.value, ref.scale));
    }
    CHECK(read_out(out) == static_cast<int>(std::max_element(out.begin(), out.end()) - out.begin()));
}

// kT/C reset noise: each line gets σ² = kT/C on every frame, measured two ways:
//  (a) with equal charges Q0 on both lines of every output, V± = Q0·q/C + noise sits
//      ~176 σ above 0 V and far below the swing: no clipping, and V+ − V− = n+ − n− has
//      variance exactly 2kT/C (normal: standard error 2kT/C·√(2/n));
//  (b) with zero charge (a dark line, at its 0 V reset level) the line floats: it is not
//      clamped at 0 V, so V+ − V− still has mean 0 and variance 2kT/C, and half the lines
//      read below the other (a binomial standard error; 3/8 with a clamp). With a clamp at 0 V (up to 402f66a) the
//      variance was σ²(1 − 1/π) and a quarter of the differentials read exactly 0.
TEST_CASE("Reset noise on a computing line has variance kT/C", "[physics][compute_array]") {
    ComputeArrayParams p;
    p.line_capacitance_F = GENERATE(2e-12, 0.2e-12);
    p.inputs = 2;
    p.outputs = 1000;
    p.output_lines = 1000;
    const ChipInstance chip = ideal_chip(p);
    std::vector<std::int8_t> w;
    for (int c = 0; c < p.outputs; ++c) w.insert(w.end(), {1, -1});
    const double kt_c = kB * p.temperature_K / p.line_capacitance_F;
    const double q0 = 176.0 * std::sqrt(kt_c) * p.line_capacitance_F / q;  // V = 176 σ above 0 V
    REQUIRE(q0 * q / p.line_capacitance_F < 0.1 * p.swing_V);
    const NoiseSwitches reset = only(&NoiseSwitches::reset);
    constexpr int frames = 100;  // × 1000 outputs = 10⁵ samples

    std::vector<double> offset_diff, zero_diff;
    std::vector<double> out(static_cast<std::size_t>(p.outputs));
    for (int f = 0; f < frames; ++f) {
        RandomStream s(7, StreamKind::frame, 0, static_cast<std::uint32_t>(f));
        sum_on_lines(p, chip, w, std::vector<double>{q0, q0}, 0, p.outputs, reset, s, out);
        offset_diff.insert(offset_diff.end(), out.begin(), out.end());
        RandomStream s0(8, StreamKind::frame, 0, static_cast<std::uint32_t>(f));
        sum_on_lines(p, chip, w, std::vector<double>{0.0, 0.0}, 0, p.outputs, reset, s0, out);
        zero_diff.insert(zero_diff.end(), out.begin(), out.end());
    }
    const auto a = moments(offset_diff);
    const double n = a.n;
    INFO("C = " << p.line_capacitance_F << " F: kT/C = " << kt_c << " V², measured per-line variance " << a.variance / 2.0);
    CHECK(within(Tolerance{"reset_mean", z_bound * std::sqrt(2.0 * kt_c / n), 0.0, "5 standard errors, √(2kT/C/n)"}, a.mean, 0.0));
    CHECK(within(Tolerance{"reset_variance", z_bound * 2.0 * kt_c * std::sqrt(2.0 / n), 0.0, "5 standard errors of a normal variance"},
                 a.variance - 2.0 * kt_c, 2.0 * kt_c));

    const auto b = moments(zero_diff);
    const double exactly_zero = static_cast<double>(std::count(zero_diff.begin(), zero_diff.end(), 0.0)) / n;
    const double negative = static_cast<double>(std::count_if(zero_diff.begin(), zero_diff.end(), [](double v) { return v < 0.0; })) / n;
    INFO("zero charge: mean " << b.mean << " V, variance " << b.variance << " V² (expected " << 2.0 * kt_c << "), P(0) " << exactly_zero);
    CHECK(within(Tolerance{"dark_reset_mean", z_bound * std::sqrt(2.0 * kt_c / n), 0.0, "5 standard errors, √(2kT/C/n)"}, b.mean, 0.0));
    CHECK(within(Tolerance{"dark_reset_variance", z_bound * 2.0 * kt_c * std::sqrt(2.0 / n), 0.0, "5 standard errors of a normal variance"},
                 b.variance - 2.0 * kt_c, 2.0 * kt_c));
    CHECK(within(Tolerance{"dark_reset_below_zero", z_bound * std::sqrt(0.25 / n), 0.0, "5 binomial standard errors"}, negative - 0.5, 0.5));
    CHECK(exactly_zero == 0.0);
}

TEST_CASE("A chip drawn twice from the same chip stream is identical, and chips differ", "[unit][compute_array][fixed_pattern]") {
    ComputeArrayParams p;
    RandomStream s1(5, StreamKind::chip, 3), s2(5, StreamKind::chip, 3), other(5, StreamKind::chip, 4);
    const ChipInstance a = draw_chip(p, s1), b = draw_chip(p, s2), c = draw_chip(p, other);
    CHECK(a.pixel_gain == b.pixel_gain);
    CHECK(a.weight_path == b.weight_path);
    CHECK(a.line_capacitance_plus_F == b.line_capacitance_plus_F);
    CHECK(a.line_capacitance_minus_F == b.line_capacitance_minus_F);
    CHECK(a.comparator_offset_V == b.comparator_offset_V);
    CHECK(a.pixel_gain != c.pixel_gain);
    CHECK(a.weight_path != c.weight_path);
    CHECK(a.line_capacitance_plus_F != c.line_capacitance_plus_F);
    CHECK(a.line_capacitance_minus_F != c.line_capacitance_minus_F);
    CHECK(a.comparator_offset_V != c.comparator_offset_V);
    // The frame stream of the same numbers is another stream: a chip does not reuse frame noise.
    RandomStream f(5, StreamKind::frame, 3);
    CHECK(draw_chip(p, f).pixel_gain != a.pixel_gain);
}

// The fixed-pattern draws have the configured spreads: relative σ of gains and capacitances,
// σ in volts of the comparator offsets (mean within 5σ/√n, standard deviation within
// 5σ/√(2n) of a normal sample).
TEST_CASE("Fixed-pattern terms have the configured spreads", "[physics][compute_array][fixed_pattern]") {
    ComputeArrayParams p;
    p.inputs = 100;
    p.outputs = 1000;
    p.pixel_gain_sigma = 0.02;
    RandomStream s(9, StreamKind::chip, 0);
    const ChipInstance chip = draw_chip(p, s);
    std::vector<double> caps;
    for (double cap : chip.line_capacitance_plus_F) caps.push_back(cap / p.line_capacitance_F);
    for (double cap : chip.line_capacitance_minus_F) caps.push_back(cap / p.line_capacitance_F);
    const auto check = [](const std::vector<double>& x, double mean, double sigma, const char* what) {
        const auto m = moments(x);
        INFO(what << ": mean " << m.mean << ", sd " << std::sqrt(m.variance) << " (expected " << mean << ", " << sigma << ")");
        CHECK(within(Tolerance{"fixed_pattern_mean", z_bound * sigma / std::sqrt(m.n), 0.0, "5 standard errors, σ/√n"}, m.mean - mean, 0.0));
        CHECK(within(Tolerance{"fixed_pattern_sd", z_bound * sigma / std::sqrt(2.0 * m.n), 0.0, "5 standard errors of a normal sd, σ/√(2n)"},
                     std::sqrt(m.variance) - sigma, sigma));
    };
    check(chip.pixel_gain, 1.0, p.pixel_gain_sigma, "pixel gain");
    check(chip.weight_path, 1.0, p.weight_path_sigma, "weight path");
    check(caps, 1.0, p.line_capacitance_sigma, "line capacitance");
    check(chip.comparator_offset_V, 0.0, p.comparator_offset_sigma_V, "comparator offset");
}

TEST_CASE("Fixed-pattern terms are the same in every frame of one chip and differ between chips", "[unit][compute_array][fixed_pattern]") {
    ComputeArrayParams p;
    const PhotodiodeParams pd;
    const auto w = random_weights(p, 6);
    std::vector<double> power(static_cast<std::size_t>(p.inputs));
    for (std::size_t k = 0; k < power.size(); ++k) power[k] = 1e-9 * (1.0 + 0.5 * std::sin(0.1 * static_cast<double>(k)));
    RandomStream chip_stream(3, StreamKind::chip, 0);
    const ChipInstance chip = draw_chip(p, chip_stream);
    RandomStream other_stream(3, StreamKind::chip, 1);
    const ChipInstance other = draw_chip(p, other_stream);
    const NoiseSwitches fixed = NoiseSwitches::none();  // frame noise off; the chip carries its fixed pattern

    const auto frame_output = [&](const ChipInstance& ch, std::uint32_t frame, std::span<const double> pw) {
        std::vector<double> out(static_cast<std::size_t>(p.outputs), not_set);
        RandomStream s(3, StreamKind::frame, 0, frame);
        evaluate_frame(p, pd, ch, w, pw, fixed, s, out);
        return out;
    };
    const auto f0 = frame_output(chip, 0, power);
    for (std::uint32_t f = 1; f < 5; ++f) CHECK(frame_output(chip, f, power) == f0);
    const auto ideal = frame_output(ideal_chip(p), 0, power);
    const auto g0 = frame_output(other, 0, power);
    for (std::size_t c = 0; c < f0.size(); ++c) {
        CHECK(f0[c] != ideal[c]);
        CHECK(f0[c] != g0[c]);
    }
    // Dark frame: what remains is the fixed comparator offset of each output, in every frame.
    const std::vector<double> dark(power.size(), 0.0);
    for (std::uint32_t f = 0; f < 3; ++f) CHECK(frame_output(chip, f, dark) == chip.comparator_offset_V);
    CHECK(frame_output(other, 0, dark) == other.comparator_offset_V);
}

// V± = Q±·q/C is clipped to [0, swing]: a huge charge puts V+ at the swing exactly.
TEST_CASE("Computing lines clip at the supply swing", "[unit][compute_array]") {
    ComputeArrayParams p;
    p.inputs = 4;
    p.outputs = 3;
    const ChipInstance chip = ideal_chip(p);
    const std::vector<std::int8_t> w = {1, -1, -1, -1,   // input 0 on the + line
                                        -1, 1, 1, 1,     // input 0 on the − line
                                        1, -1, 1, 1};    // inputs 0 and 1 on opposite lines
    std::vector<double> out(3, not_set);
    RandomStream s(1, StreamKind::frame, 0, 0);
    // The count returned is of the lines that reached the swing: one line of each output here.
    CHECK(sum_on_lines(p, chip, w, std::vector<double>{1e12, 0.0, 0.0, 0.0}, 0, 3, NoiseSwitches::none(), s, out) == 3);
    CHECK(out[0] == p.swing_V);
    CHECK(out[1] == -p.swing_V);
    CHECK(out[2] == p.swing_V);
    CHECK(sum_on_lines(p, chip, w, std::vector<double>{1e12, 1e12, 0.0, 0.0}, 0, 3, NoiseSwitches::none(), s, out) == 6);
    CHECK(out[2] == 0.0);  // both lines saturate: the difference is lost
    // Just below the swing nothing clips.
    const double below = 0.9 * p.swing_V * p.line_capacitance_F / q;
    CHECK(sum_on_lines(p, chip, w, std::vector<double>{below, 0.0, 0.0, 0.0}, 0, 3, NoiseSwitches::none(), s, out) == 0);
    CHECK(out[0] == Approx(0.9 * p.swing_V).epsilon(1e-14));
}

// Ideal electronics (the photon limit) do not clip: the same bright frame that saturates
// every line above keeps its whole difference, and no line is counted as clipped.
TEST_CASE("With clipping off the lines integrate without bound and count no clipped line", "[unit][compute_array]") {
    ComputeArrayParams p;
    p.inputs = 4;
    p.outputs = 3;
    const ChipInstance chip = ideal_chip(p);
    const std::vector<std::int8_t> w = {1, -1, -1, -1, -1, 1, 1, 1, 1, -1, 1, 1};
    std::vector<double> out(3, not_set);
    RandomStream s(1, StreamKind::frame, 0, 0);
    const std::vector<double> bright{1e12, 3e12, 0.0, 0.0};
    NoiseSwitches unclipped = NoiseSwitches::none();
    unclipped.clipping = false;
    CHECK(sum_on_lines(p, chip, w, bright, 0, 3, unclipped, s, out) == 0);
    const double volts_per_e = q / p.line_capacitance_F;
    CHECK(out[0] == Approx(-2e12 * volts_per_e).epsilon(1e-14));
    CHECK(out[2] == Approx(-2e12 * volts_per_e).epsilon(1e-14));
    CHECK(std::abs(out[0]) > 100.0 * p.swing_V);
    CHECK(sum_on_lines(p, chip, w, bright, 0, 3, NoiseSwitches::none(), s, out) == 6);
    CHECK(NoiseSwitches::photon_limit().shot);
    CHECK_FALSE(NoiseSwitches::photon_limit().clipping);
    CHECK_FALSE(NoiseSwitches::photon_limit().dark);
    CHECK_FALSE(NoiseSwitches::photon_limit().reset);
    CHECK(NoiseSwitches::none().clipping);  // no noise is still a chip whose lines clip
}

// Switching a per-chip term off sets it back to ideal and leaves the others as drawn: each
// term is drawn whether or not it is used, so a chip's mismatch does not move when another
// term is switched off (the noise budget's "all but one term" compares like with like).
TEST_CASE("A chip drawn with some per-chip terms off has those ideal and the others as drawn", "[unit][compute_array][fixed_pattern]") {
    ComputeArrayParams p;
    const ChipInstance ideal = ideal_chip(p);
    RandomStream s1(5, StreamKind::chip, 3), s2(5, StreamKind::chip, 3);
    const ChipInstance all = draw_chip(p, s1);
    NoiseSwitches terms;
    terms.weight_path = terms.comparator_offset = false;
    const ChipInstance some = draw_chip(p, s2, terms);
    CHECK(some.pixel_gain == all.pixel_gain);
    CHECK(some.line_capacitance_plus_F == all.line_capacitance_plus_F);
    CHECK(some.line_capacitance_minus_F == all.line_capacitance_minus_F);
    CHECK(some.weight_path == ideal.weight_path);
    CHECK(some.comparator_offset_V == ideal.comparator_offset_V);
    CHECK(all.weight_path != ideal.weight_path);
    CHECK(all.comparator_offset_V != ideal.comparator_offset_V);
    RandomStream s3(5, StreamKind::chip, 3);
    NoiseSwitches none_chip;
    none_chip.pixel_gain = none_chip.line_capacitance = false;
    const ChipInstance other = draw_chip(p, s3, none_chip);
    CHECK(other.pixel_gain == ideal.pixel_gain);
    CHECK(other.line_capacitance_plus_F == ideal.line_capacitance_plus_F);
    CHECK(other.weight_path == all.weight_path);
}

// A ternary zero steers input k onto neither line: the output is the same as with that
// input's charge set to zero, and the same as any other weight on a zero charge. Checked with
// every noise term on (a drawn chip, reset noise from identical frame streams): bit for bit.
TEST_CASE("Ternary zeros contribute nothing", "[unit][compute_array]") {
    ComputeArrayParams p;
    p.weights = WeightKind::ternary;
    p.inputs = 256;
    p.outputs = 6;
    RandomStream chip_stream(2, StreamKind::chip, 0);
    const ChipInstance chip = draw_chip(p, chip_stream);
    const auto w = random_weights(p, 8);
    const auto charge = random_charges(static_cast<std::size_t>(p.inputs), 5e4, 9);
    const NoiseSwitches all;  // every term on
    const auto n_in = static_cast<std::size_t>(p.inputs);
    for (int c = 0; c < p.outputs; ++c) {
        auto zeroed = charge;
        auto w_plus = w;  // zeros replaced by +1
        for (std::size_t k = 0; k < n_in; ++k) {
            const std::size_t i = static_cast<std::size_t>(c) * n_in + k;
            if (w[i] == 0) zeroed[k] = 0.0, w_plus[i] = 1;
        }
        std::vector<double> a(static_cast<std::size_t>(p.outputs), not_set), b = a, d = a;
        RandomStream sa(4, StreamKind::frame, 0, 0), sb(4, StreamKind::frame, 0, 0), sd(4, StreamKind::frame, 0, 0);
        sum_on_lines(p, chip, w, charge, c, 1, all, sa, a);
        sum_on_lines(p, chip, w, zeroed, c, 1, all, sb, b);
        sum_on_lines(p, chip, w_plus, zeroed, c, 1, all, sd, d);
        const auto i = static_cast<std::size_t>(c);
        CHECK(std::bit_cast<std::uint64_t>(a[i]) == std::bit_cast<std::uint64_t>(b[i]));
        CHECK(std::bit_cast<std::uint64_t>(a[i]) == std::bit_cast<std::uint64_t>(d[i]));
    }
    CHECK(std::count(w.begin(), w.end(), std::int8_t{0}) > 100);  // the rows do contain zeros
}

TEST_CASE("Sequential read-out takes ceil(outputs/lines) passes and fills every output", "[unit][compute_array]") {
    ComputeArrayParams p;
    p.outputs = 10;
    for (const auto& [lines, passes] : std::vector<std::pair<int, int>>{{10, 1}, {20, 1}, {5, 2}, {3, 4}, {1, 10}}) {
        p.output_lines = lines;
        CHECK(p.passes() == passes);
    }
    p.output_lines = 3;
    const PhotodiodeParams pd;
    const ChipInstance chip = ideal_chip(p);
    const auto w = random_weights(p, 10);
    const auto target = random_charges(static_cast<std::size_t>(p.inputs), 2e4, 11);
    std::vector<double> power(target.size()), charge(target.size());
    for (std::size_t k = 0; k < power.size(); ++k) {
        power[k] = target[k] * q / (responsivity_A_per_W(pd) * pd.integration_time_s);
        charge[k] = mean_signal_e(pd, power[k]);
    }
    std::vector<double> out(static_cast<std::size_t>(p.outputs), not_set);
    RandomStream s(1, StreamKind::frame, 0, 0);
    evaluate_frame(p, pd, chip, w, power, NoiseSwitches::none(), s, out);
    for (int c = 0; c < p.outputs; ++c) {
        const auto ref = exact_dot(p, w, charge, c);
        CHECK(within(dot_product_tol, out[static_cast<std::size_t>(c)] * p.line_capacitance_F / q - ref.value, ref.scale));
    }

    SECTION("each pass is a fresh integration") {
        // Identical weight rows and shot noise only: outputs evaluated in the same pass see the
        // same charges and agree exactly; outputs of different passes see new shot noise.
        std::vector<std::int8_t> same_rows;
        for (int c = 0; c < p.outputs; ++c) same_rows.insert(same_rows.end(), w.begin(), w.begin() + p.inputs);
        RandomStream s2(2, StreamKind::frame, 0, 0);
        evaluate_frame(p, pd, chip, same_rows, power, only(&NoiseSwitches::shot), s2, out);
        CHECK(out[0] == out[1]);
        CHECK(out[0] == out[2]);
        CHECK(out[3] == out[5]);
        CHECK(out[9] != out[0]);
        CHECK(out[3] != out[0]);
        CHECK(out[6] != out[3]);
        p.output_lines = 10;
        RandomStream s3(2, StreamKind::frame, 0, 0);
        evaluate_frame(p, pd, chip, same_rows, power, only(&NoiseSwitches::shot), s3, out);
        CHECK(std::all_of(out.begin(), out.end(), [&](double v) { return v == out[0]; }));
    }
}

TEST_CASE("Noisy frames evaluated in parallel do not depend on the thread count", "[unit][compute_array][openmp]") {
    ComputeArrayParams p;
    const PhotodiodeParams pd;
    RandomStream chip_stream(12, StreamKind::chip, 0);
    const ChipInstance chip = draw_chip(p, chip_stream);
    const auto w = random_weights(p, 13);
    std::vector<double> power(static_cast<std::size_t>(p.inputs), 2e-10);
    constexpr int frames = 24;
    const auto run = [&](int threads) {
        std::vector<double> out(static_cast<std::size_t>(frames * p.outputs));
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
        for (int f = 0; f < frames; ++f) {
            RandomStream s(12, StreamKind::frame, 0, static_cast<std::uint32_t>(f));
            evaluate_frame(p, pd, chip, w, power, NoiseSwitches{}, s,
                           std::span<double>(out).subspan(static_cast<std::size_t>(f * p.outputs), static_cast<std::size_t>(p.outputs)));
        }
        return out;
    };
    const auto one = run(1), two = run(2);
    bool bitwise = one.size() == two.size();
    for (std::size_t i = 0; bitwise && i < one.size(); ++i) bitwise = std::bit_cast<std::uint64_t>(one[i]) == std::bit_cast<std::uint64_t>(two[i]);
    CHECK(bitwise);
    CHECK(one[0] != one[static_cast<std::size_t>(p.outputs)]);  // frames do differ
}

TEST_CASE("read_out returns the index of the largest differential output", "[unit][compute_array]") {
    CHECK(read_out(std::vector<double>{0.1, 0.5, -0.2}) == 1);
    CHECK(read_out(std::vector<double>{-3.0, -1.0, -2.0}) == 1);
    CHECK(read_out(std::vector<double>{0.7}) == 0);
    CHECK(read_out(std::vector<double>{0.2, 0.9, 0.9, 0.1}) == 1);  // tie: the lowest index
    CHECK(read_out(std::vector<double>{1e-9, 0.0, 2e-9, -5.0, 1.5e-9}) == 2);
}

TEST_CASE("Weights outside the alphabet are rejected", "[unit][compute_array]") {
    ComputeArrayParams p;
    p.inputs = 2;
    p.outputs = 2;
    CHECK_NOTHROW(validate_weights(p, std::vector<std::int8_t>{1, -1, -1, 1}));
    CHECK_THROWS_AS(validate_weights(p, std::vector<std::int8_t>{1, 0, -1, 1}), std::invalid_argument);
    CHECK_THROWS_AS(validate_weights(p, std::vector<std::int8_t>{1, -1, -1}), std::invalid_argument);
    p.weights = WeightKind::ternary;
    CHECK_NOTHROW(validate_weights(p, std::vector<std::int8_t>{1, 0, -1, 0}));
    CHECK_THROWS_AS(validate_weights(p, std::vector<std::int8_t>{1, 2, -1, 0}), std::invalid_argument);
    p.output_lines = 0;
    CHECK_THROWS_AS(ideal_chip(p), std::invalid_argument);
}

// Auto-zero: without frame noise the trim is the offset itself, and a dark frame reads 0 after it.
TEST_CASE("Auto-zero without frame noise cancels each comparator offset exactly", "[unit][compute_array]") {
    ComputeArrayParams p;
    p.inputs = 6;
    p.outputs = 4;
    p.output_lines = 2;  // two passes: the trim covers every output
    p.comparator_offset_sigma_V = 5e-3;
    p.auto_zero_frames = 3;
    PhotodiodeParams pd;
    RandomStream chip_stream(3, StreamKind::chip, 1);
    ChipInstance chip = draw_chip(p, chip_stream);
    const std::vector<std::int8_t> w = {1, -1, 1, -1, 1, -1, -1, -1, 1, 1, 1, 1, 1, 1, -1, -1, 1, -1, -1, 1, -1, 1, -1, 1};
    RandomStream calibration(3, StreamKind::calibration, 1);
    auto_zero(p, pd, chip, w, NoiseSwitches::none(), calibration);
    for (std::size_t c = 0; c < 4; ++c) CHECK(chip.offset_trim_V[c] == chip.comparator_offset_V[c]);
    std::vector<double> out(4, not_set);
    RandomStream frame(3, StreamKind::frame, 1, 0);
    (void)evaluate_frame(p, pd, chip, w, std::vector<double>(6, 0.0), NoiseSwitches::none(), frame, out);
    for (double v : out) CHECK(v == 0.0);
}

// With reset noise and dark-current shot noise the trim errs by the mean of K frames' noise:
// variance (2kT/C + 2·μ_dark·(q/C)²)/K for a pair of lines each collecting one photodiode's
// μ_dark electrons. Each calibration is a chip of its own (one output, its own stream), so
// the residuals are independent. A dark current far above any real photodiode's keeps the
// lines far above 0 V, so that no frame is clamped there (the clamp would shrink the noise).
TEST_CASE("Auto-zero leaves a residual offset of the calibration's own noise, falling as 1/sqrt(K)", "[physics][compute_array]") {
    ComputeArrayParams p;
    p.inputs = 2;
    p.outputs = 1;
    p.output_lines = 1;
    PhotodiodeParams pd;
    pd.dark_current_A = 1e-6;  // 1 µA over 62 ns: 3.9·10⁵ electrons per photodiode and frame
    const double dark_e = mean_dark_e(pd);
    const double volts_per_e = q / p.line_capacitance_F;
    REQUIRE(dark_e * volts_per_e > 100.0 * std::sqrt(kB * p.temperature_K / p.line_capacitance_F));
    const std::vector<std::int8_t> w = {1, -1};
    NoiseSwitches noise = NoiseSwitches::none();
    noise.reset = noise.dark = true;
    const double per_frame_variance = 2.0 * kB * p.temperature_K / p.line_capacitance_F + 2.0 * dark_e * volts_per_e * volts_per_e;
    constexpr int chips = 4000;
    for (int frames : {4, 64}) {
        p.auto_zero_frames = frames;
        std::vector<double> residual;
        for (int k = 0; k < chips; ++k) {
            ChipInstance chip = ideal_chip(p);
            chip.comparator_offset_V[0] = 1e-3 * static_cast<double>(k % 7);
            RandomStream calibration(5, StreamKind::calibration, static_cast<std::uint32_t>(k));
            auto_zero(p, pd, chip, w, noise, calibration);
            residual.push_back(chip.offset_trim_V[0] - chip.comparator_offset_V[0]);
        }
        const auto m = moments(residual);
        const double expected = per_frame_variance / frames;
        INFO(frames << " dark frames: residual variance " << m.variance << " V², expected " << expected << " V²");
        CHECK(std::abs(m.mean) <= z_bound * std::sqrt(expected / m.n));
        CHECK(std::abs(m.variance - expected) <= z_bound * m.variance_se());
    }
}

// With correlated double sampling the line's own kT/C cancels and the two samples on C_s add
// 2kT/C_s per line: V+ − V− has variance 4kT/C_s whatever the line capacitance. The lines sit
// ~200 σ above 0 V, so that none is clamped.
TEST_CASE("With correlated double sampling the reset noise is that of the sample capacitor", "[physics][compute_array]") {
    ComputeArrayParams p;
    p.line_capacitance_F = GENERATE(20e-12, 2e-12);
    p.correlated_double_sampling = true;
    p.cds_sample_capacitance_F = 0.5e-12;
    p.inputs = 2;
    p.outputs = 1000;
    p.output_lines = 1000;
    const ChipInstance chip = ideal_chip(p);
    std::vector<std::int8_t> w;
    for (int c = 0; c < p.outputs; ++c) w.insert(w.end(), {1, -1});
    const double sample_variance = 2.0 * kB * p.temperature_K / p.cds_sample_capacitance_F;  // per line
    CHECK(line_reset_sigma_V(p, p.line_capacitance_F) == Approx(std::sqrt(sample_variance)).epsilon(1e-15));
    const double q0 = 200.0 * std::sqrt(sample_variance) * p.line_capacitance_F / q;
    std::vector<double> diff, out(static_cast<std::size_t>(p.outputs));
    for (int f = 0; f < 100; ++f) {
        RandomStream s(9, StreamKind::frame, 0, static_cast<std::uint32_t>(f));
        (void)sum_on_lines(p, chip, w, std::vector<double>{q0, q0}, 0, p.outputs, only(&NoiseSwitches::reset), s, out);
        diff.insert(diff.end(), out.begin(), out.end());
    }
    const auto m = moments(diff);
    INFO("C_line = " << p.line_capacitance_F << " F: variance " << m.variance << " V², expected " << 2.0 * sample_variance);
    CHECK(std::abs(m.mean) <= z_bound * std::sqrt(2.0 * sample_variance / m.n));
    CHECK(std::abs(m.variance - 2.0 * sample_variance) <= z_bound * m.variance_se());
}

// Auto-ranging: the highest gain (smallest capacitance) under which no line goes above the
// headroom on any ranging frame, the lowest if all clip. Two outputs over two photodiodes;
// the + line of output 0 collects photodiode 0, so its charge sets the range.
TEST_CASE("Auto-ranging picks the highest gain whose lines stay below the headroom", "[unit][compute_array]") {
    ComputeArrayParams p;
    p.inputs = 2;
    p.outputs = 2;
    p.output_lines = 2;
    p.gain_line_capacitances_F = {1e-12, 4e-12, 16e-12};
    p.line_capacitance_F = 16e-12;
    p.gain_setting = 2;
    p.auto_range = true;
    p.ranging_headroom = 0.9;
    const std::vector<std::int8_t> w = {1, -1, -1, 1};
    const ChipInstance chip = ideal_chip(p);
    // Electrons that bring a line of capacitance C to exactly the headroom: 0.9·1.8 V·C/q.
    const auto at_headroom = [&](double cap) { return 0.9 * p.swing_V * cap / q; };
    const auto pick = [&](std::vector<double> charges) { return pick_gain_setting(p, chip, w, charges, charges.size() / 2); };
    CHECK(pick({0.0, 0.0}) == 0);
    CHECK(pick({0.99 * at_headroom(1e-12), 0.0}) == 0);
    CHECK(pick({1.01 * at_headroom(1e-12), 0.0}) == 1);
    CHECK(pick({0.0, 0.0, 0.0, 1.01 * at_headroom(4e-12)}) == 2);  // the brightest of two frames decides
    CHECK(pick({10.0 * at_headroom(16e-12), 0.0}) == 2);          // everything clips: the lowest gain
    // A chip whose + line of output 0 is 10 % smaller reaches the headroom sooner.
    ChipInstance small_line = chip;
    small_line.line_capacitance_plus_F[0] *= 0.9;
    CHECK(pick_gain_setting(p, small_line, w, std::vector<double>{0.95 * at_headroom(1e-12), 0.0}, 1) == 1);
    // Switching a chip's lines keeps their mismatch relative to the nominal capacitance.
    set_line_capacitance(p, small_line, 4e-12);
    CHECK(small_line.line_capacitance_plus_F[0] == Approx(0.9 * 4e-12).epsilon(1e-15));
    CHECK(small_line.line_capacitance_minus_F[1] == Approx(4e-12).epsilon(1e-15));
}
