#include "accel/datasets/encoding.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "accel/core/constants.hpp"
#include "accel/core/format.hpp"

namespace accel::datasets {

ImageEncoder::Axis ImageEncoder::make_axis(int source_px, int window_px) {
    // Integer coordinates in units of 1/(source·window) of the image side: source pixel i spans
    // [i·w, (i+1)·w), window pixel j spans [j·m, (j+1)·m). Overlaps are then exact integers and
    // an integer upsampling factor gives weights of exactly 1 (pure block replication).
    const std::int64_t m = source_px, w = window_px;
    Axis axis;
    axis.start.reserve(static_cast<std::size_t>(window_px) + 1);
    for (std::int64_t j = 0; j < w; ++j) {
        axis.start.push_back(static_cast<int>(axis.taps.size()));
        const std::int64_t lo = j * m, hi = (j + 1) * m;
        for (std::int64_t i = lo / w; i * w < hi; ++i) {
            const std::int64_t overlap = std::min(hi, (i + 1) * w) - std::max(lo, i * w);
            if (overlap > 0) axis.taps.push_back({static_cast<int>(i), static_cast<double>(overlap) / static_cast<double>(m)});
        }
    }
    axis.start.push_back(static_cast<int>(axis.taps.size()));
    return axis;
}

ImageEncoder::ImageEncoder(int rows, int cols, int window_px, int grid_n)
    : rows_(rows), cols_(cols), window_px_(window_px), grid_n_(grid_n), offset_((grid_n - window_px) / 2) {
    if (rows < 1 || cols < 1)
        throw std::invalid_argument("image encoder: image must be at least 1×1, got " + std::to_string(rows) + "×" + std::to_string(cols));
    if (window_px < 1 || window_px > grid_n)
        throw std::invalid_argument("image encoder: input window of " + std::to_string(window_px) + " px must be 1.." +
                                    std::to_string(grid_n) + " (the grid size)");
    row_axis_ = make_axis(rows, window_px);
    col_axis_ = make_axis(cols, window_px);
}

template <class Real>
double ImageEncoder::encode(std::span<const float> image, std::span<std::complex<Real>> field, double amplitude_scale,
                            Encoding encoding) const {
    const std::size_t n = static_cast<std::size_t>(grid_n_), cols = static_cast<std::size_t>(cols_);
    if (image.size() != static_cast<std::size_t>(rows_) * cols)
        throw std::invalid_argument("image encoder: image has " + std::to_string(image.size()) + " values, expected " +
                                    std::to_string(rows_) + "×" + std::to_string(cols_));
    if (field.size() != n * n)
        throw std::invalid_argument("image encoder: field has " + std::to_string(field.size()) + " samples, expected " +
                                    std::to_string(grid_n_) + "²");
    // Values outside [0, 1] are not an image (and sqrt of a negative would be NaN).
    for (const float v : image)
        if (!(v >= 0.0f && v <= 1.0f)) throw std::invalid_argument("image encoder: pixel value " + core::shortest_text(v) + " outside [0, 1]");

    // Zero outside the window only: the window is overwritten below.
    const std::size_t off = static_cast<std::size_t>(offset_), w = static_cast<std::size_t>(window_px_);
    const std::complex<Real> zero(0);
    std::fill(field.begin(), field.begin() + static_cast<std::ptrdiff_t>(off * n), zero);
    std::fill(field.begin() + static_cast<std::ptrdiff_t>((off + w) * n), field.end(), zero);
    for (std::size_t r = off; r < off + w; ++r) {
        std::fill_n(field.begin() + static_cast<std::ptrdiff_t>(r * n), off, zero);
        std::fill(field.begin() + static_cast<std::ptrdiff_t>(r * n + off + w), field.begin() + static_cast<std::ptrdiff_t>((r + 1) * n), zero);
    }
    double sum = 0.0, row_sum = 0.0;
    for (int wr = 0; wr < window_px_; ++wr) {
        std::complex<Real>* out = field.data() + (off + static_cast<std::size_t>(wr)) * n + off;
        const auto r0 = static_cast<std::size_t>(row_axis_.start[static_cast<std::size_t>(wr)]);
        const auto r1 = static_cast<std::size_t>(row_axis_.start[static_cast<std::size_t>(wr) + 1]);
        // Upsampling repeats rows (16 times over for ×16): a row with the same taps as the one
        // above is a copy of it.
        if (wr > 0) {
            const auto p0 = static_cast<std::size_t>(row_axis_.start[static_cast<std::size_t>(wr) - 1]);
            const bool same = r1 - r0 == r0 - p0 && std::equal(row_axis_.taps.begin() + static_cast<std::ptrdiff_t>(r0),
                                                               row_axis_.taps.begin() + static_cast<std::ptrdiff_t>(r1),
                                                               row_axis_.taps.begin() + static_cast<std::ptrdiff_t>(p0));
            if (same) {
                std::copy_n(out - n, w, out);
                sum += row_sum;
                continue;
            }
        }
        row_sum = 0.0;
        for (int wc = 0; wc < window_px_; ++wc) {
            const auto c0 = static_cast<std::size_t>(col_axis_.start[static_cast<std::size_t>(wc)]);
            const auto c1 = static_cast<std::size_t>(col_axis_.start[static_cast<std::size_t>(wc) + 1]);
            double value = 0.0;
            for (std::size_t a = r0; a < r1; ++a) {
                const Tap tr = row_axis_.taps[a];
                const float* src = image.data() + static_cast<std::size_t>(tr.source) * cols;
                double across = 0.0;
                for (std::size_t b = c0; b < c1; ++b) across += col_axis_.taps[b].weight * src[col_axis_.taps[b].source];
                value += tr.weight * across;
            }
            // Weights sum to 1 only up to rounding: keep the value a valid pixel value.
            value = std::clamp(value, 0.0, 1.0);
            const double amplitude = encoding == Encoding::amplitude ? value : std::sqrt(value);
            row_sum += amplitude * amplitude;
            out[wc] = std::complex<Real>(static_cast<Real>(amplitude_scale * amplitude), Real(0));
        }
        sum += row_sum;
    }
    return sum;
}

template <class Real>
double encode_amplitude(std::span<const float> image, int rows, int cols, int window_px, int grid_n,
                        std::span<std::complex<Real>> field, double amplitude_scale, Encoding encoding) {
    return ImageEncoder(rows, cols, window_px, grid_n).encode(image, field, amplitude_scale, encoding);
}

double frame_energy_J(const LightLevel& level, double window_side_m, double wavelength_m) {
    if (!(level.value >= 0.0) || !std::isfinite(level.value))
        throw std::invalid_argument("light level must be finite and ≥ 0, got " + std::to_string(level.value));
    switch (level.kind) {
        case LightLevel::energy_density_fJ_per_um2: {
            if (!(window_side_m > 0.0)) throw std::invalid_argument("input window side must be > 0 m");
            constexpr double J_per_m2_per_fJ_per_um2 = 1e-15 / 1e-12;
            return level.value * J_per_m2_per_fJ_per_um2 * window_side_m * window_side_m;
        }
        case LightLevel::total_energy_J: return level.value;
        case LightLevel::photons: {
            if (!(wavelength_m > 0.0)) throw std::invalid_argument("wavelength must be > 0 m");
            using namespace core::constants;
            return level.value * planck_J_s * speed_of_light_m_s / wavelength_m;
        }
    }
    throw std::invalid_argument("unknown light level kind");
}

double amplitude_scale_for_energy(double unscaled_power_W, double frame_time_s, double frame_energy_J) {
    if (!(frame_time_s > 0.0) || !std::isfinite(frame_time_s))
        throw std::invalid_argument("frame time must be finite and > 0 s, got " + core::shortest_text(frame_time_s));
    if (!(frame_energy_J >= 0.0) || !std::isfinite(frame_energy_J))
        throw std::invalid_argument("frame energy must be finite and ≥ 0 J, got " + core::shortest_text(frame_energy_J));
    if (!(unscaled_power_W >= 0.0) || !std::isfinite(unscaled_power_W))
        throw std::invalid_argument("unscaled power must be finite and ≥ 0 W, got " + core::shortest_text(unscaled_power_W));
    if (unscaled_power_W == 0.0) return 0.0;
    return std::sqrt(frame_energy_J / (frame_time_s * unscaled_power_W));
}

double amplitude_scale_for_energy(double unscaled_power_W, double wavelength_m, double frame_time_s, const LightLevel& level,
                                  double window_side_m) {
    return amplitude_scale_for_energy(unscaled_power_W, frame_time_s, frame_energy_J(level, window_side_m, wavelength_m));
}

template <class Real>
double encode_at_light_level(const ImageEncoder& encoder, std::span<const float> image, std::span<std::complex<Real>> field,
                             double pitch_m, double wavelength_m, double frame_time_s, const LightLevel& level, Encoding encoding) {
    if (!(pitch_m > 0.0)) throw std::invalid_argument("grid pitch must be > 0 m");
    const double unscaled_power_W = encoder.encode(image, field, 1.0, encoding) * pitch_m * pitch_m;
    const double window_side_m = encoder.window_px() * pitch_m;
    const double scale = amplitude_scale_for_energy(unscaled_power_W, wavelength_m, frame_time_s, level, window_side_m);
    // Only the window is non-zero.
    const auto n = static_cast<std::size_t>(encoder.grid_n()), off = static_cast<std::size_t>(encoder.window_offset());
    for (std::size_t r = off; r < off + static_cast<std::size_t>(encoder.window_px()); ++r)
        for (std::size_t c = off; c < off + static_cast<std::size_t>(encoder.window_px()); ++c)
            field[r * n + c] = std::complex<Real>(static_cast<Real>(scale * static_cast<double>(field[r * n + c].real())), Real(0));
    return scale;
}

template double ImageEncoder::encode<float>(std::span<const float>, std::span<std::complex<float>>, double, Encoding) const;
template double ImageEncoder::encode<double>(std::span<const float>, std::span<std::complex<double>>, double, Encoding) const;
template double encode_amplitude<float>(std::span<const float>, int, int, int, int, std::span<std::complex<float>>, double, Encoding);
template double encode_amplitude<double>(std::span<const float>, int, int, int, int, std::span<std::complex<double>>, double, Encoding);
template double encode_at_light_level<float>(const ImageEncoder&, std::span<const float>, std::span<std::complex<float>>, double, double,
                                             double, const LightLevel&, Encoding);
template double encode_at_light_level<double>(const ImageEncoder&, std::span<const float>, std::span<std::complex<double>>, double,
                                              double, double, const LightLevel&, Encoding);

}  // namespace accel::datasets
