#include "accel/sim/io/png.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO  // we write the bytes ourselves (atomically)
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/io/output_checks.hpp"

namespace accel::sim {

namespace {

void append_bytes(void* context, void* data, int size) {
    auto* out = static_cast<std::vector<unsigned char>*>(context);
    const auto* bytes = static_cast<const unsigned char*>(data);
    out->insert(out->end(), bytes, bytes + size);
}

std::vector<std::uint8_t> to_gray8(std::span<const double> intensity, double gamma) {
    double peak = 0.0;
    for (const double v : intensity) {
        if (!std::isfinite(v) || v < 0.0)
            throw std::invalid_argument("intensity for the PNG must be finite and >= 0, got " + core::general_text(v));
        peak = std::max(peak, v);
    }
    std::vector<std::uint8_t> gray(intensity.size(), 0);
    if (peak == 0.0) return gray;
    const double exponent = 1.0 / gamma;
    for (std::size_t k = 0; k < intensity.size(); ++k) {
        const double level = 255.0 * std::pow(intensity[k] / peak, exponent);
        gray[k] = static_cast<std::uint8_t>(std::clamp(std::lround(level), 0L, 255L));
    }
    return gray;
}

}  // namespace

void write_intensity_png(const std::filesystem::path& path, std::span<const double> intensity, std::size_t rows,
                         std::size_t cols, double gamma) {
    constexpr std::size_t max_side = 1u << 15;  // keeps stride and sizes within stb's int arithmetic
    if (rows == 0 || cols == 0 || rows > max_side || cols > max_side || rows * cols != intensity.size())
        throw std::invalid_argument("PNG shape " + std::to_string(rows) + "x" + std::to_string(cols) +
                                    " does not match " + std::to_string(intensity.size()) + " values (sides 1.." +
                                    std::to_string(max_side) + ")");
    if (!std::isfinite(gamma) || !(gamma > 0.0))
        throw std::invalid_argument("PNG gamma must be finite and > 0, got " + core::general_text(gamma));

    const std::vector<std::uint8_t> gray = to_gray8(intensity, gamma);
    std::vector<unsigned char> encoded;
    const int w = static_cast<int>(cols), h = static_cast<int>(rows);
    if (stbi_write_png_to_func(append_bytes, &encoded, w, h, 1, gray.data(), w) == 0)
        throw std::runtime_error("PNG encoding failed for '" + path.string() + "'");

    remove_stale_temporaries(path);  // of a run killed while writing this image
    const std::filesystem::path temp = temporary_name(path.string());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temp, ignored);
            throw InputError("cannot write PNG '" + path.string() + "'");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temp, ignored);
        throw InputError("cannot write PNG '" + path.string() + "': " + ec.message());
    }
}

}  // namespace accel::sim
