#pragma once
// Reading a small text input (a config or sweep file) whole, with the checks a path given on
// the command line needs: it must be a regular file (not a folder, a device or a pipe that
// never ends) of a sane size.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace accel::sim {

// Config and sweep files are a few kB (a 64-layer distance list is 400 bytes); anything near
// this is not one, and the TOML reader's time grows faster than linearly with long arrays.
inline constexpr std::uintmax_t max_text_file_bytes = 256u << 10;

// The bytes of `path`; InputError starting with `what` (e.g. "config file 'a.toml'") if it does
// not exist, is not a regular file, is larger than max_text_file_bytes or cannot be read.
[[nodiscard]] std::string read_text_file(const std::filesystem::path& path, const std::string& what);

// InputError starting with `what` unless `text` is valid UTF-8 (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF), naming the line and byte of the first bad sequence.
// TOML must be UTF-8, and the TOML reader (toml11 3.7) reads out of bounds when it reports a
// bad sequence inside a string itself, so text is checked before it is parsed.
void check_utf8(std::string_view text, const std::string& what);

}  // namespace accel::sim
