#pragma once
// Turning phase parameters into the masks the light actually meets (wrapped, quantised, with
// fabrication error and misalignment), and sending phase gradients back to the parameters.

#include <complex>
#include <span>
#include <vector>

#include "accel/models/model.hpp"
#include "accel/optics/grid.hpp"

namespace accel::models {

template <class Real>
class PhaseMasks {
public:
    PhaseMasks(int layers, const optics::Grid& grid);

    // blocks[0 .. layers) hold the phase parameters of each mask. Quantisation (when
    // phase_bits > 0 and the conditions ask for it) and the fabrication error pass gradients
    // straight through; misalignment moves each parameter pixel onto the grid pixel it covers.
    void prepare(std::span<const double> parameters, const std::vector<ParameterBlock>& blocks, int phase_bits, const Conditions& c);

    [[nodiscard]] const std::vector<std::vector<std::complex<Real>>>& transmissions() const { return transmission_; }
    [[nodiscard]] const std::vector<std::vector<double>>& effective_phases() const { return effective_phase_; }

    // Adds ∂L/∂(effective phase) of each mask to the parameter gradient.
    void add_gradient(const std::vector<std::vector<double>>& phase_gradient, const std::vector<ParameterBlock>& blocks,
                      std::span<double> gradient) const;

private:
    optics::Grid grid_;
    std::vector<std::vector<double>> effective_phase_;
    std::vector<std::vector<std::complex<Real>>> transmission_;
    std::vector<std::vector<int>> source_pixel_;  // per mask; empty when aligned
};

}  // namespace accel::models
