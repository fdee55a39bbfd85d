#include "accel/models/d2nn_model.hpp"

#include <cmath>
#include <stdexcept>

#include "accel/core/random_stream.hpp"

namespace accel::models {

using core::RandomStream;
using core::StreamKind;

template <class Real>
struct D2nnModel<Real>::Workspace final : ModelWorkspace {
    typename OpticalStage<Real>::Workspace optical;
    std::vector<std::complex<Real>> input, gradient_field;
    std::vector<double> power_W, charge_e, dcharge_dmean, dloss_dpower, dloss_dintensity, logits, dlogits;
    std::vector<std::vector<double>> phase_gradient;
};

template <class Real>
D2nnModel<Real>::D2nnModel(const D2nnModelSpec& spec, optics::PropagationCache<Real>& cache)
    : spec_(spec),
      optics_(spec.optics, cache),
      detectors_(spec.optics.grid, spec.regions),
      encoder_(spec.image_rows, spec.image_cols, spec.input_window_px > 0 ? spec.input_window_px : spec.optics.grid.n,
               spec.optics.grid.n),
      masks_(static_cast<int>(spec.optics.distances_m.size()), spec.optics.grid) {
    analog::validate(spec_.photodiode);
    if (spec_.regions.size() < 2) throw std::invalid_argument("d2nn model needs at least two class regions");
    std::size_t offset = 0;
    const std::size_t mask = spec_.optics.grid.size();
    for (int l = 0; l < optics_.layers(); ++l) {
        blocks_.push_back({"phase_" + std::to_string(l), offset, mask, spec_.phase_learning_rate_scale});
        offset += mask;
    }
    blocks_.push_back({"log_logit_scale", offset, 1, 1.0});
}

template <class Real>
std::vector<double> D2nnModel<Real>::initial_parameters(std::uint64_t seed) const {
    std::vector<double> p(parameter_count());
    RandomStream rng(seed, StreamKind::training, 0, 0);
    for (int l = 0; l < optics_.layers(); ++l) {
        const auto& b = blocks_[static_cast<std::size_t>(l)];
        for (std::size_t i = 0; i < b.size; ++i) p[b.offset + i] = optics::two_pi * rng.uniform();
    }
    // Logits are fractions of the detected light (summing to 1); a scale of 10 spreads them
    // over a useful softmax range, as in the PyTorch peer.
    p[block("log_logit_scale").offset] = std::log(10.0);
    return p;
}

template <class Real>
void D2nnModel<Real>::prepare(std::span<const double> parameters, const Conditions& c) {
    if (parameters.size() != parameter_count()) throw std::invalid_argument("d2nn model: wrong number of parameters");
    conditions_ = c;
    masks_.prepare(parameters, blocks_, spec_.phase_bits, c);
    logit_scale_ = std::exp(parameters[block("log_logit_scale").offset]);
}

template <class Real>
std::unique_ptr<ModelWorkspace> D2nnModel<Real>::make_workspace() const {
    auto ws = std::make_unique<Workspace>();
    const std::size_t n2 = spec_.optics.grid.size();
    const auto k = spec_.regions.size();
    ws->optical = optics_.make_workspace();
    ws->input.resize(n2);
    ws->gradient_field.resize(n2);
    ws->power_W.resize(k);
    ws->charge_e.resize(k);
    ws->dcharge_dmean.resize(k);
    ws->dloss_dpower.resize(k);
    ws->dloss_dintensity.resize(n2);
    ws->logits.resize(k);
    ws->dlogits.resize(k);
    ws->phase_gradient.assign(static_cast<std::size_t>(optics_.layers()), std::vector<double>(n2));
    return ws;
}

template <class Real>
void D2nnModel<Real>::optical_forward(std::span<const float> image, Workspace& ws) const {
    const auto& o = spec_.optics;
    if (conditions_.frame_energy_J > 0.0)
        datasets::encode_at_light_level<Real>(encoder_, image, ws.input, o.grid.pitch_m, o.wavelength_m, spec_.photodiode.integration_time_s,
                                              {datasets::LightLevel::total_energy_J, conditions_.frame_energy_J}, spec_.encoding);
    else
        encoder_.encode<Real>(image, ws.input, 1.0, spec_.encoding);
    optics_.forward(ws.input, masks_.transmissions(), ws.optical);
    detectors_.integrate(ws.optical.field.data(), ws.power_W.data());
}

template <class Real>
double D2nnModel<Real>::loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& base,
                             std::span<double> logits, std::span<double> gradient) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    const auto& pd = spec_.photodiode;
    const auto& noise = spec_.noise;
    const bool noisy = conditions_.noise;
    const std::size_t k_count = spec_.regions.size();
    const double electrons_per_W = analog::mean_signal_e(pd, 1.0);
    RandomStream frame_stream(conditions_.seed, StreamKind::frame, conditions_.chip, frame.frame);

    // Region charges (electrons), with the same noise model as the photodiodes of the chip.
    analog::frame_charges_e(pd, noise, noisy, frame.training, std::span<const double>(ws.power_W).first(k_count), frame_stream,
                            std::span<double>(ws.charge_e).first(k_count), std::span<double>(ws.dcharge_dmean).first(k_count));
    double total = 0.0;
    for (std::size_t k = 0; k < k_count; ++k) total += ws.charge_e[k];
    const double sum = std::abs(total) > 1e-300 ? total : 1e-300;
    // z_k = γ·Q_k/ΣQ: the share of the detected light in each class region.
    for (std::size_t k = 0; k < k_count; ++k) ws.logits[k] = logit_scale_ * ws.charge_e[k] / sum;
    std::copy(ws.logits.begin(), ws.logits.end(), logits.begin());
    const double value = softmax_cross_entropy(ws.logits, label, ws.dlogits);
    if (gradient.empty()) return value;

    // No charge at all (no light reaches the class regions): no gradient from this image, as
    // in the ACCEL model; the 1/ΣQ factor would otherwise overflow.
    if (total == 0.0) return value;
    double dz_dot_z = 0.0;
    for (std::size_t k = 0; k < k_count; ++k) dz_dot_z += ws.dlogits[k] * ws.logits[k];
    gradient[block("log_logit_scale").offset] += dz_dot_z;
    // ∂z_c/∂Q_k = γ·(δ_ck − Q_c/ΣQ)/ΣQ, so ∂L/∂Q_k = (γ·∂L/∂z_k − Σ_c ∂L/∂z_c·z_c)/ΣQ.
    for (std::size_t k = 0; k < k_count; ++k)
        ws.dloss_dpower[k] = (logit_scale_ * ws.dlogits[k] - dz_dot_z) / sum * ws.dcharge_dmean[k] * electrons_per_W;
    intensity_backward<Real>(detectors_.overlap_m2(), ws.dloss_dpower, ws.optical.field, ws.dloss_dintensity, ws.gradient_field);
    for (auto& pg : ws.phase_gradient) std::fill(pg.begin(), pg.end(), 0.0);
    optics_.backward(ws.gradient_field, masks_.transmissions(), ws.optical, ws.phase_gradient);
    masks_.add_gradient(ws.phase_gradient, blocks_, gradient);
    return value;
}

template <class Real>
int D2nnModel<Real>::predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& base) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    return predict_from_optical(ws.power_W, frame, ws);
}

template <class Real>
void D2nnModel<Real>::optical_output(std::span<const float> image, ModelWorkspace& base, std::span<double> power_W) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    std::copy(ws.power_W.begin(), ws.power_W.end(), power_W.begin());
}

template <class Real>
int D2nnModel<Real>::predict_from_optical(std::span<const double> power_W, const FrameKey& frame, ModelWorkspace&) const {
    // The region with the most collected charge wins (one photodiode per class region).
    RandomStream frame_stream(conditions_.seed, StreamKind::frame, conditions_.chip, frame.frame);
    const analog::NoiseSwitches noise = conditions_.noise ? spec_.noise : analog::NoiseSwitches::none();
    int best = 0;
    double best_q = -1e300;
    for (std::size_t k = 0; k < power_W.size(); ++k) {
        const double q = analog::photodiode_charge_e(spec_.photodiode, power_W[k], noise, frame_stream);
        if (q > best_q) best_q = q, best = static_cast<int>(k);
    }
    return best;
}

template <class Real>
void D2nnModel<Real>::detector_plane(std::span<const float> image, std::vector<std::complex<Real>>& field, std::vector<double>& power_W,
                                     ModelWorkspace& base) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    field = ws.optical.field;
    power_W = ws.power_W;
}

template class D2nnModel<float>;
template class D2nnModel<double>;

}  // namespace accel::models
