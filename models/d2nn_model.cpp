#include "accel/models/d2nn_model.hpp"

#include <cmath>
#include <stdexcept>

namespace accel::models {

using core::RandomStream;

template <class Real>
struct D2nnModel<Real>::Workspace final : DiffractiveWorkspace<Real> {
    double total = 0.0, sum = 0.0;  // ΣQ of the last charges, and the (nonzero) divisor made of it
};

template <class Real>
D2nnModel<Real>::D2nnModel(const D2nnModelSpec& spec, optics::PropagationCache<Real>& cache)
    : DiffractiveModel<Real>(spec, spec.regions, cache), spec_(spec) {
    if (spec_.regions.size() < 2) throw std::invalid_argument("d2nn model needs at least two class regions");
    this->add_block("log_logit_scale", 1, 1.0);
}

template <class Real>
void D2nnModel<Real>::initial_readout_parameters(std::span<double> p, RandomStream&) const {
    // Logits are fractions of the detected light (summing to 1); a scale of 10 spreads them
    // over a useful softmax range, as in the PyTorch peer.
    p[this->block("log_logit_scale").offset] = std::log(10.0);
}

template <class Real>
void D2nnModel<Real>::prepare_readout(std::span<const double> parameters) {
    logit_scale_ = std::exp(parameters[this->block("log_logit_scale").offset]);
}

template <class Real>
std::unique_ptr<DiffractiveWorkspace<Real>> D2nnModel<Real>::make_readout_workspace() const {
    return std::make_unique<Workspace>();
}

template <class Real>
void D2nnModel<Real>::readout_logits(DiffractiveWorkspace<Real>& base, RandomStream&) const {
    auto& ws = static_cast<Workspace&>(base);
    const std::size_t k_count = spec_.regions.size();
    double total = 0.0;
    for (std::size_t k = 0; k < k_count; ++k) total += ws.charge_e[k];
    ws.total = total;
    ws.sum = std::abs(total) > 1e-300 ? total : 1e-300;
    // z_k = γ·Q_k/ΣQ: the share of the detected light in each class region.
    for (std::size_t k = 0; k < k_count; ++k) ws.logits[k] = logit_scale_ * ws.charge_e[k] / ws.sum;
}

template <class Real>
bool D2nnModel<Real>::readout_backward(DiffractiveWorkspace<Real>& base, std::span<double> gradient) const {
    auto& ws = static_cast<Workspace&>(base);
    // No charge at all (no light reaches the class regions): no gradient from this image, as
    // in the ACCEL model; the 1/ΣQ factor would otherwise overflow.
    if (ws.total == 0.0) return false;
    const std::size_t k_count = spec_.regions.size();
    double dz_dot_z = 0.0;
    for (std::size_t k = 0; k < k_count; ++k) dz_dot_z += ws.dlogits[k] * ws.logits[k];
    gradient[this->block("log_logit_scale").offset] += dz_dot_z;
    // ∂z_c/∂Q_k = γ·(δ_ck − Q_c/ΣQ)/ΣQ, so ∂L/∂Q_k = (γ·∂L/∂z_k − Σ_c ∂L/∂z_c·z_c)/ΣQ.
    for (std::size_t k = 0; k < k_count; ++k) ws.dloss_dcharge[k] = (logit_scale_ * ws.dlogits[k] - dz_dot_z) / ws.sum;
    return true;
}

template <class Real>
int D2nnModel<Real>::predict_from_optical(std::span<const double> values, analog::FrameUnit unit, const FrameKey& frame,
                                          ModelWorkspace&) const {
    // The region with the most collected charge wins (one photodiode per class region).
    RandomStream stream = this->frame_stream(frame);
    const analog::NoiseSwitches noise = effective_switches(spec_.noise, this->conditions());
    int best = 0;
    double best_q = -1e300;
    for (std::size_t k = 0; k < values.size(); ++k) {
        const double q = unit == analog::FrameUnit::power_W ? analog::photodiode_charge_e(spec_.photodiode, values[k], noise, stream)
                                                            : analog::photodiode_charge_from_signal_e(spec_.photodiode, values[k], noise, stream);
        if (q > best_q) best_q = q, best = static_cast<int>(k);
    }
    return best;
}

template class D2nnModel<float>;
template class D2nnModel<double>;

}  // namespace accel::models
