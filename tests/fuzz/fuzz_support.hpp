#pragma once
// Shared by the libFuzzer targets: the readers under test take a path, so each input is
// written to a scratch file first (one per process, reused for every input).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace accel::fuzz {

// "<tmp>/accel-fuzz-<pid>-<name>", holding exactly the `size` bytes of `data`.
inline std::filesystem::path scratch_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
    const std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("accel-fuzz-" + std::to_string(::getpid()) + "-" + name);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write the scratch file " + path.string());
    const bool ok = (size == 0 || std::fwrite(data, 1, size, f) == size);
    if (std::fclose(f) != 0 || !ok) throw std::runtime_error("cannot write the scratch file " + path.string());
    return path;
}

}  // namespace accel::fuzz
