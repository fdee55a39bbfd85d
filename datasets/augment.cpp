#include "accel/datasets/augment.hpp"

#include <algorithm>
#include <stdexcept>

#include "accel/core/stream_purposes.hpp"
#include "accel/datasets/dataset.hpp"

namespace accel::datasets {
namespace {


}  // namespace

void shift_image(std::span<const float> image, int rows, int cols, PixelShift shift, std::span<float> out) {
    const auto n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    if (rows < 1 || cols < 1 || image.size() != n || out.size() != n)
        throw std::invalid_argument("shift_image: image and output must both hold rows × cols pixels");
    std::fill(out.begin(), out.end(), 0.0f);
    // Destination columns [c0, c1) read source columns shifted by −shift.cols.
    const int c0 = std::clamp(shift.cols, 0, cols), c1 = std::clamp(cols + shift.cols, 0, cols);
    for (int r = 0; r < rows; ++r) {
        const int source_row = r - shift.rows;
        if (source_row < 0 || source_row >= rows || c0 >= c1) continue;
        const auto* src = image.data() + static_cast<std::size_t>(source_row) * static_cast<std::size_t>(cols);
        auto* dst = out.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols);
        std::copy(src + (c0 - shift.cols), src + (c1 - shift.cols), dst + c0);
    }
}

PixelShift random_shift(std::uint64_t seed, std::uint32_t presentation, int max_shift) {
    if (max_shift < 0) throw std::invalid_argument("random_shift: the largest shift must be ≥ 0");
    if (max_shift == 0) return {};
    core::RandomStream stream = core::purpose_stream(seed, core::StreamPurpose::augmentation, presentation);
    const auto span = static_cast<std::uint32_t>(2 * max_shift + 1);
    const int dr = static_cast<int>(uniform_below(stream, span)) - max_shift;
    const int dc = static_cast<int>(uniform_below(stream, span)) - max_shift;
    return {dr, dc};
}

}  // namespace accel::datasets
