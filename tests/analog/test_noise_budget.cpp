// The noise budget against simulation: its per-frame terms added in quadrature match the
// variance of the line differential over many frames of one chip, and its chip-to-chip
// terms the variance over many drawn chips, each within 5 % (the bound is several standard
// errors of a sample variance: √(2/n) is 1.0 % for 20,000 frames and 1.4 % for 10,000 chips).

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "accel/analog/compute_array.hpp"
#include "accel/analog/noise_budget.hpp"
#include "accel/core/constants.hpp"
#include "accel/core/random_stream.hpp"
#include "tests/analog/sample_statistics.hpp"

using namespace accel::analog;
using namespace accel::core;
using accel::test::moments;

namespace {

constexpr double q = constants::elementary_charge_C;

struct Design {
    ComputeArrayParams p;
    PhotodiodeParams pd;
    std::vector<std::int8_t> weights;
    std::vector<double> signal_e, power_W;
};

// 64 photodiodes of 10³–10⁴ signal electrons, 4 outputs with random binary weights, a
// dark current (39 e) and a shunt resistance (142 e rms) so that every term draws something.
Design design() {
    Design d;
    d.p.inputs = 64;
    d.p.outputs = 4;
    d.p.output_lines = 4;
    d.pd.dark_current_A = 1e-10;
    d.pd.shunt_resistance_ohm = 1e6;
    RandomStream rng(21, StreamKind::training, 0);
    for (int i = 0; i < d.p.inputs * d.p.outputs; ++i) d.weights.push_back(rng.uniform() < 0.5 ? 1 : -1);
    const double electrons_per_W = mean_signal_e(d.pd, 1.0);
    for (int k = 0; k < d.p.inputs; ++k) {
        d.signal_e.push_back(1e3 + 9e3 * rng.uniform());
        d.power_W.push_back(d.signal_e.back() / electrons_per_W);
    }
    return d;
}

}  // namespace

TEST_CASE("The per-frame terms of the noise budget add up to the frame-to-frame variance of the line differential", "[physics][noise_budget]") {
    Design d = design();
    RandomStream chip_stream(4, StreamKind::chip, 2);
    const ChipInstance chip = draw_chip(d.p, chip_stream);  // a mismatched chip: the line gains enter the terms
    NoiseSwitches noise;
    noise.pixel_gain = noise.weight_path = noise.line_capacitance = noise.comparator_offset = false;
    const auto budget = noise_budget(d.p, d.pd, chip, d.weights, d.signal_e, noise);
    constexpr int frames = 20000;
    std::vector<std::vector<double>> differential(4);
    std::vector<double> out(4);
    for (int f = 0; f < frames; ++f) {
        RandomStream frame(4, StreamKind::frame, 2, static_cast<std::uint32_t>(f));
        (void)evaluate_frame(d.p, d.pd, chip, d.weights, d.power_W, noise, frame, out);
        for (std::size_t c = 0; c < 4; ++c) differential[c].push_back(out[c] * d.p.line_capacitance_F / q);
    }
    for (std::size_t c = 0; c < 4; ++c) {
        const auto m = moments(differential[c]);
        const double predicted = budget[c].per_frame_rms_e() * budget[c].per_frame_rms_e();
        INFO("output " << c << ": measured variance " << m.variance << " e², budget " << predicted << " e²");
        CHECK(std::abs(m.variance / predicted - 1.0) < 0.05);
        // The mean is the budget's signal plus the chip's offset.
        CHECK(std::abs(m.mean - budget[c].signal_e - chip.comparator_offset_V[c] * d.p.line_capacitance_F / q) < 5.0 * std::sqrt(m.variance / frames));
    }
}

TEST_CASE("The chip-to-chip terms of the noise budget add up to the variance over drawn chips", "[physics][noise_budget]") {
    Design d = design();
    const ChipInstance ideal = ideal_chip(d.p);
    const auto budget = noise_budget(d.p, d.pd, ideal, d.weights, d.signal_e, NoiseSwitches{});
    NoiseSwitches none = NoiseSwitches::none();
    none.dark = true;  // the mean dark charge, without its shot noise: mismatch acts on it too
    constexpr int chips = 10000;
    std::vector<std::vector<double>> differential(4);
    std::vector<double> out(4);
    RandomStream unused(0, StreamKind::frame, 0);
    for (int k = 0; k < chips; ++k) {
        RandomStream chip_stream(6, StreamKind::chip, static_cast<std::uint32_t>(k));
        const ChipInstance chip = draw_chip(d.p, chip_stream);
        std::vector<double> charge(d.signal_e);
        for (double& v : charge) v += mean_dark_e(d.pd);
        (void)sum_on_lines(d.p, chip, d.weights, charge, 0, 4, none, unused, out);
        for (std::size_t c = 0; c < 4; ++c) differential[c].push_back(out[c] * d.p.line_capacitance_F / q);
    }
    for (std::size_t c = 0; c < 4; ++c) {
        const auto m = moments(differential[c]);
        const double predicted = budget[c].fixed_pattern_rms_e() * budget[c].fixed_pattern_rms_e();
        INFO("output " << c << ": variance over chips " << m.variance << " e², budget " << predicted << " e²");
        CHECK(std::abs(m.variance / predicted - 1.0) < 0.05);
    }
}

TEST_CASE("With auto-zero the budget's offset is what K dark frames leave of it", "[unit][noise_budget]") {
    Design d = design();
    const ChipInstance ideal = ideal_chip(d.p);
    const auto uncalibrated = noise_budget(d.p, d.pd, ideal, d.weights, d.signal_e, NoiseSwitches{});
    d.p.auto_zero = true;
    d.p.auto_zero_frames = 16;
    const auto calibrated = noise_budget(d.p, d.pd, ideal, d.weights, d.signal_e, NoiseSwitches{});
    const auto term = [](const OutputNoiseBudget& b, const std::string& name) {
        for (const auto& t : b.terms)
            if (t.name == name) return t.rms_e;
        return -1.0;
    };
    // 1 mV on 2 pF: 12,483 electrons.
    CHECK(term(uncalibrated[0], "comparator_offset") == Approx(1e-3 * 2e-12 / q).epsilon(1e-12));
    const double dark_frame_variance = std::pow(term(calibrated[0], "dark_shot"), 2) + std::pow(term(calibrated[0], "johnson"), 2) +
                                       std::pow(term(calibrated[0], "reset"), 2);
    CHECK(term(calibrated[0], "comparator_offset") == Approx(std::sqrt(dark_frame_variance / 16.0)).epsilon(1e-12));
    CHECK(term(calibrated[0], "comparator_offset") < 0.05 * term(uncalibrated[0], "comparator_offset"));
}
