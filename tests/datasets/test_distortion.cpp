// Distortion augmentation: the resampling maps output pixels to the input positions the
// rotation, scaling and displacement fields say; the draws stay in their ranges, are fixed by
// seed and presentation, and the elastic field has Simard's construction (smooth, scaled by α).

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "accel/datasets/distortion.hpp"
#include "datasets_test_helpers.hpp"

using namespace accel::datasets;

TEST_CASE("No distortion leaves the image as it is", "[unit][datasets]") {
    const auto image = accel::test::numbered_image(6, 7);
    std::vector<float> out(image.size());
    const auto d = random_distortion({}, 3, 17, 6, 7);
    CHECK(d.rotation_rad == 0.0);
    CHECK(d.scale == 1.0);
    CHECK(d.dx_px.empty());
    distort_image(image, 6, 7, d, out);
    CHECK(out == image);
}

TEST_CASE("A quarter turn and a doubling map pixels where geometry says", "[unit][datasets]") {
    const int n = 5;
    const auto image = accel::test::numbered_image(n, n);
    std::vector<float> out(image.size());
    Distortion turn;
    turn.rotation_rad = std::numbers::pi / 2;
    distort_image(image, n, n, turn, out);
    // out(r, c) = in(n − 1 − c, r): a rotation about the centre of the square.
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c)
            REQUIRE(out[static_cast<std::size_t>(r * n + c)] == Approx(image[static_cast<std::size_t>((n - 1 - c) * n + r)]).margin(1e-9));

    Distortion twice;
    twice.scale = 2.0;
    distort_image(image, n, n, twice, out);
    // out(p) = in(centre + (p − centre)/2): the centre stays, (0, 0) reads (1, 1), and (1, 1)
    // reads (1.5, 1.5), the mean of its four neighbours.
    CHECK(out[2 * n + 2] == image[2 * n + 2]);
    CHECK(out[0] == Approx(image[1 * n + 1]).margin(1e-5));
    const double expected = 0.25 * (image[1 * n + 1] + image[1 * n + 2] + image[2 * n + 1] + image[2 * n + 2]);
    CHECK(out[1 * n + 1] == Approx(expected).margin(1e-5));
}

TEST_CASE("Pixels displaced to outside the image are dark", "[unit][datasets]") {
    const int rows = 4, cols = 4;
    const auto image = accel::test::numbered_image(rows, cols);
    std::vector<float> out(image.size());
    Distortion d;
    d.dx_px.assign(image.size(), 10.0);
    d.dy_px.assign(image.size(), 0.0);
    distort_image(image, rows, cols, d, out);
    for (float v : out) CHECK(v == 0.0f);
    d.dx_px.assign(image.size(), std::nan(""));
    distort_image(image, rows, cols, d, out);
    for (float v : out) CHECK(v == 0.0f);
    d.dx_px.resize(3);
    CHECK_THROWS_AS(distort_image(image, rows, cols, d, out), std::invalid_argument);
}

TEST_CASE("The elastic field displaces a ramp by exactly the field and scales with alpha", "[unit][datasets]") {
    const int rows = 28, cols = 28;
    std::vector<float> ramp;  // value = column: bilinear sampling reproduces it exactly
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) ramp.push_back(static_cast<float>(c));
    std::vector<float> out(ramp.size());
    const DistortionSettings one{0.0, 0.0, 1.0, 4.0}, simard{0.0, 0.0, 34.0, 4.0};
    const auto d1 = random_distortion(one, 11, 5, rows, cols);
    const auto d34 = random_distortion(simard, 11, 5, rows, cols);
    REQUIRE(d1.dx_px.size() == ramp.size());
    double sum_sq = 0.0, largest = 0.0;
    for (std::size_t i = 0; i < ramp.size(); ++i) {
        REQUIRE(d34.dx_px[i] == Approx(34.0 * d1.dx_px[i]).epsilon(1e-12));
        REQUIRE(d34.dy_px[i] == Approx(34.0 * d1.dy_px[i]).epsilon(1e-12));
        sum_sq += d34.dx_px[i] * d34.dx_px[i] + d34.dy_px[i] * d34.dy_px[i];
        largest = std::max({largest, std::abs(d34.dx_px[i]), std::abs(d34.dy_px[i])});
    }
    // Uniform[−1, 1] noise (variance 1/3) smoothed by a normalised 2-D Gaussian of σ = 4 keeps a
    // variance of (1/3)/(4πσ²) ≈ 1.66e-3 per axis away from the border, so α = 34 moves pixels
    // by about 34·0.041 ≈ 1.4 px (RMS per axis): visible wobble, not a scramble.
    const double rms = std::sqrt(sum_sq / (2.0 * static_cast<double>(ramp.size())));
    CHECK(rms > 0.5);
    CHECK(rms < 2.5);
    CHECK(largest < 6.0);
    // Smooth: neighbouring displacements differ far less than the displacements themselves.
    double step_sq = 0.0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c + 1 < cols; ++c) {
            const double s = d34.dx_px[static_cast<std::size_t>(r * cols + c + 1)] - d34.dx_px[static_cast<std::size_t>(r * cols + c)];
            step_sq += s * s;
        }
    CHECK(std::sqrt(step_sq / (rows * (cols - 1))) < 0.4 * rms);

    distort_image(ramp, rows, cols, d34, out);
    int checked = 0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const auto i = static_cast<std::size_t>(r * cols + c);
            const double y = r + d34.dy_px[i], x = c + d34.dx_px[i];
            if (y < 0 || y > rows - 1 || x < 0 || x > cols - 1) continue;  // partly outside: mixes in darkness
            REQUIRE(out[i] == Approx(x).margin(1e-4));
            ++checked;
        }
    CHECK(checked > rows * cols / 2);
}

TEST_CASE("Distortion draws stay in range and depend only on seed and presentation", "[unit][datasets]") {
    const DistortionSettings s{0.2, 0.1, 0.0, 4.0};
    double lo = 1, hi = -1, slo = 2, shi = 0;
    for (std::uint32_t p = 0; p < 4000; ++p) {
        const auto d = random_distortion(s, 9, p, 28, 28);
        REQUIRE(std::abs(d.rotation_rad) <= 0.2);
        REQUIRE(std::abs(d.scale - 1.0) <= 0.1);
        lo = std::min(lo, d.rotation_rad), hi = std::max(hi, d.rotation_rad);
        slo = std::min(slo, d.scale), shi = std::max(shi, d.scale);
        REQUIRE(random_distortion(s, 9, p, 28, 28).rotation_rad == d.rotation_rad);
    }
    CHECK(lo < -0.19);  // the whole range is used
    CHECK(hi > 0.19);
    CHECK(slo < 0.91);
    CHECK(shi > 1.09);
    CHECK(random_distortion(s, 10, 0, 28, 28).rotation_rad != random_distortion(s, 9, 0, 28, 28).rotation_rad);
    // Switching the elastic part on does not change the rotation and scale drawn.
    const DistortionSettings with_elastic{0.2, 0.1, 34.0, 4.0};
    CHECK(random_distortion(with_elastic, 9, 3, 28, 28).rotation_rad == random_distortion(s, 9, 3, 28, 28).rotation_rad);
    CHECK(random_distortion(with_elastic, 9, 3, 28, 28).scale == random_distortion(s, 9, 3, 28, 28).scale);

    CHECK_THROWS_AS(random_distortion({0.0, 1.0, 0.0, 4.0}, 1, 0, 28, 28), std::invalid_argument);
    CHECK_THROWS_AS(random_distortion({0.0, 0.0, 1.0, 0.0}, 1, 0, 28, 28), std::invalid_argument);
    CHECK_THROWS_AS(random_distortion({-0.1, 0.0, 0.0, 4.0}, 1, 0, 28, 28), std::invalid_argument);
}

TEST_CASE("A small rotation of a centred digit keeps its light", "[unit][datasets]") {
    const int n = 28;
    std::vector<float> blob(static_cast<std::size_t>(n * n));
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) blob[static_cast<std::size_t>(r * n + c)] = static_cast<float>(std::exp(-((r - 13.5) * (r - 13.5) + (c - 12.0) * (c - 12.0)) / 40.0));
    std::vector<float> out(blob.size());
    Distortion d;
    d.rotation_rad = 0.15;
    distort_image(blob, n, n, d, out);
    const double before = std::accumulate(blob.begin(), blob.end(), 0.0), after = std::accumulate(out.begin(), out.end(), 0.0);
    CHECK(after == Approx(before).epsilon(0.01));
    CHECK(out != blob);
}
