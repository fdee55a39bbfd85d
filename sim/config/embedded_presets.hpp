#pragma once
// The presets of configs/*.toml, compiled into the binary by CMake (configs/embed_presets.cmake).

#include <span>
#include <string_view>

namespace accel::sim {

struct EmbeddedPreset {
    std::string_view name;  // file name without .toml
    std::string_view toml;
};

std::span<const EmbeddedPreset> embedded_presets();

}  // namespace accel::sim
