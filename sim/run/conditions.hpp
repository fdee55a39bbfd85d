#pragma once
// The conditions a model is run under: noise-free (the nominal design), as trained, or as one
// simulated chip of the test evaluation.

#include <cstdint>

#include "accel/models/model.hpp"
#include "accel/sim/config/run_description.hpp"

namespace accel::sim {

// Simulated chips of the test evaluation are numbered from here, so that they never coincide
// with a chip seen in training (chip 0, or 1, 2, ... per step with train.new_chip_per_step).
inline constexpr std::uint32_t first_evaluation_chip = 1u << 31;

enum class Purpose {
    training,    // [train]: noise_aware, phase_error_pi (shift and rotation are drawn by the trainer)
    noise_free,  // the nominal design: no noise, no mismatch, no fabrication error, aligned
    chip_test,   // [eval]: noise, fixed_pattern, phase_error_pi, shift_px, rotation_deg of one chip
};

// Always at the run's light level (over the input window): the photodiode charges and the
// line voltages, and so clipping, depend on it.
[[nodiscard]] models::Conditions conditions_for(const RunDescription& run, Purpose purpose, std::uint32_t chip_index = 0);

}  // namespace accel::sim
