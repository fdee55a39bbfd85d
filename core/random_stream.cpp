#include "accel/core/random_stream.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace accel::core {
namespace {

constexpr std::uint32_t philox_m0 = 0xD2511F53u, philox_m1 = 0xCD9E8D57u;
constexpr std::uint32_t philox_w0 = 0x9E3779B9u, philox_w1 = 0xBB67AE85u;

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> ctr, std::array<std::uint32_t, 2> key) {
    for (int round = 0; round < 10; ++round) {
        const std::uint64_t p0 = static_cast<std::uint64_t>(philox_m0) * ctr[0];
        const std::uint64_t p1 = static_cast<std::uint64_t>(philox_m1) * ctr[2];
        ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
               static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
        key[0] += philox_w0;
        key[1] += philox_w1;
    }
    return ctr;
}

}  // namespace

RandomStream::RandomStream(std::uint64_t seed, StreamKind kind, std::uint32_t chip, std::uint32_t frame) {
    // The kind is mixed into the key so that chip, frame, ... streams of one seed are unrelated.
    const std::uint64_t k = splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(kind)));
    key_ = {static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(k >> 32)};
    counter_ = {0u, 0u, chip, frame};
}

void RandomStream::refill() {
    block_ = philox4x32_10(counter_, key_);
    if (++counter_[0] == 0) ++counter_[1];  // 64-bit draw counter
    used_ = 0;
}

std::uint32_t RandomStream::next_u32() {
    if (used_ == 4) refill();
    return block_[static_cast<std::size_t>(used_++)];
}

double RandomStream::uniform() {
    const std::uint64_t hi = next_u32() >> 5, lo = next_u32() >> 6;  // 27 + 26 bits
    return (static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) * (1.0 / 9007199254740992.0);
}

double RandomStream::normal() {
    if (has_spare_normal_) {
        has_spare_normal_ = false;
        return spare_normal_;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double t = 2.0 * std::numbers::pi * u2;
    spare_normal_ = r * std::sin(t);
    has_spare_normal_ = true;
    return r * std::cos(t);
}

double RandomStream::poisson(double mean, double gaussian_above) {
    if (!(mean >= 0.0) || !std::isfinite(mean)) throw std::invalid_argument("Poisson mean must be finite and ≥ 0");
    if (mean == 0.0) return 0.0;
    if (mean > gaussian_above) return std::max(0.0, std::round(mean + std::sqrt(mean) * normal()));
    if (mean < 10.0) {
        // Inversion by sequential search: exact, O(mean).
        double k = 0.0, p = std::exp(-mean), cdf = p;
        const double u = uniform();
        while (u > cdf && k < 1000.0) {
            k += 1.0;
            p *= mean / k;
            cdf += p;
        }
        return k;
    }
    // PTRS, transformed rejection with squeeze (Hörmann 1993), exact for mean ≥ 10.
    const double slam = std::sqrt(mean), loglam = std::log(mean);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        const double u = uniform() - 0.5;
        const double v = uniform();
        const double us = 0.5 - std::abs(u);
        const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr) return k;
        if (k < 0.0 || (us < 0.013 && v > us)) continue;
        if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <= -mean + k * loglam - std::lgamma(k + 1.0)) return k;
    }
}

}  // namespace accel::core
