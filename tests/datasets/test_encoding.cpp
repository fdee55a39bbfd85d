// Image encoding into the input window: placement, exact block replication for integer
// factors, area-weighted resampling otherwise, amplitude vs intensity, and light levels.

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numeric>
#include <span>
#include <stdexcept>
#include <vector>

#include "accel/core/constants.hpp"
#include "accel/datasets/encoding.hpp"
#include "accel/datasets/synthetic.hpp"
#include "tests/optics/tolerances.hpp"

using namespace accel::datasets;
using accel::test::PrecisionTolerance;
using accel::test::Tolerance;
using accel::test::within;

namespace {

constexpr Tolerance energy_tol{"frame_energy_double", 0.0, 1e-12, "Σ|s·u|² over 1.6e5 samples: only double rounding"};
constexpr PrecisionTolerance resample_tol{{"area_resampling_float", 1e-7, 1e-6, "float storage of a mean of ≤ 9 weighted pixels"},
                                          {"area_resampling_double", 1e-15, 1e-14, "double sum of ≤ 9 weighted pixels"}};
constexpr Tolerance mean_tol{"resampled_mean", 1e-12, 1e-12, "area weights of each window pixel sum to 1 up to rounding"};

std::vector<float> test_image(int rows, int cols) {
    std::vector<float> img(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
    for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<float>((i * 53 + 7) % 256) / 255.0f;
    return img;
}

template <class Real>
double energy_J(const std::vector<std::complex<Real>>& field, double pitch_m, double frame_time_s) {
    double s = 0.0;
    for (const auto& u : field) s += std::norm(std::complex<double>(u));
    return s * pitch_m * pitch_m * frame_time_s;
}

}  // namespace

// 28 → 448 is ×16: every SLM pixel shows exactly one image pixel value, nothing outside.
TEMPLATE_TEST_CASE("Integer upsampling replicates pixels into the centred window", "[unit][datasets]", float, double) {
    using Real = TestType;
    const int rows = 28, cols = 28, window = 448, n = 512;
    const auto img = test_image(rows, cols);
    std::vector<std::complex<Real>> field(static_cast<std::size_t>(n) * n, {Real(7), Real(7)});
    const double scale = 0.75;
    const double sum = encode_amplitude<Real>(img, rows, cols, window, n, field, scale);
    const int off = (n - window) / 2;
    REQUIRE(off == 32);
    double expected_sum = 0.0;
    int mismatches = 0;
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const auto u = field[static_cast<std::size_t>(r) * n + c];
            const bool in_window = r >= off && r < off + window && c >= off && c < off + window;
            Real expected = 0;
            if (in_window) {
                const double v = img[static_cast<std::size_t>((r - off) / 16) * cols + static_cast<std::size_t>((c - off) / 16)];
                expected = static_cast<Real>(scale * v);
                expected_sum += v * v;
            }
            if (u != std::complex<Real>(expected, 0)) ++mismatches;
        }
    CHECK(mismatches == 0);
    CHECK(within(energy_tol, std::abs(sum - expected_sum), expected_sum));

    // Centred: the window's middle is the grid's middle (n − window even).
    CHECK(2 * off + window == n);
    // A window as large as the grid fills it entirely.
    std::vector<std::complex<Real>> full(28 * 28);
    encode_amplitude<Real>(img, rows, cols, 28, 28, full, 1.0);
    for (std::size_t i = 0; i < full.size(); ++i) CHECK(full[i] == std::complex<Real>(static_cast<Real>(img[i]), 0));
}

TEMPLATE_TEST_CASE("Area-weighted resampling for non-integer and downsampling factors", "[unit][datasets]", float, double) {
    using Real = TestType;
    const auto& tol = resample_tol.get<Real>();
    // 1×3 → 4×4: window pixel j spans [3j, 3j+3) and image pixel i spans [4i, 4i+4) (integer units).
    const std::vector<float> row{0.2f, 0.6f, 1.0f};
    std::vector<std::complex<Real>> f(16);
    encode_amplitude<Real>(row, 1, 3, 4, 4, f, 1.0);
    const double a = row[0], b = row[1], c = row[2];
    const double expected[4] = {a, (a + 2 * b) / 3, (2 * b + c) / 3, c};
    for (int r = 0; r < 4; ++r)
        for (int k = 0; k < 4; ++k) CHECK(within(tol, std::abs(f[static_cast<std::size_t>(r * 4 + k)].real() - expected[k]), expected[k]));

    // 28 → 14: each window pixel is the mean of a 2×2 block.
    const auto img = test_image(28, 28);
    std::vector<std::complex<Real>> g(20 * 20);
    encode_amplitude<Real>(img, 28, 28, 14, 20, g, 1.0);
    for (int r = 0; r < 14; ++r)
        for (int k = 0; k < 14; ++k) {
            const auto at = [&](int i, int j) { return static_cast<double>(img[static_cast<std::size_t>(i * 28 + j)]); };
            const double mean = 0.25 * (at(2 * r, 2 * k) + at(2 * r, 2 * k + 1) + at(2 * r + 1, 2 * k) + at(2 * r + 1, 2 * k + 1));
            CHECK(within(tol, std::abs(g[static_cast<std::size_t>((r + 3) * 20 + k + 3)].real() - mean), mean));
        }
}

TEST_CASE("Resampling preserves the mean brightness for any factor", "[unit][datasets]") {
    const auto img = test_image(28, 28);
    const double image_mean = std::accumulate(img.begin(), img.end(), 0.0) / static_cast<double>(img.size());
    for (const int window : {400, 97, 56, 28, 13}) {
        ImageEncoder enc(28, 28, window, 401);
        std::vector<std::complex<double>> field(401 * 401);
        enc.encode<double>(img, field, 1.0);
        double s = 0.0;
        for (const auto& u : field) s += u.real();
        INFO("window " << window);
        CHECK(within(mean_tol, std::abs(s / (window * window) - image_mean), image_mean));
    }
}

TEST_CASE("Amplitude encoding writes the value, intensity encoding its square root", "[unit][datasets]") {
    const std::vector<float> img{0.25f, 0.0f, 1.0f, 0.64f};
    std::vector<std::complex<double>> amp(16), inten(16);
    const double s_amp = encode_amplitude<double>(img, 2, 2, 2, 4, amp, 2.0, Encoding::amplitude);
    const double s_int = encode_amplitude<double>(img, 2, 2, 2, 4, inten, 2.0, Encoding::intensity);
    const std::size_t at[4] = {5, 6, 9, 10};
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(amp[at[k]] == std::complex<double>(2.0 * img[k], 0.0));
        CHECK(inten[at[k]].real() == Approx(2.0 * std::sqrt(static_cast<double>(img[k]))).epsilon(1e-15));
    }
    // Intensity encoding makes |u|² proportional to the pixel value.
    CHECK(s_int == Approx(0.25 + 0.0 + 1.0 + 0.64).epsilon(1e-7));
    CHECK(s_amp == Approx(0.0625 + 0.0 + 1.0 + 0.4096).epsilon(1e-7));
}

TEST_CASE("Encoding rejects bad geometry and pixel values", "[unit][datasets]") {
    std::vector<std::complex<float>> f(16);
    std::vector<float> img(4, 0.5f);
    CHECK_THROWS_AS(encode_amplitude<float>(img, 2, 2, 5, 4, f, 1.0), std::invalid_argument);  // window > grid
    CHECK_THROWS_AS(encode_amplitude<float>(img, 2, 2, 0, 4, f, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(encode_amplitude<float>(img, 3, 2, 2, 4, f, 1.0), std::invalid_argument);  // image size
    std::vector<std::complex<float>> small(15);
    CHECK_THROWS_AS(encode_amplitude<float>(img, 2, 2, 2, 4, small, 1.0), std::invalid_argument);
    img[1] = 1.5f;
    CHECK_THROWS_AS(encode_amplitude<float>(img, 2, 2, 2, 4, f, 1.0), std::invalid_argument);
    img[1] = std::nanf("");
    CHECK_THROWS_AS(encode_amplitude<float>(img, 2, 2, 2, 4, f, 1.0), std::invalid_argument);
}

// Every frame carries exactly the light level's energy: Σ|u|²·dx²·t_frame = E.
TEST_CASE("Light levels set the frame energy exactly", "[unit][datasets]") {
    using accel::core::constants::planck_J_s;
    using accel::core::constants::speed_of_light_m_s;
    const int window = 400, n = 512;
    const double pitch = 1.5e-6, wavelength = 532e-9, t_frame = 72e-9;
    const double window_side = window * pitch;
    const ImageEncoder enc(28, 28, window, n);
    const Dataset shapes = make_synthetic(2, 2, 3);

    struct Case {
        LightLevel level;
        double expected_J;
    };
    const Case cases[] = {
        // 0.14 fJ/µm² = 1.4e-4 J/m² over the 600 µm window
        {{LightLevel::energy_density_fJ_per_um2, 0.14}, 0.14e-15 / 1e-12 * window_side * window_side},
        {{LightLevel::total_energy_J, 4.4e-9}, 4.4e-9},
        {{LightLevel::photons, 1e6}, 1e6 * planck_J_s * speed_of_light_m_s / wavelength},
    };
    for (const auto& c : cases) {
        CHECK(frame_energy_J(c.level, window_side, wavelength) == Approx(c.expected_J).epsilon(1e-15));
        for (int i = 0; i < shapes.size(); ++i)
            for (const auto encoding : {Encoding::amplitude, Encoding::intensity}) {
                std::vector<std::complex<double>> field(static_cast<std::size_t>(n) * n);
                const double s = encode_at_light_level<double>(enc, shapes.image(i), field, pitch, wavelength, t_frame, c.level, encoding);
                CHECK(s > 0.0);
                const double e = energy_J(field, pitch, t_frame);
                INFO("kind " << c.level.kind << " image " << i);
                CHECK(within(energy_tol, std::abs(e - c.expected_J), c.expected_J));
            }
        // The float path agrees to float precision.
        std::vector<std::complex<float>> ff(static_cast<std::size_t>(n) * n);
        encode_at_light_level<float>(enc, shapes.image(0), ff, pitch, wavelength, t_frame, c.level);
        CHECK(energy_J(ff, pitch, t_frame) == Approx(c.expected_J).epsilon(1e-5));
    }

    // The scale formula on its own, and an all-dark frame (no light passes an amplitude SLM).
    CHECK(amplitude_scale_for_energy(2.0, 0.5, 4.0) == Approx(2.0).epsilon(1e-15));
    CHECK(amplitude_scale_for_energy(0.0, 1e-9, 1e-9) == 0.0);
    CHECK_THROWS_AS(amplitude_scale_for_energy(1.0, 0.0, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(frame_energy_J({LightLevel::photons, -1.0}, window_side, wavelength), std::invalid_argument);
    CHECK_THROWS_AS(frame_energy_J({LightLevel::photons, 1.0}, window_side, 0.0), std::invalid_argument);
}
