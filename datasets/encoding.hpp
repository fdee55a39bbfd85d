#pragma once
// Writing an image into the input plane of the optical model, and the light level that sets
// the field's absolute scale.
//
// Resampling: area-weighted box. The image is taken as piecewise constant (each image pixel a
// uniform square, as an SLM displays it) and each window pixel receives the mean of the image
// over its own area. For an integer upsampling factor (28 → 448, ×16 as in ACCEL's released
// code) this is exactly nearest-pixel block replication — each SLM pixel shows one image pixel
// value — with no invented smoothing; for other factors it blends only at the boundaries of
// image pixels, and when downsampling it averages instead of aliasing. The mean brightness is
// preserved in every case. Non-square images are stretched to fill the square window.
//
// Convention (DESIGN.md §2): the image is written as AMPLITUDE, field = scale × value
// (amplitude SLM, as in ACCEL); intensity encoding, field = scale × sqrt(value), is optional.
// The field is real (phase 0) in a centred window_px × window_px window, zero elsewhere.
// Fields are in sqrt(W)/m: Σ|u|²·dx² is the power (W) during the frame time t_frame.

#include <complex>
#include <cstdint>
#include <span>
#include <vector>

namespace accel::datasets {

enum class Encoding { amplitude, intensity };

// The resampling of one image geometry (rows×cols) into one window/grid geometry, built once
// so that encoding a frame allocates nothing.
class ImageEncoder {
public:
    // Throws std::invalid_argument unless rows, cols ≥ 1 and 1 ≤ window_px ≤ grid_n. The window
    // starts at pixel (grid_n − window_px)/2 (rounded down) in both axes, so it is exactly
    // centred on the optical axis when grid_n − window_px is even.
    ImageEncoder(int rows, int cols, int window_px, int grid_n);

    [[nodiscard]] int rows() const { return rows_; }
    [[nodiscard]] int cols() const { return cols_; }
    [[nodiscard]] int window_px() const { return window_px_; }
    [[nodiscard]] int grid_n() const { return grid_n_; }
    [[nodiscard]] int window_offset() const { return offset_; }

    // Writes scale × (value or sqrt(value)) into the window and zero elsewhere. `image` holds
    // rows×cols values in [0, 1] (anything else, NaN included, throws std::invalid_argument);
    // `field` holds grid_n² samples, row-major. Returns Σ|u|² over the field divided by
    // scale² (the unscaled sum, accumulated in double before rounding to Real).
    template <class Real>
    double encode(std::span<const float> image, std::span<std::complex<Real>> field, double amplitude_scale,
                  Encoding encoding = Encoding::amplitude) const;

private:
    // Overlap weights of one axis: window pixel j takes Σ weight·source over taps[start[j] .. start[j+1]).
    struct Tap {
        int source;
        double weight;
        bool operator==(const Tap&) const = default;
    };
    struct Axis {
        std::vector<int> start;
        std::vector<Tap> taps;
    };
    static Axis make_axis(int source_px, int window_px);

    int rows_, cols_, window_px_, grid_n_, offset_;
    Axis row_axis_, col_axis_;
};

// One-shot form of ImageEncoder::encode (builds the resampling each call).
template <class Real>
double encode_amplitude(std::span<const float> image, int rows, int cols, int window_px, int grid_n,
                        std::span<std::complex<Real>> field, double amplitude_scale, Encoding encoding = Encoding::amplitude);

// Light level per frame. Every frame carries the same optical energy E whatever the image
// content (a mostly dark image is brighter where it is lit): the source is assumed to be
// regulated per frame, which is how the ACCEL paper quotes its light levels.
//   energy_density_fJ_per_um2: E = value × (window_px·dx)², the density over the input window
//                              (the paper's "0.14 fJ/µm² per frame" is measured at the input);
//   total_energy_J:            E = value;
//   photons:                   E = value × h·c/λ (photons per frame).
struct LightLevel {
    enum Kind { energy_density_fJ_per_um2, total_energy_J, photons };
    Kind kind = energy_density_fJ_per_um2;
    double value = 0.0;
};

// E (J) for the light level, given the input window's side (window_px·dx, m) and the
// wavelength. Throws std::invalid_argument for a negative or non-finite value or a
// non-positive side or wavelength.
double frame_energy_J(const LightLevel& level, double window_side_m, double wavelength_m);

// The scale s with Σ|s·u|²·dx²·t_frame = E, i.e. s = sqrt(E / (t_frame · P₁)), where
// P₁ = Σ|u|²·dx² (W) of the field encoded with scale 1. An all-dark image (P₁ = 0) cannot carry
// light through an amplitude SLM: the scale is then 0.
double amplitude_scale_for_energy(double unscaled_power_W, double frame_time_s, double frame_energy_J);
double amplitude_scale_for_energy(double unscaled_power_W, double wavelength_m, double frame_time_s, const LightLevel& level,
                                  double window_side_m);

// Encodes and scales in one go so that the frame carries the light level's energy:
// dx = pitch_m, window side = window_px·pitch_m. Returns the scale applied.
template <class Real>
double encode_at_light_level(const ImageEncoder& encoder, std::span<const float> image, std::span<std::complex<Real>> field,
                             double pitch_m, double wavelength_m, double frame_time_s, const LightLevel& level,
                             Encoding encoding = Encoding::amplitude);

extern template double ImageEncoder::encode<float>(std::span<const float>, std::span<std::complex<float>>, double, Encoding) const;
extern template double ImageEncoder::encode<double>(std::span<const float>, std::span<std::complex<double>>, double, Encoding) const;
extern template double encode_amplitude<float>(std::span<const float>, int, int, int, int, std::span<std::complex<float>>, double,
                                               Encoding);
extern template double encode_amplitude<double>(std::span<const float>, int, int, int, int, std::span<std::complex<double>>, double,
                                                Encoding);
extern template double encode_at_light_level<float>(const ImageEncoder&, std::span<const float>, std::span<std::complex<float>>,
                                                    double, double, double, const LightLevel&, Encoding);
extern template double encode_at_light_level<double>(const ImageEncoder&, std::span<const float>, std::span<std::complex<double>>,
                                                     double, double, double, const LightLevel&, Encoding);

}  // namespace accel::datasets
