#include "accel/models/accel_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "accel/core/constants.hpp"

namespace accel::models {

using core::RandomStream;
using core::StreamKind;

template <class Real>
struct AccelModel<Real>::Workspace final : DiffractiveWorkspace<Real> {
    std::vector<double> extra;           // per output: offset and reset noise, in electrons
    std::vector<double> differential_V;  // per output, the hardware read-out
    double norm2 = 0.0, norm = 0.0;      // ‖Q‖² and ‖Q‖ of the last charges
};

template <class Real>
AccelModel<Real>::AccelModel(const AccelModelSpec& spec, optics::PropagationCache<Real>& cache)
    : DiffractiveModel<Real>(spec, optics::photodiode_areas(spec.detector), cache), spec_(spec) {
    analog::validate(spec_.eac);
    if (spec_.eac.inputs != this->detectors().count())
        throw std::invalid_argument("compute array inputs (" + std::to_string(spec_.eac.inputs) + ") differ from the photodiode count (" +
                                    std::to_string(this->detectors().count()) + ")");
    const std::size_t weights = static_cast<std::size_t>(spec_.eac.outputs) * static_cast<std::size_t>(spec_.eac.inputs);
    this->add_block("latent_weights", weights, spec_.weight_learning_rate_scale);
    this->add_block("log_logit_scale", 1, 1.0);
}

template <class Real>
void AccelModel<Real>::initial_readout_parameters(std::span<double> p, RandomStream& rng) const {
    // Small latent weights so that signs can flip early; a logit scale of 1: with
    // L2-normalised charges and ±1 weights a logit reaches √(inputs) when the light gathers on
    // few photodiodes, so larger starting scales saturate the softmax.
    const auto& w = this->block("latent_weights");
    for (std::size_t i = 0; i < w.size; ++i) p[w.offset + i] = 0.1 * (2.0 * rng.uniform() - 1.0);
    p[this->block("log_logit_scale").offset] = 0.0;
}

template <class Real>
void AccelModel<Real>::set_weights(std::span<const double> parameters) {
    const auto& wb = this->block("latent_weights");
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
}

// The chip under the loaded weights: its drawn mismatch (or an ideal one), its conversion
// gain, and its offsets auto-zeroed when the chip calibrates.
template <class Real>
void AccelModel<Real>::calibrate_chip() {
    const Conditions& c = this->conditions();
    const analog::NoiseSwitches noise = effective_switches(spec_.noise, c);
    if (c.fixed_pattern) {
        RandomStream chip_stream(c.seed, StreamKind::chip, c.chip);
        chip_ = analog::draw_chip(spec_.eac, chip_stream, noise);
    } else {
        chip_ = analog::ideal_chip(spec_.eac);
    }
    select_gain();
    if (spec_.eac.auto_zero) {
        // As the chip does it: weights loaded, no light, its own dark frames.
        RandomStream calibration(c.seed, StreamKind::calibration, c.chip);
        analog::auto_zero(spec_.eac, spec_.photodiode, chip_, weights_, noise, calibration);
    }
}

// What the loss sees of the weights on this chip: a_ck / w_ck, and the logit scale.
template <class Real>
void AccelModel<Real>::set_line_gains(std::span<const double> parameters) {
    const auto inputs = static_cast<std::size_t>(spec_.eac.inputs);
    line_gain_.resize(weights_.size());
    for (std::size_t c_out = 0; c_out < static_cast<std::size_t>(spec_.eac.outputs); ++c_out) {
        for (std::size_t k = 0; k < inputs; ++k) {
            const std::size_t i = c_out * inputs + k;
            const double cap = weights_[i] < 0 ? chip_.line_capacitance_minus_F[c_out] : chip_.line_capacitance_plus_F[c_out];
            line_gain_[i] = chip_.pixel_gain[k] * chip_.weight_path[i] * line_capacitance_F_ / cap;
        }
    }
    logit_scale_ = std::exp(parameters[this->block("log_logit_scale").offset]);
}

template <class Real>
void AccelModel<Real>::prepare_readout(std::span<const double> parameters) {
    set_weights(parameters);
    calibrate_chip();
    set_line_gains(parameters);
}

template <class Real>
void AccelModel<Real>::refresh_readout(std::span<const double> parameters, bool recalibrate) {
    set_weights(parameters);
    if (recalibrate) calibrate_chip();
    set_line_gains(parameters);
}

template <class Real>
void AccelModel<Real>::set_ranging_frames(std::span<const double> values, std::size_t frames, analog::FrameUnit unit) {
    if (values.size() != frames * static_cast<std::size_t>(spec_.eac.inputs))
        throw std::invalid_argument("ranging frames: values are not frames × photodiodes");
    ranging_values_.assign(values.begin(), values.end());
    ranging_unit_ = unit;
    ranging_frames_ = frames;
}

// The chip's conversion gain: the configured setting, or with auto-ranging the highest gain
// whose lines stay below the headroom on the ranging frames' mean charges (dark current
// included when frame noise is on); the chip's lines then take that setting's capacitance.
template <class Real>
void AccelModel<Real>::select_gain() {
    const auto& settings = spec_.eac.gain_line_capacitances_F;
    line_capacitance_F_ = spec_.eac.line_capacitance_F;
    gain_setting_ = settings.empty() ? -1 : spec_.eac.gain_setting;
    if (settings.empty()) return;
    if (spec_.eac.auto_range && ranging_frames_ > 0) {
        const Conditions& c = this->conditions();
        const double electrons_per_W = analog::mean_signal_e(spec_.photodiode, 1.0);
        const double dark = effective_switches(spec_.noise, c).dark ? analog::mean_dark_e(spec_.photodiode) : 0.0;
        const bool watts = ranging_unit_ == analog::FrameUnit::power_W;
        std::vector<double> charge_e(ranging_values_.size());
        for (std::size_t i = 0; i < charge_e.size(); ++i) charge_e[i] = (watts ? electrons_per_W * ranging_values_[i] : ranging_values_[i]) + dark;
        gain_setting_ = analog::pick_gain_setting(spec_.eac, chip_, weights_, charge_e, ranging_frames_);
    }
    line_capacitance_F_ = settings[static_cast<std::size_t>(gain_setting_)];
    analog::set_line_capacitance(spec_.eac, chip_, line_capacitance_F_);
}

template <class Real>
std::unique_ptr<DiffractiveWorkspace<Real>> AccelModel<Real>::make_readout_workspace() const {
    auto ws = std::make_unique<Workspace>();
    const auto c = static_cast<std::size_t>(spec_.eac.outputs);
    ws->extra.resize(c);
    ws->differential_V.resize(c);
    return ws;
}

template <class Real>
void AccelModel<Real>::readout_logits(DiffractiveWorkspace<Real>& base, RandomStream& frame) const {
    auto& ws = static_cast<Workspace&>(base);
    const std::size_t inputs = static_cast<std::size_t>(spec_.eac.inputs), outputs = static_cast<std::size_t>(spec_.eac.outputs);
    double norm2 = 0.0;
    for (std::size_t k = 0; k < inputs; ++k) norm2 += ws.charge_e[k] * ws.charge_e[k];
    ws.norm2 = norm2;
    ws.norm = std::sqrt(std::max(norm2, 1e-300));

    // Line outputs in units of charge (electrons), then normalised: z_c = γ·(S_c + e_c)/‖Q‖.
    const double cap = line_capacitance_F_;
    const bool reset_noise = effective_switches(spec_.noise, this->conditions()).reset;
    for (std::size_t c = 0; c < outputs; ++c) {
        double volts = chip_.comparator_offset_V[c] - chip_.offset_trim_V[c];
        if (reset_noise)
            volts += analog::line_reset_sigma_V(spec_.eac, chip_.line_capacitance_plus_F[c]) * frame.normal() -
                     analog::line_reset_sigma_V(spec_.eac, chip_.line_capacitance_minus_F[c]) * frame.normal();
        ws.extra[c] = volts * cap / core::constants::elementary_charge_C;
        double s = 0.0;
        const std::size_t row = c * inputs;
        for (std::size_t k = 0; k < inputs; ++k) s += weight_value_[row + k] * line_gain_[row + k] * ws.charge_e[k];
        ws.logits[c] = logit_scale_ * (s + ws.extra[c]) / ws.norm;
    }
}

template <class Real>
bool AccelModel<Real>::readout_backward(DiffractiveWorkspace<Real>& base, std::span<double> gradient) const {
    auto& ws = static_cast<Workspace&>(base);
    // No charge at all (the light never reaches the photodiodes, e.g. lost over many layers
    // below single precision): the normalised read-out has no direction to follow, so the
    // image contributes no gradient (a 1/‖Q‖ factor would otherwise overflow to inf × 0).
    if (!(ws.norm2 > 0.0)) return false;
    const std::size_t inputs = static_cast<std::size_t>(spec_.eac.inputs), outputs = static_cast<std::size_t>(spec_.eac.outputs);
    double dz_dot_z = 0.0;
    for (std::size_t c = 0; c < outputs; ++c) dz_dot_z += ws.dlogits[c] * ws.logits[c];
    gradient[this->block("log_logit_scale").offset] += dz_dot_z;  // z ∝ γ = e^g

    const std::size_t w_offset = this->block("latent_weights").offset;
    std::fill(ws.dloss_dcharge.begin(), ws.dloss_dcharge.end(), 0.0);
    for (std::size_t c = 0; c < outputs; ++c) {
        const double g = ws.dlogits[c] * logit_scale_ / ws.norm;
        const std::size_t row = c * inputs;
        for (std::size_t k = 0; k < inputs; ++k) {
            // ∂z_c/∂w_ck = γ·a_ck·Q_k/‖Q‖, passed straight through the sign function.
            gradient[w_offset + row + k] += g * line_gain_[row + k] * ws.charge_e[k] * weight_pass_[row + k];
            ws.dloss_dcharge[k] += g * weight_value_[row + k] * line_gain_[row + k];
        }
    }
    // ∂z_c/∂Q_k = γ·w_ck·a_ck/‖Q‖ − z_c·Q_k/‖Q‖².
    for (std::size_t k = 0; k < inputs; ++k) ws.dloss_dcharge[k] = ws.dloss_dcharge[k] - dz_dot_z * ws.charge_e[k] / ws.norm2;
    return true;
}

template <class Real>
int AccelModel<Real>::predict_from_optical(std::span<const double> values, analog::FrameUnit unit, const FrameKey& frame,
                                           ModelWorkspace& base) const {
    auto& ws = static_cast<Workspace&>(base);
    RandomStream stream = this->frame_stream(frame);
    const analog::NoiseSwitches noise = effective_switches(spec_.noise, this->conditions());
    ws.clipped = analog::evaluate_frame(spec_.eac, spec_.photodiode, chip_, weights_, values, unit, noise, stream, ws.differential_V) > 0;
    return analog::read_out(ws.differential_V);
}

template class AccelModel<float>;
template class AccelModel<double>;

}  // namespace accel::models
