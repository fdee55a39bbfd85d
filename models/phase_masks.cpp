#include "accel/models/phase_masks.hpp"

#include <algorithm>
#include <cmath>

#include "accel/core/random_stream.hpp"
#include "accel/optics/phase_mask.hpp"

namespace accel::models {

template <class Real>
PhaseMasks<Real>::PhaseMasks(int layers, const optics::Grid& grid)
    : grid_(grid),
      effective_phase_(static_cast<std::size_t>(layers), std::vector<double>(grid.size())),
      transmission_(static_cast<std::size_t>(layers), std::vector<std::complex<Real>>(grid.size())),
      source_pixel_(static_cast<std::size_t>(layers)) {}

template <class Real>
void PhaseMasks<Real>::prepare(std::span<const double> parameters, const std::vector<ParameterBlock>& blocks, int phase_bits,
                               const Conditions& c) {
    for (std::size_t l = 0; l < transmission_.size(); ++l) {
        const auto& b = blocks[l];
        std::vector<double> phase(parameters.begin() + static_cast<std::ptrdiff_t>(b.offset),
                                  parameters.begin() + static_cast<std::ptrdiff_t>(b.offset + b.size));
        for (double& p : phase) p = optics::wrap_phase(p);
        if (phase_bits > 0 && c.quantise_phase) optics::quantise_phase(phase, phase_bits);
        if (c.phase_error_rad > 0.0) {
            // Drawn per chip and per mask: one fabricated mask set per simulated chip.
            core::RandomStream fab(c.seed, core::StreamKind::fabrication, c.chip, static_cast<std::uint32_t>(l));
            for (double& p : phase) p = optics::wrap_phase(p + c.phase_error_rad * fab.normal());
        }
        auto& effective = effective_phase_[l];
        auto& source = source_pixel_[l];
        if (l < c.misalignment.size() && !c.misalignment[l].is_identity()) {
            source = optics::misalignment_source(grid_, c.misalignment[l]);
            for (std::size_t i = 0; i < phase.size(); ++i) effective[i] = source[i] >= 0 ? phase[static_cast<std::size_t>(source[i])] : 0.0;
        } else {
            source.clear();
            effective = std::move(phase);
        }
        auto& t = transmission_[l];
        for (std::size_t i = 0; i < t.size(); ++i)
            t[i] = std::complex<Real>(static_cast<Real>(std::cos(effective[i])), static_cast<Real>(std::sin(effective[i])));
    }
}

template <class Real>
void PhaseMasks<Real>::add_gradient(const std::vector<std::vector<double>>& phase_gradient, const std::vector<ParameterBlock>& blocks,
                                    std::span<double> gradient) const {
    for (std::size_t l = 0; l < phase_gradient.size(); ++l) {
        const std::size_t offset = blocks[l].offset;
        const auto& pg = phase_gradient[l];
        const auto& source = source_pixel_[l];
        if (source.empty()) {
            for (std::size_t i = 0; i < pg.size(); ++i) gradient[offset + i] += pg[i];
        } else {
            for (std::size_t i = 0; i < pg.size(); ++i)
                if (source[i] >= 0) gradient[offset + static_cast<std::size_t>(source[i])] += pg[i];
        }
    }
}

template class PhaseMasks<float>;
template class PhaseMasks<double>;

}  // namespace accel::models
