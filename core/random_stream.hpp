#pragma once
// Counter-based random streams (Philox4x32-10; Salmon et al., "Parallel random numbers: as
// easy as 1, 2, 3", SC 2011). A stream is a pure function of (seed, kind, chip, frame) and a
// draw counter, so the numbers a given chip or frame sees never depend on threads or on the
// order in which frames are processed.
//
// Two kinds, as in DESIGN.md: the chip stream draws the fixed-pattern terms of one simulated
// chip once; the frame stream draws shot, reset and thermal noise, fresh for every frame.

#include <array>
#include <cstdint>

namespace accel::core {

// calibration: the dark frames a chip integrates to auto-zero its read-out (one stream per chip).
// adaptation: the frames a chip integrates while its weights are retrained on it (per chip and
// presentation), apart from the frames it is tested on.
enum class StreamKind : std::uint32_t { chip = 1, frame = 2, fabrication = 3, training = 4, calibration = 5, adaptation = 6 };

class RandomStream {
public:
    RandomStream(std::uint64_t seed, StreamKind kind, std::uint32_t chip, std::uint32_t frame = 0);

    std::uint32_t next_u32();
    // Uniform in [0, 1) with 53 random bits.
    double uniform();
    // Standard normal (Box–Muller; the second value of each pair is kept for the next call).
    double normal();
    // Poisson with the given mean ≥ 0: inversion below 10, Hörmann's PTRS rejection
    // (Insurance: Math. Econ. 12, 39, 1993) up to `gaussian_above`, and above it the normal
    // approximation round(mean + sqrt(mean)·N(0,1)), whose skewness 1/sqrt(mean) is then
    // below 1e-3 at the default threshold of 1e6.
    double poisson(double mean, double gaussian_above = 1e6);

private:
    void refill();

    std::array<std::uint32_t, 2> key_;
    std::array<std::uint32_t, 4> counter_;
    std::array<std::uint32_t, 4> block_{};
    int used_ = 4;
    bool has_spare_normal_ = false;
    double spare_normal_ = 0.0;
};

}  // namespace accel::core
