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
}

double sensor_mean_e(const ImageSensorParams& p, double power_W) {
    const double photon_J = planck_J_s * speed_of_light_m_s / p.wavelength_m;
    return p.quantum_efficiency * power_W * p.exposure_time_s / photon_J;
}

void read_sensor(const ImageSensorParams& p, std::span<const double> power_W, bool noisy, core::RandomStream& frame,
                 std::span<std::uint32_t> codes) {
    validate(p);
    if (codes.size() != power_W.size()) throw std::invalid_argument("read_sensor: codes and powers differ in size");
    const double levels = std::ldexp(1.0, p.adc_bits);
    const double e_per_code = p.full_well_e / levels;
    for (std::size_t i = 0; i < power_W.size(); ++i) {
        double e = sensor_mean_e(p, power_W[i]);
        if (noisy) e = frame.poisson(e) + p.read_noise_e * frame.normal();
        e = std::clamp(e, 0.0, p.full_well_e);
        codes[i] = static_cast<std::uint32_t>(std::min(levels - 1.0, std::floor(e / e_per_code)));
    }
}

}  // namespace accel::analog
