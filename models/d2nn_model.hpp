#pragma once
// The all-optical diffractive network (Lin et al., Science 361, 1004, 2018): L phase masks,
// then ten class regions on the detector plane; the class is the region that receives the
// most light. Logits are the region powers normalised by their sum, times a trainable scale
// (as in the PyTorch peer); photodiode shot noise applies to the region charges.
//
// Everything up to the region charges, and the backward pass from ∂L/∂Q on, is the
// diffractive skeleton (diffractive_model.hpp); this is the class-region read-out on it.

#include <memory>
#include <vector>

#include "accel/models/diffractive_model.hpp"
#include "accel/optics/detector.hpp"

namespace accel::models {

struct D2nnModelSpec : DiffractiveSpec {
    std::vector<optics::DetectorArea> regions;  // one per class
};

template <class Real>
class D2nnModel final : public DiffractiveModel<Real> {
public:
    D2nnModel(const D2nnModelSpec& spec, optics::PropagationCache<Real>& cache);

    [[nodiscard]] std::string architecture() const override { return "d2nn"; }
    [[nodiscard]] int classes() const override { return static_cast<int>(spec_.regions.size()); }
    [[nodiscard]] int predict_from_optical(std::span<const double> values, analog::FrameUnit unit, const FrameKey& frame,
                                           ModelWorkspace& ws) const override;

    [[nodiscard]] const D2nnModelSpec& spec() const { return spec_; }

private:
    struct Workspace;
    void initial_readout_parameters(std::span<double> parameters, core::RandomStream& rng) const override;
    void prepare_readout(std::span<const double> parameters) override;
    [[nodiscard]] std::unique_ptr<DiffractiveWorkspace<Real>> make_readout_workspace() const override;
    void readout_logits(DiffractiveWorkspace<Real>& ws, core::RandomStream& frame) const override;
    [[nodiscard]] bool readout_backward(DiffractiveWorkspace<Real>& ws, std::span<double> gradient) const override;

    D2nnModelSpec spec_;
    double logit_scale_ = 1.0;  // prepared state
};

}  // namespace accel::models
