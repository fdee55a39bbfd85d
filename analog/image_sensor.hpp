#pragma once
// The detect-then-compute baseline's front end: a conventional image sensor whose pixels
// collect photo-electrons (Poisson), add read noise (Gaussian, e⁻ rms), saturate at the
// full well and are digitised by an ADC of `adc_bits` over [0, full well].

#include <cstdint>
#include <span>

#include "accel/core/random_stream.hpp"

namespace accel::analog {

struct ImageSensorParams {
    double wavelength_m = 532e-9;
    double quantum_efficiency = 0.6;
    double read_noise_e = 2.0;
    double full_well_e = 10000.0;
    int adc_bits = 8;
    double exposure_time_s = 72e-9;
    // Auto-exposure: the ADC's full scale follows the frame's brightest pixel (see
    // auto_full_scale_e); off, it is the full well whatever the light.
    bool auto_gain = false;
    double max_analog_gain = 64.0;  // the smallest full scale is full_well / max_analog_gain
    double gain_headroom = 0.9;     // the brightest pixel's mean charge maps to this share of full scale
};

void validate(const ImageSensorParams& p);  // std::invalid_argument naming the member

// Mean photo-electrons of a pixel receiving optical power P (W) over the exposure.
[[nodiscard]] double sensor_mean_e(const ImageSensorParams& p, double power_W);

// ADC codes (0 .. 2^bits − 1) of every pixel for one frame; noise from the frame stream.
// With `noisy` false the code is floor(mean signal / (full well / 2^bits)): the ADC's
// truncation of the noise-free charge. Validates the parameters.
void read_sensor(const ImageSensorParams& p, std::span<const double> power_W, bool noisy, core::RandomStream& frame,
                 std::span<std::uint32_t> codes);
// How a frame is exposed and read: the fraction of the exposure time the pixels integrate
// (1: all of it) and the ADC's full scale in electrons (≤ the full well; the pixel still
// saturates at the full well).
struct SensorSetting {
    double exposure_fraction = 1.0;
    double full_scale_e = 0.0;
};

// The setting an auto-exposure picks for a frame: the brightest pixel's mean charge maps to
// gain_headroom of full scale, the full scale at least full_well / max_analog_gain (the
// highest analog gain); where even the full well is too small, the exposure is shortened until
// the brightest pixel fits (light is then thrown away, as a camera's shutter does). Without
// auto_gain: the whole exposure over the full well. An idealisation in the camera's favour:
// the setting is taken on the frame itself (its mean charges), as a metering pass that costs
// neither light nor time.
[[nodiscard]] SensorSetting auto_exposure(const ImageSensorParams& p, std::span<const double> power_W);

// read_sensor under a given setting (the one above is read_sensor at {1, full well}).
void read_sensor(const ImageSensorParams& p, std::span<const double> power_W, bool noisy, core::RandomStream& frame,
                 std::span<std::uint32_t> codes, const SensorSetting& setting);

}  // namespace accel::analog
