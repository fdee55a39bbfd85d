#include "accel/models/digital_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "accel/core/random_stream.hpp"
#include "accel/datasets/encoding.hpp"

namespace accel::models {

using core::RandomStream;
using core::StreamKind;

struct DigitalModel::Workspace final : ModelWorkspace {
    std::vector<float> squared_image;
    std::vector<std::complex<double>> intensity;  // on the sensor grid (real), via the encoder
    std::vector<double> power_W, features, logits, dlogits;
    std::vector<double> hidden_input, hidden, dhidden;  // the MLP's pre-activations, ReLU outputs, ∂L/∂hidden
    std::vector<std::uint32_t> codes;
};

DigitalModel::DigitalModel(const DigitalModelSpec& spec) : spec_(spec) {
    analog::validate(spec_.sensor);
    if (spec_.sensor_side_px < 1 || spec_.classes < 2) throw std::invalid_argument("digital model: sensor side ≥ 1 and classes ≥ 2 required");
    if (spec_.hidden_units < 0) throw std::invalid_argument("digital model: hidden units must be ≥ 0");
    const auto classes = static_cast<std::size_t>(spec_.classes), hidden = static_cast<std::size_t>(spec_.hidden_units);
    // The output layer reads the pixels, or the hidden layer when there is one.
    const std::size_t inputs = hidden > 0 ? hidden : pixels();
    blocks_.push_back({"weights", 0, classes * inputs, 1.0});
    blocks_.push_back({"biases", blocks_.back().size, classes, 1.0});
    if (hidden > 0) {
        blocks_.push_back({"hidden_weights", blocks_.back().offset + blocks_.back().size, hidden * pixels(), 1.0});
        blocks_.push_back({"hidden_biases", blocks_.back().offset + blocks_.back().size, hidden, 1.0});
    }
}

std::size_t DigitalModel::pixels() const {
    return static_cast<std::size_t>(spec_.sensor_side_px) * static_cast<std::size_t>(spec_.sensor_side_px);
}

std::vector<double> DigitalModel::initial_parameters(std::uint64_t seed) const {
    std::vector<double> p(parameter_count(), 0.0);
    RandomStream rng(seed, StreamKind::training, 0, 0);
    const auto& w = block("weights");
    // The linear classifier as first modelled; the MLP's layers uniform in ±√(6/fan-in)
    // (He et al., ICCV 2015, for ReLU layers; Glorot & Bengio 2010 for the uniform form).
    const double scale = spec_.hidden_units > 0 ? std::sqrt(6.0 / spec_.hidden_units) : 0.01;
    for (std::size_t i = 0; i < w.size; ++i) p[w.offset + i] = scale * (2.0 * rng.uniform() - 1.0);
    if (spec_.hidden_units > 0) {
        const auto& h = block("hidden_weights");
        const double hidden_scale = std::sqrt(6.0 / static_cast<double>(pixels()));
        for (std::size_t i = 0; i < h.size; ++i) p[h.offset + i] = hidden_scale * (2.0 * rng.uniform() - 1.0);
    }
    return p;
}

void DigitalModel::prepare(std::span<const double> parameters, const Conditions& conditions) {
    if (parameters.size() != parameter_count()) throw std::invalid_argument("digital model: wrong number of parameters");
    parameters_.assign(parameters.begin(), parameters.end());
    conditions_ = conditions;
}

std::unique_ptr<ModelWorkspace> DigitalModel::make_workspace() const {
    auto ws = std::make_unique<Workspace>();
    const std::size_t pixels = static_cast<std::size_t>(spec_.sensor_side_px) * static_cast<std::size_t>(spec_.sensor_side_px);
    ws->squared_image.resize(static_cast<std::size_t>(spec_.image_rows * spec_.image_cols));
    ws->intensity.resize(pixels);
    ws->power_W.resize(pixels);
    ws->features.resize(pixels);
    ws->codes.resize(pixels);
    ws->logits.resize(static_cast<std::size_t>(spec_.classes));
    ws->dlogits.resize(static_cast<std::size_t>(spec_.classes));
    const auto hidden = static_cast<std::size_t>(spec_.hidden_units);
    ws->hidden_input.resize(hidden);
    ws->hidden.resize(hidden);
    ws->dhidden.resize(hidden);
    return ws;
}

void DigitalModel::features(std::span<const float> image, const FrameKey& frame, Workspace& ws) const {
    // The sensor integrates intensity: the image is written as amplitude (value), so each
    // sensor pixel receives the area mean of value² over its footprint.
    for (std::size_t i = 0; i < image.size(); ++i) ws.squared_image[i] = image[i] * image[i];
    datasets::encode_amplitude<double>(ws.squared_image, spec_.image_rows, spec_.image_cols, spec_.sensor_side_px, spec_.sensor_side_px,
                                       ws.intensity, 1.0);
    double sum = 0.0;
    for (const auto& v : ws.intensity) sum += v.real();
    const bool normalised = spec_.sensor.auto_gain;
    const double n = static_cast<double>(ws.features.size());
    if (conditions_.frame_energy_J <= 0.0 || sum <= 0.0) {
        // No light level: an ideal sensor that reports relative intensity.
        for (std::size_t i = 0; i < ws.features.size(); ++i) ws.features[i] = ws.intensity[i].real();
        if (normalised && sum > 0.0)
            for (double& f : ws.features) f *= n / sum;
        return;
    }
    const double power_W = conditions_.frame_energy_J / spec_.sensor.exposure_time_s;  // during the exposure
    for (std::size_t i = 0; i < ws.power_W.size(); ++i) ws.power_W[i] = power_W * ws.intensity[i].real() / sum;
    RandomStream frame_stream(conditions_.seed, StreamKind::frame, conditions_.chip, frame.frame);
    if (!normalised) {
        analog::read_sensor(spec_.sensor, ws.power_W, conditions_.noise, frame_stream, ws.codes);
        const double full_code = std::ldexp(1.0, spec_.sensor.adc_bits) - 1.0;
        for (std::size_t i = 0; i < ws.features.size(); ++i) ws.features[i] = ws.codes[i] / full_code;
        return;
    }
    const analog::SensorSetting setting = analog::auto_exposure(spec_.sensor, ws.power_W);
    analog::read_sensor(spec_.sensor, ws.power_W, conditions_.noise, frame_stream, ws.codes, setting);
    // Each code's electrons at the middle of its bin (code 0 reads as none), over their mean.
    const double e_per_code = setting.full_scale_e / std::ldexp(1.0, spec_.sensor.adc_bits);
    double electrons = 0.0;
    for (std::size_t i = 0; i < ws.features.size(); ++i) {
        ws.features[i] = ws.codes[i] > 0 ? (ws.codes[i] + 0.5) * e_per_code : 0.0;
        electrons += ws.features[i];
    }
    const double scale = electrons > 0.0 ? n / electrons : 0.0;
    for (double& f : ws.features) f *= scale;
}

// The MLP's backward pass from ∂L/∂logits: output layer, ReLU, hidden layer.
void DigitalModel::mlp_backward(Workspace& ws, std::span<double> gradient) const {
    const std::size_t px = pixels(), hidden = ws.hidden.size();
    const auto& w = block("weights");
    const auto& b = block("biases");
    const auto& hw = block("hidden_weights");
    const auto& hb = block("hidden_biases");
    std::fill(ws.dhidden.begin(), ws.dhidden.end(), 0.0);
    for (std::size_t c = 0; c < ws.logits.size(); ++c) {
        const double g = ws.dlogits[c];
        gradient[b.offset + c] += g;
        double* grow = gradient.data() + w.offset + c * hidden;
        const double* row = parameters_.data() + w.offset + c * hidden;
        for (std::size_t j = 0; j < hidden; ++j) {
            grow[j] += g * ws.hidden[j];
            ws.dhidden[j] += g * row[j];
        }
    }
    for (std::size_t j = 0; j < hidden; ++j) {
        if (!(ws.hidden_input[j] > 0.0)) continue;  // ReLU: no gradient where it is off
        const double g = ws.dhidden[j];
        gradient[hb.offset + j] += g;
        double* grow = gradient.data() + hw.offset + j * px;
        for (std::size_t i = 0; i < px; ++i) grow[i] += g * ws.features[i];
    }
}

double DigitalModel::loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& base, std::span<double> logits,
                          std::span<double> gradient) const {
    auto& ws = static_cast<Workspace&>(base);
    features(image, frame, ws);
    const std::size_t pixels = ws.features.size();
    const auto& w = blocks_[0];
    const auto& b = blocks_[1];
    const bool mlp = spec_.hidden_units > 0;
    if (mlp) {
        const auto& hw = block("hidden_weights");
        const auto& hb = block("hidden_biases");
        for (std::size_t j = 0; j < ws.hidden.size(); ++j) {
            double a = parameters_[hb.offset + j];
            const double* row = parameters_.data() + hw.offset + j * pixels;
            for (std::size_t i = 0; i < pixels; ++i) a += row[i] * ws.features[i];
            ws.hidden_input[j] = a;
            ws.hidden[j] = std::max(a, 0.0);
        }
    }
    const std::span<const double> inputs = mlp ? std::span<const double>(ws.hidden) : std::span<const double>(ws.features);
    for (std::size_t c = 0; c < ws.logits.size(); ++c) {
        double z = parameters_[b.offset + c];
        const double* row = parameters_.data() + w.offset + c * inputs.size();
        for (std::size_t i = 0; i < inputs.size(); ++i) z += row[i] * inputs[i];
        ws.logits[c] = z;
    }
    std::copy(ws.logits.begin(), ws.logits.end(), logits.begin());
    const double value = softmax_cross_entropy(ws.logits, label, ws.dlogits);
    if (gradient.empty()) return value;
    if (mlp) {
        mlp_backward(ws, gradient);
        return value;
    }
    for (std::size_t c = 0; c < ws.logits.size(); ++c) {
        const double g = ws.dlogits[c];
        gradient[b.offset + c] += g;
        double* row = gradient.data() + w.offset + c * pixels;
        for (std::size_t i = 0; i < pixels; ++i) row[i] += g * ws.features[i];
    }
    return value;
}

int DigitalModel::predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& base) const {
    auto& ws = static_cast<Workspace&>(base);
    loss(image, 0, frame, ws, ws.logits, {});
    return static_cast<int>(std::max_element(ws.logits.begin(), ws.logits.end()) - ws.logits.begin());
}

}  // namespace accel::models
