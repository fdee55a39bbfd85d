#pragma once
// Reader of IDX files (LeCun's MNIST format), raw or gzip-compressed.
//
// Layout: magic 00 00 <type> <ndims>, then ndims big-endian uint32 sizes, then the elements
// in row-major order. Only type 0x08 (unsigned byte) is supported: it is what MNIST and
// Fashion-MNIST use. Every size is validated before anything is allocated, and the data must
// fill the file exactly, so a truncated or padded file is reported, never half-read.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "accel/core/errors.hpp"

namespace accel::datasets {

// A dataset file that cannot be used: missing, unreadable, malformed or inconsistent. The
// message is one line that starts with the file's path. It is bad input (exit code 2).
struct DataError : InputError {
    using InputError::InputError;
};

// Limits checked before allocating: 1..4 dimensions, each 1..1e8, at most 1 GiB of data
// (the largest public IDX sets are a few hundred MB; anything bigger is a corrupt header).
inline constexpr int idx_max_dims = 4;
inline constexpr std::uint32_t idx_max_dim = 100'000'000;
inline constexpr std::uint64_t idx_max_bytes = std::uint64_t{1} << 30;

struct IdxArray {
    std::vector<std::uint32_t> dims;  // outermost first, as stored
    std::vector<std::uint8_t> data;   // row-major, product(dims) bytes

    [[nodiscard]] std::size_t element_count() const;
};

// Reads a raw or gzip IDX file (gzip recognised by its magic bytes 1f 8b; concatenated members
// allowed; a missing CRC trailer or garbage after the stream is an error). Throws DataError.
IdxArray read_idx(const std::filesystem::path& path);

// Images (count×rows×cols, uint8) with their labels (count, uint8).
struct ImageSet {
    int count = 0;
    int rows = 0;
    int cols = 0;
    int classes = 0;  // largest label + 1
    std::vector<std::uint8_t> pixels;  // count×rows×cols, row-major
    std::vector<std::uint8_t> labels;
};

// Checks that the images are 3-D, the labels 1-D, and that both hold the same count.
ImageSet load_images_and_labels(const std::filesystem::path& images_path, const std::filesystem::path& labels_path);

}  // namespace accel::datasets
