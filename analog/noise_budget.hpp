#pragma once
// The noise budget of the compute array for one frame: each term of the differential line
// output of every class, as rms electrons referred to the nominal line capacitance
// (D_c = (V+ − V−)·C/q), beside the signal. Per-frame terms (photon shot, dark-current shot,
// Johnson, reset) are the noise of one chip from frame to frame; fixed-pattern terms (pixel
// gain, weight path and line-capacitance mismatch, the comparator offset or what auto-zero
// leaves of it) are the spread from chip to chip, to first order in the mismatch. Both are
// the variances of independent terms, so they add in quadrature.
//
// For output c with the line gain a_k = g_k·m_ck·C/C_c± of photodiode k onto its line and
// mean charges μ_k (signal) and μ_d (dark):
//   photon shot   Σ_k a_k²·μ_k              dark shot   Σ_k a_k²·μ_d
//   Johnson       Σ_k a_k²·σ_th²             reset       (σ_r(C+)² + σ_r(C−)²)·(C/q)²
//   pixel gain    σ_g²·Σ_k (μ_k + μ_d)²      weight path σ_m²·Σ_k (μ_k + μ_d)²
//   line cap.     σ_C²·(Q+² + Q−²)           comparator  (σ_off·C/q)², or with auto-zero the
//                                                         per-frame terms at zero light over K
// (the sums over the photodiodes the weights steer onto a line; σ_r is line_reset_sigma_V).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "accel/analog/compute_array.hpp"
#include "accel/analog/photodiode.hpp"

namespace accel::analog {

struct NoiseTerm {
    std::string name;     // "photon_shot", "dark_shot", "johnson", "reset", "pixel_gain", "weight_path", "line_capacitance", "comparator_offset"
    double rms_e = 0.0;   // electrons, referred to the nominal line capacitance
    bool per_frame = true;  // frame to frame (true) or chip to chip (false)
};

struct OutputNoiseBudget {
    double signal_e = 0.0;  // mean differential D_c
    std::vector<NoiseTerm> terms;
    [[nodiscard]] double per_frame_rms_e() const;    // the per-frame terms in quadrature
    [[nodiscard]] double fixed_pattern_rms_e() const;  // the chip-to-chip terms in quadrature
};

// The budget of every output of `chip` (whose line gains enter the per-frame terms) for one
// frame of mean signal charges `signal_e` (electrons per photodiode), with the terms `noise`
// switches on (pixel_gain, weight_path, line_capacitance, comparator_offset for the chip-to-chip
// terms, with p's σ's).
[[nodiscard]] std::vector<OutputNoiseBudget> noise_budget(const ComputeArrayParams& p, const PhotodiodeParams& pd, const ChipInstance& chip,
                                                          std::span<const std::int8_t> weights, std::span<const double> signal_e,
                                                          const NoiseSwitches& noise);

}  // namespace accel::analog
