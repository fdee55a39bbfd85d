#pragma once
// Adam (Kingma & Ba, ICLR 2015) over a flat parameter vector, with a learning-rate scale
// per parameter block.

#include <cstdint>
#include <span>
#include <vector>

#include "accel/models/model.hpp"

namespace accel::models {

struct AdamSettings {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
};

struct AdamState {
    std::vector<double> first_moment, second_moment;
    std::int64_t steps = 0;
};

// One step: parameters −= lr·scale_block · m̂/(sqrt(v̂) + ε).
void adam_step(std::span<double> parameters, std::span<const double> gradient, double learning_rate,
               const std::vector<ParameterBlock>& blocks, const AdamSettings& settings, AdamState& state);

}  // namespace accel::models
