// Photodiode: responsivity, mean charges, and the units and scaling of its three noise terms
// (photon shot, dark-current shot, Johnson), all in electrons. Statistical bounds follow
// tests/analog/sample_statistics.hpp (5 standard errors from the sampling distribution).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "accel/analog/photodiode.hpp"
#include "accel/core/constants.hpp"
#include "tests/analog/sample_statistics.hpp"
#include "tests/optics/tolerances.hpp"

using namespace accel::analog;
using namespace accel::core;
using accel::test::moments;
using accel::test::SampleMoments;
using accel::test::Tolerance;
using accel::test::within;
using accel::test::z_bound;

namespace {

constexpr double q = constants::elementary_charge_C;
constexpr double kB = constants::boltzmann_J_K;

constexpr Tolerance formula_tol{"photodiode_formula", 0.0, 1e-14, "the same closed form evaluated in another order: a few ulps"};
constexpr Tolerance published_responsivity_tol{"responsivity_0.257", 5e-4, 0.0, "0.257 A/W is quoted to 3 digits: half a unit of the last"};

// Poisson counts: mean and variance both λ; standard errors √(λ/n) and √((λ + 2λ²)/n).
void check_poisson_moments(const SampleMoments& m, double lambda, const char* what) {
    INFO(what << ": mean " << m.mean << " e, variance " << m.variance << " e², expected " << lambda);
    CHECK(within(Tolerance{"charge_mean", z_bound * std::sqrt(lambda / m.n), 0.0, "5 standard errors, √(λ/n)"}, m.mean - lambda, lambda));
    CHECK(within(Tolerance{"charge_variance", z_bound * std::sqrt((lambda + 2.0 * lambda * lambda) / m.n), 0.0,
                           "5 standard errors of a Poisson sample variance, √((λ + 2λ²)/n)"},
                 m.variance - lambda, lambda));
}

std::vector<double> charges(const PhotodiodeParams& p, double power_W, const NoiseSwitches& noise, std::size_t n, std::uint32_t frame) {
    RandomStream s(99, StreamKind::frame, 0, frame);
    std::vector<double> x(n);
    for (double& v : x) v = photodiode_charge_e(p, power_W, noise, s);
    return x;
}

// Power that gives `electrons` mean photo-electrons in one integration.
double power_for(const PhotodiodeParams& p, double electrons) { return electrons * q / (responsivity_A_per_W(p) * p.integration_time_s); }

}  // namespace

TEST_CASE("Responsivity is q·eta·lambda/(h·c), 0.257 A/W at 532 nm and eta = 0.6", "[unit][photodiode]") {
    PhotodiodeParams p;  // 532 nm, η = 0.6
    const double photon_J = constants::planck_J_s * constants::speed_of_light_m_s / p.wavelength_m;
    const double r = responsivity_A_per_W(p);
    CHECK(within(formula_tol, r - p.quantum_efficiency * q / photon_J, r));
    CHECK(within(published_responsivity_tol, r - 0.257, 0.257));
    // Linear in η and in λ.
    PhotodiodeParams p2 = p;
    p2.quantum_efficiency = 0.3;
    p2.wavelength_m = 2.0 * p.wavelength_m;
    CHECK(within(formula_tol, responsivity_A_per_W(p2) - r, r));
}

TEST_CASE("Mean charges are eta times the photons, and dark current times time over q", "[unit][photodiode]") {
    PhotodiodeParams p;
    const double power = 1e-9;  // 1 nW
    const double photons = power * p.integration_time_s * p.wavelength_m / (constants::planck_J_s * constants::speed_of_light_m_s);
    CHECK(within(formula_tol, mean_signal_e(p, power) - p.quantum_efficiency * photons, p.quantum_efficiency * photons));
    CHECK(mean_signal_e(p, 0.0) == 0.0);
    CHECK(within(formula_tol, mean_dark_e(p) - p.dark_current_A * p.integration_time_s / q, mean_dark_e(p)));
    // Noise off: the collected charge is the mean signal, to the last bit.
    RandomStream s(1, StreamKind::frame, 0, 0);
    CHECK(photodiode_charge_e(p, power, NoiseSwitches::none(), s) == mean_signal_e(p, power));
}

// Photon shot noise is Poisson in electrons: variance = mean (e²), so doubling the optical
// power doubles the variance. (Were noise added to the optical power instead, the variance in
// e² would scale with the responsivity squared and not equal the mean.)
TEST_CASE("Photon shot noise variance equals the mean electrons and doubles with the power", "[physics][photodiode]") {
    PhotodiodeParams p;
    NoiseSwitches shot_only = NoiseSwitches::none();
    shot_only.shot = true;
    constexpr std::size_t n = 100000;
    const double p1 = power_for(p, 40.0);
    const auto m1 = moments(charges(p, p1, shot_only, n, 1));
    const auto m2 = moments(charges(p, 2.0 * p1, shot_only, n, 2));
    check_poisson_moments(m1, mean_signal_e(p, p1), "P");
    check_poisson_moments(m2, mean_signal_e(p, 2.0 * p1), "2P");
    // Ratio of two independent variances: relative standard error √(r1² + r2²), r = se/σ².
    const double r1 = m1.variance_se() / m1.variance, r2 = m2.variance_se() / m2.variance;
    const double ratio = m2.variance / m1.variance;
    INFO("variance ratio " << ratio);
    CHECK(within(Tolerance{"shot_variance_ratio", z_bound * 2.0 * std::sqrt(r1 * r1 + r2 * r2), 0.0,
                           "5 standard errors of a ratio of sample variances (delta method)"},
                 ratio - 2.0, 2.0));
}

// Dark current contributes a mean I_dark·t/q and its own shot noise, variance = that mean,
// whether or not photon shot noise is switched on (the `dark` switch covers "mean and its shot
// noise", photodiode.hpp).
TEST_CASE("Dark-current shot noise variance equals the mean dark electrons", "[physics][photodiode]") {
    PhotodiodeParams p;
    p.dark_current_A = 30.0 * q / p.integration_time_s;  // 30 dark electrons per integration
    REQUIRE(mean_dark_e(p) == Approx(30.0).epsilon(1e-12));
    constexpr std::size_t n = 100000;
    NoiseSwitches dark_and_shot = NoiseSwitches::none();
    dark_and_shot.dark = dark_and_shot.shot = true;
    check_poisson_moments(moments(charges(p, 0.0, dark_and_shot, n, 3)), mean_dark_e(p), "dark with photon shot noise on");
    NoiseSwitches dark_only = NoiseSwitches::none();
    dark_only.dark = true;
    check_poisson_moments(moments(charges(p, 0.0, dark_only, n, 4)), mean_dark_e(p), "dark with photon shot noise off");
    // Dark switch off: no dark charge at all, even with shot noise on.
    NoiseSwitches shot_only = NoiseSwitches::none();
    shot_only.shot = true;
    const auto none = charges(p, 0.0, shot_only, 1000, 5);
    CHECK(std::all_of(none.begin(), none.end(), [](double v) { return v == 0.0; }));
    // Photon and dark electrons add: variance = signal + dark.
    check_poisson_moments(moments(charges(p, power_for(p, 20.0), dark_and_shot, n, 6)), mean_dark_e(p) + 20.0, "signal plus dark");
}

// Johnson noise of a shunt R integrated over t: Var Q = (4kT/R)/2 · t, σ = √(2kTt/R)/q
// electrons; without a resistor (R = ∞) there is none.
TEST_CASE("Johnson noise sigma is sqrt(2kTt/R)/q electrons and zero without a resistor", "[physics][photodiode]") {
    PhotodiodeParams p;
    CHECK(std::isinf(p.shunt_resistance_ohm));
    CHECK(thermal_sigma_e(p) == 0.0);
    p.shunt_resistance_ohm = 1e6;
    const double sigma = std::sqrt(2.0 * kB * p.temperature_K * p.integration_time_s / p.shunt_resistance_ohm) / q;
    CHECK(within(formula_tol, thermal_sigma_e(p) - sigma, sigma));
    CHECK(sigma == Approx(141.45).epsilon(1e-4));  // 300 K, 62 ns, 1 MΩ
    // Scaling: σ ∝ 1/√R and ∝ √T.
    PhotodiodeParams p4 = p;
    p4.shunt_resistance_ohm = 4e6;
    p4.temperature_K = 4.0 * p.temperature_K;
    CHECK(within(formula_tol, thermal_sigma_e(p4) - sigma, sigma));

    NoiseSwitches thermal_only = NoiseSwitches::none();
    thermal_only.thermal = true;
    constexpr std::size_t n = 100000;
    const auto m = moments(charges(p, 0.0, thermal_only, n, 7));
    const double nn = static_cast<double>(n);
    INFO("Johnson charge: mean " << m.mean << " e, sd " << std::sqrt(m.variance) << " e, expected sd " << sigma);
    CHECK(within(Tolerance{"johnson_mean", z_bound * sigma / std::sqrt(nn), 0.0, "5 standard errors, σ/√n"}, m.mean, 0.0));
    CHECK(within(Tolerance{"johnson_variance", z_bound * sigma * sigma * std::sqrt(2.0 / nn), 0.0, "5 standard errors, σ²·√(2/n) (normal)"},
                 m.variance - sigma * sigma, sigma * sigma));
    // With R = ∞ the thermal switch adds nothing.
    p.shunt_resistance_ohm = std::numeric_limits<double>::infinity();
    const auto zero = charges(p, 0.0, thermal_only, 100, 8);
    CHECK(std::all_of(zero.begin(), zero.end(), [](double v) { return v == 0.0; }));
}

TEST_CASE("Photodiode parameters out of range are rejected", "[unit][photodiode]") {
    const auto rejects = [](auto change) {
        PhotodiodeParams p;
        change(p);
        return [p] { validate(p); };
    };
    CHECK_NOTHROW(validate(PhotodiodeParams{}));
    CHECK_THROWS_AS(rejects([](PhotodiodeParams& p) { p.quantum_efficiency = 0.0; })(), std::invalid_argument);
    CHECK_THROWS_AS(rejects([](PhotodiodeParams& p) { p.quantum_efficiency = 1.5; })(), std::invalid_argument);
    CHECK_THROWS_AS(rejects([](PhotodiodeParams& p) { p.dark_current_A = -1e-15; })(), std::invalid_argument);
    CHECK_THROWS_AS(rejects([](PhotodiodeParams& p) { p.shunt_resistance_ohm = 0.0; })(), std::invalid_argument);
    CHECK_THROWS_AS(rejects([](PhotodiodeParams& p) { p.integration_time_s = 0.0; })(), std::invalid_argument);
    CHECK_THROWS_WITH(rejects([](PhotodiodeParams& p) { p.quantum_efficiency = 1.5; })(), Catch::Matchers::Contains("(0, 1]"));
}

TEST_CASE("The reparameterised training charge has the variance of the switched-on terms, dark shot noise included", "[unit][photodiode]") {
    PhotodiodeParams p;
    p.dark_current_A = 1e-9;  // 1 nA over the 62 ns integration: a dark count of 387 electrons
    p.shunt_resistance_ohm = 1e9;
    const double dark = mean_dark_e(p), signal = 2000.0, mean = signal + dark;
    const auto sample = [&](const NoiseSwitches& noise, double mean_e, double dark_e) {
        RandomStream s(7, StreamKind::frame, 0, 3);
        std::vector<double> x(100000);
        for (double& v : x) v = reparameterised_charge_e(p, mean_e, dark_e, noise, s).charge_e;
        return moments(x);
    };
    const auto check_normal = [](const SampleMoments& m, double expected_mean, double expected_variance, const char* what) {
        INFO(what << ": mean " << m.mean << " e, variance " << m.variance << " e², expected " << expected_mean << ", " << expected_variance);
        CHECK(within(Tolerance{"charge_mean", z_bound * std::sqrt(expected_variance / m.n), 0.0, "5 standard errors"}, m.mean - expected_mean,
                     expected_mean));
        CHECK(within(Tolerance{"charge_variance", z_bound * expected_variance * std::sqrt(2.0 / m.n), 0.0,
                               "5 standard errors of a normal sample variance, σ²·√(2/n)"},
                     m.variance - expected_variance, expected_variance));
    };
    NoiseSwitches shot_only = NoiseSwitches::none();
    shot_only.shot = true;
    check_normal(sample(shot_only, mean, 0.0), mean, mean, "shot noise of signal and dark");
    // Shot noise off, dark current on: the dark current keeps its own shot noise, in both
    // models alike (the D2NN model once left it out).
    NoiseSwitches dark_only = NoiseSwitches::none();
    dark_only.dark = true;
    check_normal(sample(dark_only, mean, dark), mean, dark, "dark-current shot noise alone");
    NoiseSwitches thermal_too = dark_only;
    thermal_too.thermal = true;
    const double sigma = thermal_sigma_e(p);
    check_normal(sample(thermal_too, mean, dark), mean, dark + sigma * sigma, "dark and thermal noise");
    // Everything off: the mean itself, with derivative 1.
    RandomStream s(7, StreamKind::frame, 0, 3);
    const ReparameterisedCharge none = reparameterised_charge_e(p, mean, 0.0, NoiseSwitches::none(), s);
    CHECK(none.charge_e == mean);
    CHECK(none.dcharge_dmean == 1.0);
}

TEST_CASE("A frame's charges are the single-photodiode samplers' draws, in detector order", "[unit][photodiode]") {
    PhotodiodeParams p;
    p.dark_current_A = 1e-12;
    p.shunt_resistance_ohm = 1e9;
    const NoiseSwitches noise;  // every term on
    const std::vector<double> power_W = {0.0, 1e-13, 3e-12, 2.5e-11, 0.0, 7e-12};
    const double electrons_per_W = mean_signal_e(p, 1.0), dark = mean_dark_e(p);
    const auto draw = [&](ChargeSampling sampling) {
        RandomStream s(5, StreamKind::frame, 1, 9);
        std::vector<double> q(power_W.size()), dq(power_W.size());
        frame_charges_e(p, noise, sampling, power_W, s, q, dq);
        return std::pair{q, dq};
    };
    SECTION("noise-free: the means, no dark electrons") {
        const auto [q, dq] = draw(ChargeSampling::noise_free);
        for (std::size_t k = 0; k < power_W.size(); ++k) {
            CHECK(q[k] == electrons_per_W * power_W[k]);
            CHECK(dq[k] == 1.0);
        }
    }
    SECTION("exact: photodiode_charge_e per photodiode") {
        const auto [q, dq] = draw(ChargeSampling::exact);
        RandomStream s(5, StreamKind::frame, 1, 9);
        for (std::size_t k = 0; k < power_W.size(); ++k) {
            CHECK(q[k] == photodiode_charge_e(p, power_W[k], noise, s));
            CHECK(dq[k] == 1.0);
        }
    }
    SECTION("reparameterised: reparameterised_charge_e of μ = κ·P + dark, with its derivative") {
        const auto [q, dq] = draw(ChargeSampling::reparameterised);
        RandomStream s(5, StreamKind::frame, 1, 9);
        for (std::size_t k = 0; k < power_W.size(); ++k) {
            const ReparameterisedCharge expected = reparameterised_charge_e(p, electrons_per_W * power_W[k] + dark, dark, noise, s);
            CHECK(q[k] == expected.charge_e);
            CHECK(dq[k] == expected.dcharge_dmean);
        }
    }
}
