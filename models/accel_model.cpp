#include "accel/models/accel_model.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "accel/core/constants.hpp"
#include "accel/core/random_stream.hpp"

namespace accel::models {

using core::RandomStream;
using core::StreamKind;

template <class Real>
struct AccelModel<Real>::Workspace final : ModelWorkspace {
    typename OpticalStage<Real>::Workspace optical;
    std::vector<std::complex<Real>> input, gradient_field;
    std::vector<double> power_W, charge_e, dcharge_dmean, dloss_dpower, dloss_dintensity, logits, dlogits, extra;
    std::vector<std::vector<double>> phase_gradient;
    std::vector<double> differential_V;
};

namespace {

int window_or_grid(const AccelModelSpec& s) { return s.input_window_px > 0 ? s.input_window_px : s.optics.grid.n; }

}  // namespace

template <class Real>
AccelModel<Real>::AccelModel(const AccelModelSpec& spec, optics::PropagationCache<Real>& cache)
    : spec_(spec),
      optics_(spec.optics, cache),
      detectors_(spec.optics.grid, optics::photodiode_areas(spec.detector)),
      encoder_(spec.image_rows, spec.image_cols, window_or_grid(spec), spec.optics.grid.n),
      masks_(static_cast<int>(spec.optics.distances_m.size()), spec.optics.grid) {
    analog::validate(spec_.photodiode);
    analog::validate(spec_.eac);
    if (spec_.eac.inputs != detectors_.count())
        throw std::invalid_argument("compute array inputs (" + std::to_string(spec_.eac.inputs) + ") differ from the photodiode count (" +
                                    std::to_string(detectors_.count()) + ")");
    std::size_t offset = 0;
    const std::size_t mask = spec_.optics.grid.size();
    for (int l = 0; l < optics_.layers(); ++l) {
        blocks_.push_back({"phase_" + std::to_string(l), offset, mask, spec_.phase_learning_rate_scale});
        offset += mask;
    }
    const std::size_t weights = static_cast<std::size_t>(spec_.eac.outputs) * static_cast<std::size_t>(spec_.eac.inputs);
    blocks_.push_back({"latent_weights", offset, weights, spec_.weight_learning_rate_scale});
    offset += weights;
    blocks_.push_back({"log_logit_scale", offset, 1, 1.0});
}

template <class Real>
std::vector<double> AccelModel<Real>::initial_parameters(std::uint64_t seed) const {
    std::vector<double> p(parameter_count());
    RandomStream rng(seed, StreamKind::training, 0, 0);
    // Phases uniform in [0, 2π), as is usual for diffractive networks; small latent weights
    // so that signs can flip early; a logit scale of 1: with L2-normalised charges and ±1
    // weights a logit reaches √(inputs) when the light gathers on few photodiodes, so larger
    // starting scales saturate the softmax.
    for (int l = 0; l < optics_.layers(); ++l) {
        const auto& b = blocks_[static_cast<std::size_t>(l)];
        for (std::size_t i = 0; i < b.size; ++i) p[b.offset + i] = spec_.zero_initial_phase ? 0.0 : optics::two_pi * rng.uniform();
    }
    const auto& w = block("latent_weights");
    for (std::size_t i = 0; i < w.size; ++i) p[w.offset + i] = 0.1 * (2.0 * rng.uniform() - 1.0);
    p[block("log_logit_scale").offset] = 0.0;
    return p;
}

template <class Real>
void AccelModel<Real>::prepare(std::span<const double> parameters, const Conditions& c) {
    if (parameters.size() != parameter_count()) throw std::invalid_argument("accel model: wrong number of parameters");
    conditions_ = c;
    masks_.prepare(parameters, blocks_, spec_.phase_bits, c);

    const auto& wb = block("latent_weights");
    weights_.resize(wb.size);
    weight_value_.resize(wb.size);
    weight_pass_.resize(wb.size);
    for (std::size_t i = 0; i < wb.size; ++i) {
        const double latent = parameters[wb.offset + i];
        if (spec_.eac.weights == analog::WeightKind::ternary && std::abs(latent) < spec_.ternary_threshold) weights_[i] = 0;
        else weights_[i] = latent >= 0.0 ? 1 : -1;
        weight_pass_[i] = std::abs(latent) <= 1.0 ? 1.0 : 0.0;  // straight-through, clipped
        weight_value_[i] = spec_.binarise_weights ? weights_[i] : latent;
        if (!spec_.binarise_weights) weight_pass_[i] = 1.0;
    }
    if (c.fixed_pattern) {
        RandomStream chip_stream(c.seed, StreamKind::chip, c.chip);
        chip_ = analog::draw_chip(spec_.eac, chip_stream);
    } else {
        chip_ = analog::ideal_chip(spec_.eac);
    }
    const auto inputs = static_cast<std::size_t>(spec_.eac.inputs);
    line_gain_.resize(wb.size);
    for (std::size_t c_out = 0; c_out < static_cast<std::size_t>(spec_.eac.outputs); ++c_out) {
        for (std::size_t k = 0; k < inputs; ++k) {
            const std::size_t i = c_out * inputs + k;
            const double cap = weights_[i] < 0 ? chip_.line_capacitance_minus_F[c_out] : chip_.line_capacitance_plus_F[c_out];
            line_gain_[i] = chip_.pixel_gain[k] * chip_.weight_path[i] * spec_.eac.line_capacitance_F / cap;
        }
    }
    logit_scale_ = std::exp(parameters[block("log_logit_scale").offset]);
}

template <class Real>
std::unique_ptr<ModelWorkspace> AccelModel<Real>::make_workspace() const {
    auto ws = std::make_unique<Workspace>();
    const std::size_t n2 = spec_.optics.grid.size();
    const auto k = static_cast<std::size_t>(spec_.eac.inputs), c = static_cast<std::size_t>(spec_.eac.outputs);
    ws->optical = optics_.make_workspace();
    ws->input.resize(n2);
    ws->gradient_field.resize(n2);
    ws->power_W.resize(k);
    ws->charge_e.resize(k);
    ws->dcharge_dmean.resize(k);
    ws->dloss_dpower.resize(k);
    ws->dloss_dintensity.resize(n2);
    ws->logits.resize(c);
    ws->dlogits.resize(c);
    ws->extra.resize(c);
    ws->differential_V.resize(c);
    ws->phase_gradient.assign(static_cast<std::size_t>(optics_.layers()), std::vector<double>(n2));
    return ws;
}

template <class Real>
void AccelModel<Real>::optical_forward(std::span<const float> image, Workspace& ws) const {
    const auto& o = spec_.optics;
    if (conditions_.frame_energy_J > 0.0) {
        datasets::encode_at_light_level<Real>(encoder_, image, ws.input, o.grid.pitch_m, o.wavelength_m, spec_.photodiode.integration_time_s,
                                              {datasets::LightLevel::total_energy_J, conditions_.frame_energy_J}, spec_.encoding);
    } else {
        encoder_.encode<Real>(image, ws.input, 1.0, spec_.encoding);
    }
    optics_.forward(ws.input, masks_.transmissions(), ws.optical);
    detectors_.integrate(ws.optical.field.data(), ws.power_W.data());
}

template <class Real>
double AccelModel<Real>::loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& base,
                              std::span<double> logits, std::span<double> gradient) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    const auto& pd = spec_.photodiode;
    const auto& noise = spec_.noise;
    const bool noisy = conditions_.noise;
    const std::size_t inputs = static_cast<std::size_t>(spec_.eac.inputs), outputs = static_cast<std::size_t>(spec_.eac.outputs);
    const double electrons_per_W = analog::mean_signal_e(pd, 1.0);
    RandomStream frame_stream(conditions_.seed, StreamKind::frame, conditions_.chip, frame.frame);

    // Photodiode charges. Training with noise uses the Gaussian form of the shot noise,
    // Q = μ + sqrt(μ)·ε, so that the gradient passes through it (reparameterisation).
    analog::frame_charges_e(pd, noise, noisy, frame.training, std::span<const double>(ws.power_W).first(inputs), frame_stream,
                            std::span<double>(ws.charge_e).first(inputs), std::span<double>(ws.dcharge_dmean).first(inputs));
    double norm2 = 0.0;
    for (std::size_t k = 0; k < inputs; ++k) norm2 += ws.charge_e[k] * ws.charge_e[k];
    const double norm = std::sqrt(std::max(norm2, 1e-300));

    // Line outputs in units of charge (electrons), then normalised: z_c = γ·(S_c + e_c)/‖Q‖.
    const double cap = spec_.eac.line_capacitance_F;
    const double kt = core::constants::boltzmann_J_K * spec_.eac.temperature_K;
    for (std::size_t c = 0; c < outputs; ++c) {
        double volts = chip_.comparator_offset_V[c];
        if (noisy && noise.reset)
            volts += std::sqrt(kt / chip_.line_capacitance_plus_F[c]) * frame_stream.normal() -
                     std::sqrt(kt / chip_.line_capacitance_minus_F[c]) * frame_stream.normal();
        ws.extra[c] = volts * cap / core::constants::elementary_charge_C;
        double s = 0.0;
        const std::size_t row = c * inputs;
        for (std::size_t k = 0; k < inputs; ++k) s += weight_value_[row + k] * line_gain_[row + k] * ws.charge_e[k];
        ws.logits[c] = logit_scale_ * (s + ws.extra[c]) / norm;
    }
    std::copy(ws.logits.begin(), ws.logits.end(), logits.begin());
    const double value = softmax_cross_entropy(ws.logits, label, ws.dlogits);
    if (gradient.empty()) return value;

    // No charge at all (the light never reaches the photodiodes, e.g. lost over many layers
    // below single precision): the normalised read-out has no direction to follow, so the
    // image contributes no gradient (a 1/‖Q‖ factor would otherwise overflow to inf × 0).
    if (!(norm2 > 0.0)) return value;
    double dz_dot_z = 0.0;
    for (std::size_t c = 0; c < outputs; ++c) dz_dot_z += ws.dlogits[c] * ws.logits[c];
    gradient[block("log_logit_scale").offset] += dz_dot_z;  // z ∝ γ = e^g

    const std::size_t w_offset = block("latent_weights").offset;
    std::fill(ws.dloss_dpower.begin(), ws.dloss_dpower.end(), 0.0);
    for (std::size_t c = 0; c < outputs; ++c) {
        const double g = ws.dlogits[c] * logit_scale_ / norm;
        const std::size_t row = c * inputs;
        for (std::size_t k = 0; k < inputs; ++k) {
            // ∂z_c/∂w_ck = γ·a_ck·Q_k/‖Q‖, passed straight through the sign function.
            gradient[w_offset + row + k] += g * line_gain_[row + k] * ws.charge_e[k] * weight_pass_[row + k];
            ws.dloss_dpower[k] += g * weight_value_[row + k] * line_gain_[row + k];
        }
    }
    // ∂z_c/∂Q_k = γ·w_ck·a_ck/‖Q‖ − z_c·Q_k/‖Q‖²; then through Q(μ) and μ = κ·P + dark.
    for (std::size_t k = 0; k < inputs; ++k) {
        const double dq = ws.dloss_dpower[k] - dz_dot_z * ws.charge_e[k] / norm2;
        ws.dloss_dpower[k] = dq * ws.dcharge_dmean[k] * electrons_per_W;
    }
    // P_k = Σ_p A_kp·|u_p|²  →  ∂L/∂I_p = Σ_k A_kp·∂L/∂P_k, and g_u = 2·(∂L/∂I)·u.
    intensity_backward<Real>(detectors_.overlap_m2(), ws.dloss_dpower, ws.optical.field, ws.dloss_dintensity, ws.gradient_field);

    for (auto& pg : ws.phase_gradient) std::fill(pg.begin(), pg.end(), 0.0);
    optics_.backward(ws.gradient_field, masks_.transmissions(), ws.optical, ws.phase_gradient);
    // Quantisation and fabrication error pass the gradient straight through; misalignment
    // sends it back to the parameter pixel that was displaced onto each grid pixel.
    masks_.add_gradient(ws.phase_gradient, blocks_, gradient);
    return value;
}

template <class Real>
int AccelModel<Real>::predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& base) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    return predict_from_optical(ws.power_W, frame, ws);
}

template <class Real>
void AccelModel<Real>::optical_output(std::span<const float> image, ModelWorkspace& base, std::span<double> power_W) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    std::copy(ws.power_W.begin(), ws.power_W.end(), power_W.begin());
}

template <class Real>
int AccelModel<Real>::predict_from_optical(std::span<const double> power_W, const FrameKey& frame, ModelWorkspace& base) const {
    auto& ws = static_cast<Workspace&>(base);
    RandomStream frame_stream(conditions_.seed, StreamKind::frame, conditions_.chip, frame.frame);
    const analog::NoiseSwitches noise = conditions_.noise ? spec_.noise : analog::NoiseSwitches::none();
    analog::evaluate_frame(spec_.eac, spec_.photodiode, chip_, weights_, power_W, noise, frame_stream, ws.differential_V);
    return analog::read_out(ws.differential_V);
}

template <class Real>
void AccelModel<Real>::detector_plane(std::span<const float> image, std::vector<std::complex<Real>>& field, std::vector<double>& power_W,
                                      ModelWorkspace& base) const {
    auto& ws = static_cast<Workspace&>(base);
    optical_forward(image, ws);
    field = ws.optical.field;
    power_W = ws.power_W;
}

template class AccelModel<float>;
template class AccelModel<double>;

}  // namespace accel::models
