#pragma once
// Helpers of the dataset tests: a per-test temporary folder and IDX files written byte by byte
// (raw, or gzip through zlib) so that each malformation is exactly the one intended.

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace accel::test {

struct DatasetTempDir {
    std::filesystem::path path;
    DatasetTempDir() {
        static int counter = 0;  // test-local naming only
        path = std::filesystem::temp_directory_path() /
               ("accel-datasets-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    DatasetTempDir(const DatasetTempDir&) = delete;
    DatasetTempDir& operator=(const DatasetTempDir&) = delete;
    ~DatasetTempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

// Header 00 00 <type> <ndims>, big-endian dims, then `data` as given (not checked against dims).
inline std::string idx_bytes(const std::vector<std::uint32_t>& dims, const std::vector<std::uint8_t>& data, std::uint8_t type = 0x08,
                             std::uint8_t magic0 = 0, std::uint8_t magic1 = 0) {
    std::string s;
    s += static_cast<char>(magic0);
    s += static_cast<char>(magic1);
    s += static_cast<char>(type);
    s += static_cast<char>(dims.size());
    for (const auto d : dims)
        for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((d >> shift) & 0xFFu);
    s.append(data.begin(), data.end());
    return s;
}

inline void write_raw(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("test: cannot write " + p.string());
}

inline void write_gz(const std::filesystem::path& p, const std::string& bytes) {
    gzFile f = gzopen(p.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("test: cannot open " + p.string());
    const int written = bytes.empty() ? 0 : gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    if (written != static_cast<int>(bytes.size())) throw std::runtime_error("test: cannot write " + p.string());
}

inline std::string read_file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::vector<std::uint8_t> ramp_bytes(std::size_t n) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 37 + 11) % 256);
    return v;
}

// A rows × cols image whose pixel (r, c) holds 1 + 10 r + c, so every pixel is non-zero and
// unique: a resampled image shows where each of its pixels came from.
inline std::vector<float> numbered_image(int rows, int cols) {
    std::vector<float> v;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) v.push_back(static_cast<float>(1 + 10 * r + c));
    return v;
}

}  // namespace accel::test
