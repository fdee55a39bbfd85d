#pragma once
// Training-time augmentation of the input images.
//
// A random whole-pixel translation of each image, drawn afresh every time the image is
// presented, is the classic remedy when a model with many parameters overfits a small set
// such as MNIST's (Simard, Steinkraus & Platt, ICDAR 2003). The draw is keyed on the image's
// position in training, so it depends on the seed only, never on threads or on resuming.

#include <cstdint>
#include <span>

namespace accel::datasets {

struct PixelShift {
    int rows = 0;  // positive moves the content down
    int cols = 0;  // positive moves the content right
};

// `image` (rows × cols, row-major) translated by `shift` into `out` (same size); pixels that
// come from outside the image are 0 (no light). `out` must not alias `image`.
void shift_image(std::span<const float> image, int rows, int cols, PixelShift shift, std::span<float> out);

// The shift of training presentation `presentation` (epoch × images + position, the frame
// number the trainer also keys its noise on): each component uniform in [−max_shift, max_shift].
PixelShift random_shift(std::uint64_t seed, std::uint32_t presentation, int max_shift);

}  // namespace accel::datasets
