#pragma once
// Random geometric distortion of training images: a small rotation and scaling about the
// image centre, followed by an elastic deformation.
//
// The elastic deformation is Simard, Steinkraus & Platt (ICDAR 2003, section 2): every pixel
// gets a random displacement uniform in [−1, 1] along each axis; the two displacement fields
// are smoothed with a Gaussian of width σ (image px) and scaled by α (image px). With σ = 4
// and α = 34 on 28×28 digits it gives the strokes the local wobble of handwriting, which
// taught small-set MNIST models more than whole-image shifts do. Each output pixel samples
// the input bilinearly at its displaced position; light from outside the image is 0.
//
// Like the shifts of augment.hpp, the draw is keyed on (seed, presentation) only, so it does
// not depend on threads or on resuming.

#include <cstdint>
#include <span>
#include <vector>

namespace accel::datasets {

struct DistortionSettings {
    double max_rotation_rad = 0.0;  // rotation uniform in [−max, max]
    double max_scale = 0.0;         // scale factor uniform in [1 − max, 1 + max]
    double elastic_alpha_px = 0.0;  // Simard's α: scale of the smoothed displacement field (image px)
    double elastic_sigma_px = 4.0;  // Simard's σ: Gaussian smoothing width of that field (image px)

    [[nodiscard]] bool active() const { return max_rotation_rad > 0.0 || max_scale > 0.0 || elastic_alpha_px > 0.0; }
};

// One distortion's parameters, drawn for a training presentation.
struct Distortion {
    double rotation_rad = 0.0;
    double scale = 1.0;
    std::vector<double> dx_px, dy_px;  // elastic displacement of each output pixel (rows × cols; empty: none)
};

// The distortion of training presentation `presentation` (the same frame number the shifts
// and the trainer's noise are keyed on) for rows × cols images.
Distortion random_distortion(const DistortionSettings& settings, std::uint64_t seed, std::uint32_t presentation, int rows, int cols);

// `image` (rows × cols, row-major) resampled through `distortion` into `out` (same size):
// output pixel p takes the bilinear sample of the input at centre + R(−θ)(p − centre)/scale +
// (dy, dx)(p). `out` must not alias `image`.
void distort_image(std::span<const float> image, int rows, int cols, const Distortion& distortion, std::span<float> out);

}  // namespace accel::datasets
