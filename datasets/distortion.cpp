#include "accel/datasets/distortion.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "accel/core/stream_purposes.hpp"

namespace accel::datasets {
namespace {


// Normalised Gaussian taps over ±3σ (the rest of the kernel holds 0.3 % of its weight).
std::vector<double> gaussian_kernel(double sigma) {
    const int half = std::max(1, static_cast<int>(std::ceil(3.0 * sigma)));
    std::vector<double> k(static_cast<std::size_t>(2 * half + 1));
    double sum = 0.0;
    for (int i = -half; i <= half; ++i) sum += k[static_cast<std::size_t>(i + half)] = std::exp(-0.5 * i * i / (sigma * sigma));
    for (double& v : k) v /= sum;
    return k;
}

// Separable convolution with `kernel`, zero outside the image (Simard et al. smooth the
// random field the same way; the field then fades towards the border, where digits are dark).
void smooth(std::vector<double>& field, int rows, int cols, const std::vector<double>& kernel) {
    const int half = static_cast<int>(kernel.size() / 2);
    std::vector<double> tmp(field.size(), 0.0);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            double s = 0.0;
            for (int i = std::max(-half, -c); i <= std::min(half, cols - 1 - c); ++i)
                s += kernel[static_cast<std::size_t>(i + half)] * field[static_cast<std::size_t>(r * cols + c + i)];
            tmp[static_cast<std::size_t>(r * cols + c)] = s;
        }
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            double s = 0.0;
            for (int i = std::max(-half, -r); i <= std::min(half, rows - 1 - r); ++i)
                s += kernel[static_cast<std::size_t>(i + half)] * tmp[static_cast<std::size_t>((r + i) * cols + c)];
            field[static_cast<std::size_t>(r * cols + c)] = s;
        }
}

}  // namespace

Distortion random_distortion(const DistortionSettings& settings, std::uint64_t seed, std::uint32_t presentation, int rows, int cols) {
    if (rows < 1 || cols < 1) throw std::invalid_argument("random_distortion: the image must have at least one pixel");
    if (!(settings.max_rotation_rad >= 0.0) || !(settings.max_scale >= 0.0 && settings.max_scale < 1.0) ||
        !(settings.elastic_alpha_px >= 0.0) || !(settings.elastic_sigma_px > 0.0))
        throw std::invalid_argument("random_distortion: rotation and α must be ≥ 0, the scale range in [0, 1) and σ > 0");
    Distortion d;
    if (!settings.active()) return d;
    core::RandomStream stream = core::purpose_stream(seed, core::StreamPurpose::distortion, presentation);
    // Drawn in a fixed order whatever is switched on, so that enabling one part does not
    // change the draws of another.
    d.rotation_rad = settings.max_rotation_rad * (2.0 * stream.uniform() - 1.0);
    d.scale = 1.0 + settings.max_scale * (2.0 * stream.uniform() - 1.0);
    if (settings.elastic_alpha_px > 0.0) {
        const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
        d.dx_px.resize(n);
        d.dy_px.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            d.dx_px[i] = 2.0 * stream.uniform() - 1.0;
            d.dy_px[i] = 2.0 * stream.uniform() - 1.0;
        }
        const auto kernel = gaussian_kernel(settings.elastic_sigma_px);
        smooth(d.dx_px, rows, cols, kernel);
        smooth(d.dy_px, rows, cols, kernel);
        for (std::size_t i = 0; i < n; ++i) {
            d.dx_px[i] *= settings.elastic_alpha_px;
            d.dy_px[i] *= settings.elastic_alpha_px;
        }
    }
    return d;
}

void distort_image(std::span<const float> image, int rows, int cols, const Distortion& distortion, std::span<float> out) {
    const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    if (rows < 1 || cols < 1 || image.size() != n || out.size() != n)
        throw std::invalid_argument("distort_image: image and output must both hold rows × cols pixels");
    const bool elastic = !distortion.dx_px.empty();
    if (elastic && (distortion.dx_px.size() != n || distortion.dy_px.size() != n))
        throw std::invalid_argument("distort_image: the displacement fields must hold rows × cols values");
    if (!(distortion.scale > 0.0)) throw std::invalid_argument("distort_image: the scale must be > 0");
    const double cr = 0.5 * (rows - 1), cc = 0.5 * (cols - 1);
    // Output → input: undo the scaling and the rotation about the centre.
    const double cos_t = std::cos(distortion.rotation_rad) / distortion.scale;
    const double sin_t = std::sin(distortion.rotation_rad) / distortion.scale;
    auto pixel = [&](int r, int c) -> double {
        return (r < 0 || r >= rows || c < 0 || c >= cols) ? 0.0 : image[static_cast<std::size_t>(r * cols + c)];
    };
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const auto i = static_cast<std::size_t>(r * cols + c);
            const double yr = r - cr, xc = c - cc;
            double y = cr + cos_t * yr - sin_t * xc;
            double x = cc + sin_t * yr + cos_t * xc;
            if (elastic) {
                y += distortion.dy_px[i];
                x += distortion.dx_px[i];
            }
            const double fy = std::floor(y), fx = std::floor(x);
            if (!(fy > -2.0 && fy < rows && fx > -2.0 && fx < cols)) {  // also catches NaN
                out[i] = 0.0f;
                continue;
            }
            const int y0 = static_cast<int>(fy), x0 = static_cast<int>(fx);
            const double wy = y - fy, wx = x - fx;
            const double v = (1.0 - wy) * ((1.0 - wx) * pixel(y0, x0) + wx * pixel(y0, x0 + 1)) +
                             wy * ((1.0 - wx) * pixel(y0 + 1, x0) + wx * pixel(y0 + 1, x0 + 1));
            out[i] = static_cast<float>(v);
        }
}

}  // namespace accel::datasets
