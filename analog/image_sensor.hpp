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
};

void validate(const ImageSensorParams& p);  // std::invalid_argument naming the member

// Mean photo-electrons of a pixel receiving optical power P (W) over the exposure.
[[nodiscard]] double sensor_mean_e(const ImageSensorParams& p, double power_W);

// ADC codes (0 .. 2^bits − 1) of every pixel for one frame; noise from the frame stream.
// With `noisy` false the code is floor(mean signal / (full well / 2^bits)): the ADC's
// truncation of the noise-free charge. Validates the parameters.
void read_sensor(const ImageSensorParams& p, std::span<const double> power_W, bool noisy, core::RandomStream& frame,
                 std::span<std::uint32_t> codes);

}  // namespace accel::analog
