#include "accel/analog/photodiode.hpp"

#include <stdexcept>
#include <string>

#include "accel/core/constants.hpp"
#include "accel/core/format.hpp"

namespace accel::analog {

using namespace core::constants;

void validate(const PhotodiodeParams& p) {
    const auto fail = [](const std::string& what) { throw std::invalid_argument("photodiode: " + what); };
    if (!(p.wavelength_m > 0.0) || !std::isfinite(p.wavelength_m)) fail("wavelength must be finite and > 0 m");
    if (!(p.quantum_efficiency > 0.0) || !(p.quantum_efficiency <= 1.0))
        fail("quantum efficiency must be in (0, 1], got " + core::shortest_text(p.quantum_efficiency));
    if (!(p.dark_current_A >= 0.0) || !std::isfinite(p.dark_current_A)) fail("dark current must be finite and ≥ 0 A");
    if (!(p.integration_time_s > 0.0) || !std::isfinite(p.integration_time_s)) fail("integration time must be finite and > 0 s");
    if (!(p.capacitance_F > 0.0) || !std::isfinite(p.capacitance_F)) fail("capacitance must be finite and > 0 F");
    if (!(p.shunt_resistance_ohm > 0.0)) fail("shunt resistance must be > 0 ohm (inf for none)");
    if (!(p.temperature_K > 0.0) || !std::isfinite(p.temperature_K)) fail("temperature must be finite and > 0 K");
}

double responsivity_A_per_W(const PhotodiodeParams& p) {
    return elementary_charge_C * p.quantum_efficiency * p.wavelength_m / (planck_J_s * speed_of_light_m_s);
}

double mean_signal_e(const PhotodiodeParams& p, double power_W) {
    return responsivity_A_per_W(p) * power_W * p.integration_time_s / elementary_charge_C;
}

double mean_dark_e(const PhotodiodeParams& p) { return p.dark_current_A * p.integration_time_s / elementary_charge_C; }

double thermal_sigma_e(const PhotodiodeParams& p) {
    if (!std::isfinite(p.shunt_resistance_ohm)) return 0.0;
    return std::sqrt(2.0 * boltzmann_J_K * p.temperature_K * p.integration_time_s / p.shunt_resistance_ohm) / elementary_charge_C;
}

double photodiode_charge_e(const PhotodiodeParams& p, double power_W, const NoiseSwitches& noise, core::RandomStream& frame) {
    return photodiode_charge_from_signal_e(p, mean_signal_e(p, power_W), noise, frame);
}

double photodiode_charge_from_signal_e(const PhotodiodeParams& p, double signal, const NoiseSwitches& noise, core::RandomStream& frame) {
    const double dark = noise.dark ? mean_dark_e(p) : 0.0;
    // Photo- and dark electrons are independent Poisson counts; their sum is Poisson too.
    // With photon shot noise off, the dark electrons keep their own shot noise (the `dark`
    // switch covers the mean and its shot noise).
    double charge = 0.0;
    if (noise.shot) charge = frame.poisson(signal + dark, noise.gaussian_above_e);
    else charge = signal + (dark > 0.0 ? frame.poisson(dark, noise.gaussian_above_e) : 0.0);
    if (noise.thermal) {
        const double sigma = thermal_sigma_e(p);
        if (sigma > 0.0) charge += sigma * frame.normal();
    }
    return charge;
}

ReparameterisedCharge reparameterised_charge_e(const PhotodiodeParams& p, double mean_e, double dark_e, const NoiseSwitches& noise,
                                               core::RandomStream& frame) {
    ReparameterisedCharge q{mean_e, 1.0};
    if (noise.shot && mean_e > 0.0) {
        const double eps = frame.normal();
        q.charge_e = mean_e + std::sqrt(mean_e) * eps;
        q.dcharge_dmean = 1.0 + eps / (2.0 * std::sqrt(mean_e));
    } else if (dark_e > 0.0) {
        q.charge_e = mean_e + std::sqrt(dark_e) * frame.normal();  // dark-current shot noise alone
    }
    if (noise.thermal) q.charge_e += thermal_sigma_e(p) * frame.normal();
    return q;
}

void frame_charges_e(const PhotodiodeParams& p, const NoiseSwitches& noise, ChargeSampling sampling, std::span<const double> power_W,
                     core::RandomStream& frame, std::span<double> charge_e, std::span<double> dcharge_dmean) {
    frame_charges_e(p, noise, sampling, power_W, FrameUnit::power_W, frame, charge_e, dcharge_dmean);
}

void frame_charges_e(const PhotodiodeParams& p, const NoiseSwitches& noise, ChargeSampling sampling, std::span<const double> values,
                     FrameUnit unit, core::RandomStream& frame, std::span<double> charge_e, std::span<double> dcharge_dmean) {
    const bool watts = unit == FrameUnit::power_W;
    const double electrons_per_W = mean_signal_e(p, 1.0);
    const double dark = sampling != ChargeSampling::noise_free && noise.dark ? mean_dark_e(p) : 0.0;
    for (std::size_t k = 0; k < values.size(); ++k) {
        const double mean = (watts ? electrons_per_W * values[k] : values[k]) + dark;
        double q = mean, dq = 1.0;
        if (sampling == ChargeSampling::reparameterised) {
            const ReparameterisedCharge sampled = reparameterised_charge_e(p, mean, dark, noise, frame);
            q = sampled.charge_e;
            dq = sampled.dcharge_dmean;
        } else if (sampling == ChargeSampling::exact) {
            q = watts ? photodiode_charge_e(p, values[k], noise, frame) : photodiode_charge_from_signal_e(p, values[k], noise, frame);
        }
        charge_e[k] = q;
        dcharge_dmean[k] = dq;
    }
}

}  // namespace accel::analog
