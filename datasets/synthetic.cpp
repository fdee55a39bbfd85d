#include "accel/datasets/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "accel/core/stream_purposes.hpp"

namespace accel::datasets {
namespace {


// Variation, in units of the image side: enough that one template per class does not fit
// every image, small enough that the classes stay linearly separable.
constexpr double centre_jitter = 0.08;
constexpr double half_size_min = 0.20, half_size_max = 0.32;
constexpr double stroke_min = 0.10, stroke_max = 0.16;
constexpr double max_rotation_rad = 15.0 * std::numbers::pi / 180.0;
constexpr double brightness_min = 0.6, brightness_max = 1.0;
constexpr double noise_sigma = 0.10;
constexpr int supersampling = 4;  // 4×4 points per pixel: anti-aliased edges

struct ShapeParams {
    int shape = 0;
    double half_size = 0.0;  // s, pixels
    double stroke = 0.0;     // t, pixels
};

bool in_bar(double u, double v, double half_length, double half_width) { return std::abs(u) <= half_length && std::abs(v) <= half_width; }

// Membership in the shape's own frame (u along its axis, v across, origin at its centre).
bool inside(const ShapeParams& p, double u, double v) {
    const double s = p.half_size, h = 0.5 * p.stroke;
    switch (p.shape) {
        case 0: return in_bar(u, v, s, s);
        case 1: return std::abs(std::hypot(u, v) - s) <= h;
        case 2: return in_bar(u, v, 1.2 * s, h);
        case 3: return in_bar(u, v, s, h) || in_bar(v, u, s, h);
        case 4: {
            // Apex up (−v), base at v = +0.8·s, half-base s: |u| ≤ s·(v + s)/(1.8·s).
            return v >= -s && v <= 0.8 * s && std::abs(u) <= (v + s) / 1.8;
        }
        default: {
            const double a = std::numbers::sqrt2 / 2;  // the + rotated by 45°
            const double p1 = a * (u + v), p2 = a * (u - v);
            return in_bar(p1, p2, s, h) || in_bar(p2, p1, s, h);
        }
    }
}

double uniform_in(core::RandomStream& rs, double lo, double hi) { return lo + (hi - lo) * rs.uniform(); }

void render(int shape, int size, core::RandomStream& rs, float* out) {
    const double n = size;
    ShapeParams p{shape, uniform_in(rs, half_size_min, half_size_max) * n, uniform_in(rs, stroke_min, stroke_max) * n};
    const double cx = 0.5 * n + uniform_in(rs, -centre_jitter, centre_jitter) * n;
    const double cy = 0.5 * n + uniform_in(rs, -centre_jitter, centre_jitter) * n;
    const double angle = uniform_in(rs, -max_rotation_rad, max_rotation_rad);
    const double brightness = uniform_in(rs, brightness_min, brightness_max);
    const double c = std::cos(angle), s = std::sin(angle);
    constexpr double weight = 1.0 / (supersampling * supersampling);
    for (int row = 0; row < size; ++row)
        for (int col = 0; col < size; ++col) {
            double coverage = 0.0;
            for (int a = 0; a < supersampling; ++a)
                for (int b = 0; b < supersampling; ++b) {
                    const double dx = col + (b + 0.5) / supersampling - cx, dy = row + (a + 0.5) / supersampling - cy;
                    if (inside(p, c * dx + s * dy, -s * dx + c * dy)) coverage += weight;
                }
            const double value = brightness * coverage + noise_sigma * rs.normal();
            out[static_cast<std::size_t>(row) * static_cast<std::size_t>(size) + static_cast<std::size_t>(col)] =
                static_cast<float>(std::clamp(value, 0.0, 1.0));
        }
}

}  // namespace

Dataset make_synthetic(int count, int classes, std::uint64_t seed, int size) {
    if (count < 0) throw std::invalid_argument("synthetic set: count must be ≥ 0, got " + std::to_string(count));
    if (classes < 2 || classes > synthetic_max_classes)
        throw std::invalid_argument("synthetic set: classes must be 2.." + std::to_string(synthetic_max_classes) + ", got " +
                                    std::to_string(classes));
    if (size < 8 || size > 4096) throw std::invalid_argument("synthetic set: size must be 8..4096 pixels, got " + std::to_string(size));

    Dataset d;
    d.rows = d.cols = size;
    d.classes = classes;
    d.name = "synthetic-shapes";
    // Balanced: label k mod classes, then shuffled so that the order carries no pattern.
    std::vector<int> labels(static_cast<std::size_t>(count));
    for (int k = 0; k < count; ++k) labels[static_cast<std::size_t>(k)] = k % classes;
    core::RandomStream label_stream = core::purpose_stream(seed, core::StreamPurpose::synthetic_label, 0);
    shuffle(labels, label_stream);
    d.labels.resize(labels.size());
    std::transform(labels.begin(), labels.end(), d.labels.begin(), [](int c) { return static_cast<std::uint8_t>(c); });

    d.pixels.resize(static_cast<std::size_t>(count) * d.pixels_per_image());
    // One stream per image: images are independent of each other and could be drawn in any order.
    for (int k = 0; k < count; ++k) {
        core::RandomStream rs = core::purpose_stream(seed, core::StreamPurpose::synthetic_image, static_cast<std::uint32_t>(k));
        render(labels[static_cast<std::size_t>(k)], size, rs, d.pixels.data() + static_cast<std::size_t>(k) * d.pixels_per_image());
    }
    return d;
}

}  // namespace accel::datasets
