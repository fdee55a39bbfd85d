#include "accel/sim/io/digest.hpp"

#include <cstdio>

namespace accel::sim {

std::uint64_t digest(const void* data, std::size_t size, std::uint64_t seed) {
    std::uint64_t h = seed;
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
        h ^= bytes[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

std::string hex16(std::uint64_t value) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
    return buf;
}

std::string digest_hex(const void* data, std::size_t size, std::uint64_t seed) { return hex16(digest(data, size, seed)); }

}  // namespace accel::sim
