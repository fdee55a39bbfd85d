#include "accel/models/model.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace accel::models {

analog::NoiseSwitches effective_switches(const analog::NoiseSwitches& model, const Conditions& c) {
    const analog::NoiseSwitches& t = c.terms;
    analog::NoiseSwitches n = model;
    n.shot = c.noise && model.shot && t.shot;
    n.dark = c.noise && model.dark && t.dark;
    n.thermal = c.noise && model.thermal && t.thermal;
    n.reset = c.noise && model.reset && t.reset;
    n.pixel_gain = c.fixed_pattern && model.pixel_gain && t.pixel_gain;
    n.weight_path = c.fixed_pattern && model.weight_path && t.weight_path;
    n.line_capacitance = c.fixed_pattern && model.line_capacitance && t.line_capacitance;
    n.comparator_offset = c.fixed_pattern && model.comparator_offset && t.comparator_offset;
    n.clipping = model.clipping && t.clipping;
    return n;
}

std::size_t Model::parameter_count() const {
    const auto& b = blocks();
    return b.empty() ? 0 : b.back().offset + b.back().size;
}

const ParameterBlock& Model::block(std::string_view name) const {
    for (const auto& b : blocks())
        if (b.name == name) return b;
    throw std::invalid_argument("model has no parameter block '" + std::string(name) + "'");
}

void Model::optical_output(std::span<const float>, ModelWorkspace&, std::span<double>) const {
    throw std::logic_error(architecture() + " model has no optical output");
}

std::optional<std::vector<double>> Model::detector_intensity_W_per_m2(std::span<const float>) const { return std::nullopt; }

void Model::set_ranging_frames(std::span<const double>, std::size_t, analog::FrameUnit) {}

int Model::predict_from_optical(std::span<const double>, analog::FrameUnit, const FrameKey&, ModelWorkspace&) const {
    throw std::logic_error(architecture() + " model has no optical output");
}

void Model::signal_electrons(std::span<const double>, std::span<double>) const {
    throw std::logic_error(architecture() + " model has no optical output");
}

double Model::readout_loss(std::span<const double>, int, const FrameKey&, ModelWorkspace&, std::span<double>, std::span<double>) const {
    throw std::logic_error(architecture() + " model has no adaptable read-out");
}

void Model::update_readout(std::span<const double>, bool) { throw std::logic_error(architecture() + " model has no adaptable read-out"); }

double softmax_cross_entropy(std::span<const double> logits, int label, std::span<double> dlogits) {
    // Labels are checked against the model's outputs where data enter a run (sim::check_labels)
    // and at the trainer's entry points; this guards the index in debug and sanitizer builds.
    assert(label >= 0 && static_cast<std::size_t>(label) < logits.size() && dlogits.size() == logits.size());
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (std::size_t c = 0; c < logits.size(); ++c) {
        dlogits[c] = std::exp(logits[c] - top);
        sum += dlogits[c];
    }
    for (double& d : dlogits) d /= sum;
    const double loss = std::log(sum) + top - logits[static_cast<std::size_t>(label)];
    dlogits[static_cast<std::size_t>(label)] -= 1.0;
    return loss;
}

}  // namespace accel::models
