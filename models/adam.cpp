#include "accel/models/adam.hpp"

#include <cmath>
#include <stdexcept>

namespace accel::models {

void adam_step(std::span<double> parameters, std::span<const double> gradient, double learning_rate,
               const std::vector<ParameterBlock>& blocks, const AdamSettings& s, AdamState& state) {
    if (gradient.size() != parameters.size()) throw std::invalid_argument("adam: gradient and parameters differ in size");
    if (state.first_moment.size() != parameters.size()) {
        state.first_moment.assign(parameters.size(), 0.0);
        state.second_moment.assign(parameters.size(), 0.0);
    }
    ++state.steps;
    const double bias1 = 1.0 - std::pow(s.beta1, static_cast<double>(state.steps));
    const double bias2 = 1.0 - std::pow(s.beta2, static_cast<double>(state.steps));
    for (const auto& b : blocks) {
        const double lr = learning_rate * b.learning_rate_scale;
        for (std::size_t i = b.offset; i < b.offset + b.size; ++i) {
            const double g = gradient[i];
            double& m = state.first_moment[i];
            double& v = state.second_moment[i];
            m = s.beta1 * m + (1.0 - s.beta1) * g;
            v = s.beta2 * v + (1.0 - s.beta2) * g * g;
            parameters[i] -= lr * (m / bias1) / (std::sqrt(v / bias2) + s.epsilon);
        }
    }
}

}  // namespace accel::models
