// Shift augmentation: pixels move where the shift says, light never comes from outside the
// image, and the draws are uniform over the allowed shifts and fixed by the seed.

#include <catch2/catch.hpp>

#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "accel/datasets/augment.hpp"
#include "datasets_test_helpers.hpp"

using namespace accel::datasets;

TEST_CASE("shift_image moves every pixel by the shift and fills with darkness", "[unit][datasets]") {
    const int rows = 4, cols = 5;
    const auto image = accel::test::numbered_image(rows, cols);
    std::vector<float> out(image.size());
    for (int dr = -5; dr <= 5; ++dr) {
        for (int dc = -6; dc <= 6; ++dc) {
            shift_image(image, rows, cols, {dr, dc}, out);
            for (int r = 0; r < rows; ++r) {
                for (int c = 0; c < cols; ++c) {
                    const int sr = r - dr, sc = c - dc;
                    const bool inside = sr >= 0 && sr < rows && sc >= 0 && sc < cols;
                    const float expected = inside ? image[static_cast<std::size_t>(sr * cols + sc)] : 0.0f;
                    INFO("shift (" << dr << ", " << dc << ") at (" << r << ", " << c << ")");
                    REQUIRE(out[static_cast<std::size_t>(r * cols + c)] == expected);
                }
            }
        }
    }
    shift_image(image, rows, cols, {}, out);
    CHECK(out == image);
    CHECK_THROWS_AS(shift_image(image, rows, cols + 1, {}, out), std::invalid_argument);
}

TEST_CASE("random_shift is uniform over the allowed shifts and depends only on seed and presentation", "[unit][datasets]") {
    CHECK(random_shift(7, 123, 0).rows == 0);
    CHECK(random_shift(7, 123, 0).cols == 0);
    std::map<std::pair<int, int>, int> counts;
    const int draws = 25000;
    for (std::uint32_t p = 0; p < static_cast<std::uint32_t>(draws); ++p) {
        const auto s = random_shift(7, p, 2);
        REQUIRE(s.rows >= -2);
        REQUIRE(s.rows <= 2);
        REQUIRE(s.cols >= -2);
        REQUIRE(s.cols <= 2);
        ++counts[{s.rows, s.cols}];
        const auto again = random_shift(7, p, 2);
        REQUIRE((again.rows == s.rows && again.cols == s.cols));
    }
    REQUIRE(counts.size() == 25);  // all 5 × 5 shifts occur
    for (const auto& [shift, n] : counts) CHECK(std::abs(n - draws / 25) < 5 * 32);  // 1000 ± 5σ (σ ≈ 31)
    int differ = 0;
    for (std::uint32_t p = 0; p < 100; ++p) {
        const auto a = random_shift(7, p, 2), b = random_shift(8, p, 2);
        differ += (a.rows != b.rows || a.cols != b.cols) ? 1 : 0;
    }
    CHECK(differ > 60);  // another seed gives other shifts (24/25 of pairs differ on average)
}
