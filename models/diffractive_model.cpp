#include "accel/models/diffractive_model.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "accel/optics/phase_mask.hpp"

namespace accel::models {

using core::RandomStream;
using core::StreamKind;

namespace {

// |u|² of every sample of a field.
template <class Real>
std::vector<double> intensity_of(std::span<const std::complex<Real>> field) {
    std::vector<double> intensity(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) intensity[i] = std::norm(std::complex<double>(field[i]));
    return intensity;
}

// Which draw of the photodiode charges a frame asks for: training with noise uses the
// Gaussian form of the shot noise, Q = μ + √μ·ε, so that the gradient passes through it.
analog::ChargeSampling sampling_of(const Conditions& c, const FrameKey& frame) {
    if (!c.noise) return analog::ChargeSampling::noise_free;
    return frame.training ? analog::ChargeSampling::reparameterised : analog::ChargeSampling::exact;
}

}  // namespace

template <class Real>
DiffractiveModel<Real>::DiffractiveModel(const DiffractiveSpec& spec, std::vector<optics::DetectorArea> detectors,
                                         optics::PropagationCache<Real>& cache)
    : diffractive_(spec),
      optics_(spec, std::move(detectors), cache),
      masks_(static_cast<int>(spec.optics.distances_m.size()), spec.optics.grid) {
    analog::validate(diffractive_.photodiode);
    const std::size_t mask = diffractive_.optics.grid.size();
    for (int l = 0; l < optics_.stage().layers(); ++l) add_block("phase_" + std::to_string(l), mask, diffractive_.phase_learning_rate_scale);
}

template <class Real>
void DiffractiveModel<Real>::add_block(std::string name, std::size_t size, double learning_rate_scale) {
    const std::size_t offset = blocks_.empty() ? 0 : blocks_.back().offset + blocks_.back().size;
    blocks_.push_back({std::move(name), offset, size, learning_rate_scale});
}

template <class Real>
std::vector<double> DiffractiveModel<Real>::initial_parameters(std::uint64_t seed) const {
    std::vector<double> p(parameter_count());
    RandomStream rng(seed, StreamKind::training, 0, 0);
    // Phases uniform in [0, 2π), as is usual for diffractive networks (or flat masks).
    for (int l = 0; l < optics_.stage().layers(); ++l) {
        const auto& b = blocks_[static_cast<std::size_t>(l)];
        for (std::size_t i = 0; i < b.size; ++i) p[b.offset + i] = diffractive_.zero_initial_phase ? 0.0 : optics::two_pi * rng.uniform();
    }
    initial_readout_parameters(p, rng);
    return p;
}

template <class Real>
void DiffractiveModel<Real>::prepare(std::span<const double> parameters, const Conditions& c) {
    if (parameters.size() != parameter_count()) throw std::invalid_argument(architecture() + " model: wrong number of parameters");
    conditions_ = c;
    masks_.prepare(parameters, blocks_, diffractive_.phase_bits, c);
    prepare_readout(parameters);
}

template <class Real>
std::unique_ptr<ModelWorkspace> DiffractiveModel<Real>::make_workspace() const {
    std::unique_ptr<DiffractiveWorkspace<Real>> ws = make_readout_workspace();
    const auto k = static_cast<std::size_t>(optics_.detectors().count()), c = static_cast<std::size_t>(classes());
    ws->optics = optics_.make_workspace();
    ws->charge_e.resize(k);
    ws->dcharge_dmean.resize(k);
    ws->logits.resize(c);
    ws->dlogits.resize(c);
    ws->dloss_dcharge.resize(k);
    ws->dloss_dpower.resize(k);
    return ws;
}

template <class Real>
RandomStream DiffractiveModel<Real>::frame_stream(const FrameKey& frame) const {
    return RandomStream(conditions_.seed, frame.adaptation ? StreamKind::adaptation : StreamKind::frame, conditions_.chip, frame.frame);
}

template <class Real>
void DiffractiveModel<Real>::optical_forward(std::span<const float> image, DiffractiveWorkspace<Real>& ws) const {
    optics_.forward(image, conditions_.frame_energy_J, masks_.transmissions(), ws.optics);
}

template <class Real>
void DiffractiveModel<Real>::draw_charges(std::span<const double> values, analog::FrameUnit unit, const FrameKey& frame,
                                          RandomStream& stream, std::span<double> charge_e, std::span<double> dcharge_dmean) const {
    if (charge_e.size() != values.size() || dcharge_dmean.size() != values.size())
        throw std::invalid_argument("photodiode charges: values, charges and derivatives differ in length");
    analog::frame_charges_e(diffractive_.photodiode, effective_switches(diffractive_.noise, conditions_), sampling_of(conditions_, frame), values, unit, stream, charge_e,
                            dcharge_dmean);
}

template <class Real>
void DiffractiveModel<Real>::photodiode_charges_e(std::span<const double> power_W, const FrameKey& frame, std::span<double> charge_e,
                                                  std::span<double> dcharge_dmean) const {
    RandomStream stream = frame_stream(frame);
    draw_charges(power_W, analog::FrameUnit::power_W, frame, stream, charge_e, dcharge_dmean);
}

template <class Real>
double DiffractiveModel<Real>::loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& base,
                                    std::span<double> logits, std::span<double> gradient) const {
    auto& ws = static_cast<DiffractiveWorkspace<Real>&>(base);
    optical_forward(image, ws);
    RandomStream stream = frame_stream(frame);
    draw_charges(ws.optics.power_W, analog::FrameUnit::power_W, frame, stream, ws.charge_e, ws.dcharge_dmean);
    readout_logits(ws, stream);
    std::copy(ws.logits.begin(), ws.logits.end(), logits.begin());
    const double value = softmax_cross_entropy(ws.logits, label, ws.dlogits);
    if (gradient.empty() || !readout_backward(ws, gradient)) return value;

    // Through the charge sampler, Q(μ) with μ = κ·P + dark: ∂L/∂P_k = ∂L/∂Q_k·∂Q/∂μ·κ.
    const double electrons_per_W = analog::mean_signal_e(diffractive_.photodiode, 1.0);
    for (std::size_t k = 0; k < ws.dloss_dpower.size(); ++k)
        ws.dloss_dpower[k] = ws.dloss_dcharge[k] * ws.dcharge_dmean[k] * electrons_per_W;
    optics_.backward(ws.dloss_dpower, masks_.transmissions(), ws.optics);
    // Quantisation and fabrication error pass the gradient straight through; misalignment
    // sends it back to the parameter pixel that was displaced onto each grid pixel.
    masks_.add_gradient(ws.optics.phase_gradient, blocks_, gradient);
    return value;
}

template <class Real>
double DiffractiveModel<Real>::readout_loss(std::span<const double> signal_e, int label, const FrameKey& frame, ModelWorkspace& base,
                                            std::span<double> logits, std::span<double> gradient) const {
    auto& ws = static_cast<DiffractiveWorkspace<Real>&>(base);
    RandomStream stream = frame_stream(frame);
    draw_charges(signal_e, analog::FrameUnit::signal_e, frame, stream, ws.charge_e, ws.dcharge_dmean);
    readout_logits(ws, stream);
    std::copy(ws.logits.begin(), ws.logits.end(), logits.begin());
    const double value = softmax_cross_entropy(ws.logits, label, ws.dlogits);
    if (!gradient.empty()) (void)readout_backward(ws, gradient);  // ∂L/∂Q is not needed: the optics are frozen
    return value;
}

template <class Real>
void DiffractiveModel<Real>::update_readout(std::span<const double> parameters, bool recalibrate) {
    if (parameters.size() != parameter_count()) throw std::invalid_argument(architecture() + " model: wrong number of parameters");
    if (!adaptable_readout()) throw std::logic_error(architecture() + " model has no adaptable read-out");
    refresh_readout(parameters, recalibrate);
}

template <class Real>
int DiffractiveModel<Real>::predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& base) const {
    auto& ws = static_cast<DiffractiveWorkspace<Real>&>(base);
    optical_forward(image, ws);
    return predict_from_optical(ws.optics.power_W, analog::FrameUnit::power_W, frame, ws);
}

template <class Real>
void DiffractiveModel<Real>::signal_electrons(std::span<const double> power_W, std::span<double> signal_e) const {
    if (signal_e.size() != power_W.size()) throw std::invalid_argument("signal electrons: powers and electrons differ in length");
    for (std::size_t k = 0; k < power_W.size(); ++k) signal_e[k] = analog::mean_signal_e(diffractive_.photodiode, power_W[k]);
}

template <class Real>
void DiffractiveModel<Real>::optical_output(std::span<const float> image, ModelWorkspace& base, std::span<double> power_W) const {
    auto& ws = static_cast<DiffractiveWorkspace<Real>&>(base);
    optical_forward(image, ws);
    std::copy(ws.optics.power_W.begin(), ws.optics.power_W.end(), power_W.begin());
}

template <class Real>
void DiffractiveModel<Real>::detector_plane(std::span<const float> image, std::vector<std::complex<Real>>& field,
                                            std::vector<double>& power_W, ModelWorkspace& base) const {
    auto& ws = static_cast<DiffractiveWorkspace<Real>&>(base);
    optical_forward(image, ws);
    field = ws.optics.stage.field;
    power_W = ws.optics.power_W;
}

template <class Real>
std::optional<std::vector<double>> DiffractiveModel<Real>::detector_intensity_W_per_m2(std::span<const float> image) const {
    std::vector<std::complex<Real>> field;
    std::vector<double> power_W;
    const auto ws = make_workspace();
    detector_plane(image, field, power_W, *ws);
    return intensity_of<Real>(field);
}

template <class Real>
Detection DiffractiveModel<Real>::detected(const ModelWorkspace& base) const {
    const auto& ws = static_cast<const DiffractiveWorkspace<Real>&>(base);
    return {ws.optics.power_W, ws.charge_e};
}

template class DiffractiveModel<float>;
template class DiffractiveModel<double>;

}  // namespace accel::models
