#pragma once
// A fast content digest for recognising the same inputs again (sweep fingerprints, the data a
// run was trained on); not for security.

#include <cstddef>
#include <cstdint>
#include <string>

namespace accel::sim {

inline constexpr std::uint64_t fnv_offset_basis = 0xcbf29ce484222325ull;

// FNV-1a 64 of `size` bytes, continuing from `seed` (chain calls by passing the previous value).
[[nodiscard]] std::uint64_t digest(const void* data, std::size_t size, std::uint64_t seed = fnv_offset_basis);
// The same as 16 hex digits.
[[nodiscard]] std::string digest_hex(const void* data, std::size_t size, std::uint64_t seed = fnv_offset_basis);
[[nodiscard]] std::string hex16(std::uint64_t value);

}  // namespace accel::sim
