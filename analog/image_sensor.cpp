#include "accel/analog/image_sensor.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "accel/core/constants.hpp"

namespace accel::analog {

using namespace core::constants;

void validate(const ImageSensorParams& p) {
    const auto fail = [](const std::string& what) { throw std::invalid_argument("image sensor: " + what); };
    if (!(p.wavelength_m > 0.0) || !std::isfinite(p.wavelength_m)) fail("wavelength must be finite and > 0 m");
    if (!(p.quantum_efficiency > 0.0) || !(p.quantum_efficiency <= 1.0)) fail("quantum efficiency must be in (0, 1]");
    if (!(p.read_noise_e >= 0.0) || !std::isfinite(p.read_noise_e)) fail("read noise must be finite and ≥ 0 e-");
    if (!(p.full_well_e > 0.0) || !std::isfinite(p.full_well_e)) fail("full well must be finite and > 0 e-");
    if (p.adc_bits < 1 || p.adc_bits > 24) fail("ADC bits must be in [1, 24]");
    if (!(p.exposure_time_s > 0.0) || !std::isfinite(p.exposure_time_s)) fail("exposure time must be finite and > 0 s");
    if (!(p.max_analog_gain >= 1.0) || !std::isfinite(p.max_analog_gain)) fail("maximum analog gain must be finite and ≥ 1");
    if (!(p.gain_headroom > 0.0 && p.gain_headroom <= 1.0)) fail("gain headroom must be in (0, 1]");
}

SensorSetting auto_exposure(const ImageSensorParams& p, std::span<const double> power_W) {
    if (!p.auto_gain) return {1.0, p.full_well_e};
    double peak = 0.0;
    for (double w : power_W) peak = std::max(peak, sensor_mean_e(p, w));
    const double wanted = peak / p.gain_headroom;
    if (wanted > p.full_well_e) return {p.full_well_e / wanted, p.full_well_e};
    return {1.0, std::max(wanted, p.full_well_e / p.max_analog_gain)};
}

double sensor_mean_e(const ImageSensorParams& p, double power_W) {
    const double photon_J = planck_J_s * speed_of_light_m_s / p.wavelength_m;
    return p.quantum_efficiency * power_W * p.exposure_time_s / photon_J;
}

void read_sensor(const ImageSensorParams& p, std::span<const double> power_W, bool noisy, core::RandomStream& frame,
                 std::span<std::uint32_t> codes) {
    read_sensor(p, power_W, noisy, frame, codes, SensorSetting{1.0, p.full_well_e});
}

void read_sensor(const ImageSensorParams& p, std::span<const double> power_W, bool noisy, core::RandomStream& frame,
                 std::span<std::uint32_t> codes, const SensorSetting& setting) {
    validate(p);
    if (codes.size() != power_W.size()) throw std::invalid_argument("read_sensor: codes and powers differ in size");
    if (!(setting.full_scale_e > 0.0) || !(setting.full_scale_e <= p.full_well_e) || !(setting.exposure_fraction > 0.0) ||
        !(setting.exposure_fraction <= 1.0))
        throw std::invalid_argument("read_sensor: full scale must be in (0, full well] and the exposure fraction in (0, 1]");
    const double levels = std::ldexp(1.0, p.adc_bits);
    const double e_per_code = setting.full_scale_e / levels;
    for (std::size_t i = 0; i < power_W.size(); ++i) {
        double e = sensor_mean_e(p, power_W[i]);
        if (setting.exposure_fraction != 1.0) e *= setting.exposure_fraction;
        if (noisy) e = frame.poisson(e) + p.read_noise_e * frame.normal();
        e = std::clamp(e, 0.0, p.full_well_e);
        codes[i] = static_cast<std::uint32_t>(std::min(levels - 1.0, std::floor(e / e_per_code)));
    }
}

}  // namespace accel::analog
