#pragma once
// Quick-look images: a 2-D intensity map as an 8-bit grayscale PNG.

#include <cstddef>
#include <filesystem>
#include <span>

namespace accel::sim {

// Writes rows×cols row-major intensities (any non-negative unit; row 0 is the top line of
// the image) as pixel = round(255·(I/I_max)^(1/gamma)): linear for gamma = 1, gamma > 1
// lifts faint light. An all-zero map gives a black image. Written atomically (temporary file
// in the same folder, then rename). InputError naming the path if it cannot be written;
// std::invalid_argument for a negative or non-finite intensity, a bad shape or gamma.
void write_intensity_png(const std::filesystem::path& path, std::span<const double> intensity, std::size_t rows,
                         std::size_t cols, double gamma = 1.0);

}  // namespace accel::sim
