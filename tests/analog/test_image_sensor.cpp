// The image sensor of the detect-then-compute baseline: mean electrons, ADC codes, saturation
// at the full well, and the statistics of noisy codes. Statistical bounds follow
// tests/analog/sample_statistics.hpp.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "accel/analog/image_sensor.hpp"
#include "accel/analog/photodiode.hpp"
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

constexpr Tolerance formula_tol{"sensor_formula", 0.0, 1e-14, "the same closed form evaluated in another order: a few ulps"};

// Power giving `electrons` mean photo-electrons over the exposure.
double power_for(const ImageSensorParams& p, double electrons) {
    const double photon_J = constants::planck_J_s * constants::speed_of_light_m_s / p.wavelength_m;
    return electrons * photon_J / (p.quantum_efficiency * p.exposure_time_s);
}

std::vector<double> codes_as_double(const std::vector<std::uint32_t>& codes) { return {codes.begin(), codes.end()}; }

}  // namespace

TEST_CASE("Sensor mean electrons are eta times the photons, as for the photodiode", "[unit][image_sensor]") {
    ImageSensorParams p;
    const double power = 3e-10;
    const double photons = power * p.exposure_time_s * p.wavelength_m / (constants::planck_J_s * constants::speed_of_light_m_s);
    CHECK(within(formula_tol, sensor_mean_e(p, power) - p.quantum_efficiency * photons, p.quantum_efficiency * photons));
    PhotodiodeParams pd;
    pd.integration_time_s = p.exposure_time_s;
    CHECK(within(formula_tol, sensor_mean_e(p, power) - mean_signal_e(pd, power), mean_signal_e(pd, power)));
}

TEST_CASE("Noise-free codes are floor(mean / (full well / 2^bits)) and saturate at the full well", "[unit][image_sensor]") {
    ImageSensorParams p;
    p.adc_bits = GENERATE(8, 12);
    const double levels = std::ldexp(1.0, p.adc_bits);
    const double e_per_code = p.full_well_e / levels;
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(0.0, 1.2 * p.full_well_e);
    std::vector<double> power(2000);
    for (auto& x : power) x = power_for(p, u(rng));
    power[0] = 0.0;
    power[1] = power_for(p, p.full_well_e);         // exactly full: the top code
    power[2] = power_for(p, 1e3 * p.full_well_e);   // far beyond
    std::vector<std::uint32_t> codes(power.size());
    RandomStream s(1, StreamKind::frame, 0, 0);
    read_sensor(p, power, false, s, codes);
    const auto top = static_cast<std::uint32_t>(levels - 1.0);
    for (std::size_t i = 0; i < power.size(); ++i) {
        const double mean = sensor_mean_e(p, power[i]);
        const auto expected = static_cast<std::uint32_t>(std::min(levels - 1.0, std::floor(std::min(mean, p.full_well_e) / e_per_code)));
        INFO("mean " << mean << " e");
        CHECK(codes[i] == expected);
    }
    CHECK(codes[0] == 0);
    CHECK(codes[1] == top);
    CHECK(codes[2] == top);
}

TEST_CASE("Noisy codes stay within 0 to 2^bits - 1 and saturate at the full well", "[unit][image_sensor]") {
    ImageSensorParams p;
    p.adc_bits = GENERATE(1, 8, 12);
    const auto top = static_cast<std::uint32_t>(std::ldexp(1.0, p.adc_bits) - 1.0);
    std::vector<double> power(20000);
    for (std::size_t i = 0; i < power.size(); ++i) power[i] = power_for(p, 3.0 * p.full_well_e * static_cast<double>(i) / 20000.0);
    std::vector<std::uint32_t> codes(power.size());
    RandomStream s(2, StreamKind::frame, 0, 0);
    read_sensor(p, power, true, s, codes);
    CHECK(*std::max_element(codes.begin(), codes.end()) == top);
    CHECK(*std::min_element(codes.begin(), codes.end()) == 0);
    CHECK(std::all_of(codes.begin(), codes.end(), [&](std::uint32_t c) { return c <= top; }));
    // Everything beyond 1.1 full wells (> 10 σ above saturation) reads the top code.
    bool saturated = true;
    for (std::size_t i = 0; i < power.size(); ++i)
        if (sensor_mean_e(p, power[i]) > 1.1 * p.full_well_e) saturated = saturated && codes[i] == top;
    CHECK(saturated);
}

// μ = 5000.3 e, σ² = μ + read² (shot plus read noise), Δ = full well/256 = 39.06 e and σ/Δ ≈ 1.8.
// Quantising a signal spread over several codes is unbiased up to the floor's half code, and
// adds Δ²/12 (Sheppard): E[code] = μ/Δ − 1/2 and Var[code] = σ²/Δ² + 1/12, both up to a
// periodic term of relative size exp(−2π²σ²/Δ²) ≈ e⁻⁶⁴.
TEST_CASE("Noisy sensor codes have the mean and variance of shot plus read noise", "[physics][image_sensor]") {
    ImageSensorParams p;
    const double mu = 5000.3;
    const double e_per_code = p.full_well_e / 256.0;
    constexpr std::size_t n = 100000;
    const std::vector<double> power(n, power_for(p, mu));
    REQUIRE(sensor_mean_e(p, power[0]) == Approx(mu).epsilon(1e-12));
    std::vector<std::uint32_t> codes(n);
    RandomStream s(3, StreamKind::frame, 0, 0);
    read_sensor(p, power, true, s, codes);
    const auto m = moments(codes_as_double(codes));
    const double expected_mean = mu / e_per_code - 0.5;
    const double expected_var = (mu + p.read_noise_e * p.read_noise_e) / (e_per_code * e_per_code) + 1.0 / 12.0;
    INFO("mean code " << m.mean << " (expected " << expected_mean << "), variance " << m.variance << " (expected " << expected_var << ")");
    CHECK(within(Tolerance{"sensor_code_mean", z_bound * m.mean_se(), 0.0, "5 standard errors of the mean"}, m.mean - expected_mean, expected_mean));
    CHECK(within(Tolerance{"sensor_code_variance", z_bound * m.variance_se(), 0.0, "5 standard errors, √((m4 − s⁴)/n)"},
                 m.variance - expected_var, expected_var));
    // In electrons: (mean code + 1/2)·Δ recovers the mean signal.
    CHECK(within(Tolerance{"sensor_mean_electrons", z_bound * m.mean_se() * e_per_code, 0.0, "5 standard errors of the mean, in e-"},
                 (m.mean + 0.5) * e_per_code - mu, mu));
}

TEST_CASE("Image sensor parameters out of range are rejected", "[unit][image_sensor]") {
    const auto invalid = [](auto change) {
        ImageSensorParams p;
        change(p);
        try {
            validate(p);
        } catch (const std::invalid_argument&) {
            return true;
        }
        return false;
    };
    CHECK_NOTHROW(validate(ImageSensorParams{}));
    CHECK(invalid([](ImageSensorParams& p) { p.adc_bits = 0; }));
    CHECK(invalid([](ImageSensorParams& p) { p.adc_bits = 25; }));
    CHECK(invalid([](ImageSensorParams& p) { p.full_well_e = 0.0; }));
    CHECK(invalid([](ImageSensorParams& p) { p.quantum_efficiency = 1.5; }));
    CHECK(invalid([](ImageSensorParams& p) { p.read_noise_e = -1.0; }));
    std::vector<std::uint32_t> codes(2);
    RandomStream s(1, StreamKind::frame, 0, 0);
    CHECK_THROWS_AS(read_sensor(ImageSensorParams{}, std::vector<double>(3, 0.0), false, s, codes), std::invalid_argument);
}

// Auto-exposure: the full scale follows the brightest pixel within the analog gain's range,
// and only where the full well is too small is the exposure shortened.
TEST_CASE("Auto-exposure sets the ADC's full scale on the brightest pixel and shortens the exposure only past the full well",
          "[unit][image_sensor]") {
    ImageSensorParams p;
    CHECK(auto_exposure(p, std::vector<double>{power_for(p, 5e5)}).full_scale_e == p.full_well_e);  // fixed: the full well
    CHECK(auto_exposure(p, std::vector<double>{power_for(p, 5e5)}).exposure_fraction == 1.0);
    p.auto_gain = true;
    const std::vector<double> dim{power_for(p, 90.0), power_for(p, 900.0), 0.0};
    const SensorSetting a = auto_exposure(p, dim);
    CHECK(a.exposure_fraction == 1.0);
    CHECK(a.full_scale_e == Approx(900.0 / p.gain_headroom).epsilon(1e-12));
    // Darker than the highest gain reaches: the full scale stops at full well / max gain.
    CHECK(auto_exposure(p, std::vector<double>{power_for(p, 1.0)}).full_scale_e == Approx(p.full_well_e / p.max_analog_gain).epsilon(1e-12));
    CHECK(auto_exposure(p, std::vector<double>{0.0}).full_scale_e == Approx(p.full_well_e / p.max_analog_gain).epsilon(1e-12));
    // Brighter than the full well: the exposure is cut so the brightest pixel sits at the headroom.
    const SensorSetting b = auto_exposure(p, std::vector<double>{power_for(p, 1e6)});
    CHECK(b.full_scale_e == p.full_well_e);
    CHECK(b.exposure_fraction == Approx(p.gain_headroom * p.full_well_e / 1e6).epsilon(1e-12));
    // Read noise-free under that setting, the brightest pixel lands at the headroom's code and
    // the dim frame's pixels use the whole code range instead of its lowest codes.
    RandomStream s(1, StreamKind::frame, 0, 0);
    std::vector<std::uint32_t> codes(1);
    read_sensor(p, std::vector<double>{power_for(p, 1e6)}, false, s, codes, b);
    CHECK(codes[0] == static_cast<std::uint32_t>(std::floor(p.gain_headroom * 256.0)));
    std::vector<std::uint32_t> fixed(3), automatic(3);
    read_sensor(p, dim, false, s, fixed);
    read_sensor(p, dim, false, s, automatic, a);
    CHECK(fixed[1] == 23);  // 900 e over 39 e per code
    CHECK(automatic[1] == 230);
    CHECK_THROWS_AS(read_sensor(p, dim, false, s, automatic, SensorSetting{1.0, 2.0 * p.full_well_e}), std::invalid_argument);
}
