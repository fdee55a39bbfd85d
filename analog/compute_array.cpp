#include "accel/analog/compute_array.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "accel/core/constants.hpp"

namespace accel::analog {

using namespace core::constants;

void validate(const ComputeArrayParams& p) {
    const auto fail = [](const std::string& what) { throw std::invalid_argument("compute array: " + what); };
    if (p.inputs < 1) fail("inputs must be ≥ 1");
    if (p.outputs < 1) fail("outputs must be ≥ 1");
    if (p.output_lines < 1) fail("output lines must be ≥ 1");
    if (!(p.line_capacitance_F > 0.0) || !std::isfinite(p.line_capacitance_F)) fail("line capacitance must be finite and > 0 F");
    if (!(p.swing_V > 0.0) || !std::isfinite(p.swing_V)) fail("line swing must be finite and > 0 V");
    if (!(p.temperature_K > 0.0)) fail("temperature must be > 0 K");
    for (double s : {p.pixel_gain_sigma, p.weight_path_sigma, p.line_capacitance_sigma})
        if (!(s >= 0.0) || !(s < 0.5)) fail("relative mismatch must be in [0, 0.5)");
    if (!(p.comparator_offset_sigma_V >= 0.0) || !std::isfinite(p.comparator_offset_sigma_V)) fail("comparator offset must be ≥ 0 V");
    if (p.auto_zero_frames < 1) fail("auto-zero needs at least 1 dark frame");
    if (!(p.cds_sample_capacitance_F > 0.0) || !std::isfinite(p.cds_sample_capacitance_F))
        fail("CDS sample capacitance must be finite and > 0 F");
    for (double cap : p.gain_line_capacitances_F)
        if (!(cap > 0.0) || !std::isfinite(cap)) fail("every gain setting's line capacitance must be finite and > 0 F");
    if (!p.gain_line_capacitances_F.empty() && (p.gain_setting < 0 || p.gain_setting >= static_cast<int>(p.gain_line_capacitances_F.size())))
        fail("gain setting out of range");
    if (p.auto_range && p.gain_line_capacitances_F.empty()) fail("auto-ranging needs gain settings");
    if (!(p.ranging_headroom > 0.0 && p.ranging_headroom <= 1.0)) fail("ranging headroom must be in (0, 1]");
}

ChipInstance ideal_chip(const ComputeArrayParams& p) {
    validate(p);
    const auto n_in = static_cast<std::size_t>(p.inputs), n_out = static_cast<std::size_t>(p.outputs);
    return {std::vector<double>(n_in, 1.0), std::vector<double>(n_out * n_in, 1.0), std::vector<double>(n_out, p.line_capacitance_F),
            std::vector<double>(n_out, p.line_capacitance_F), std::vector<double>(n_out, 0.0), std::vector<double>(n_out, 0.0)};
}

ChipInstance draw_chip(const ComputeArrayParams& p, core::RandomStream& chip_stream) {
    ChipInstance c = ideal_chip(p);
    // A relative deviation of a few per cent; clamped so a gain or capacitance stays positive.
    const auto factor = [&](double sigma) { return std::max(0.05, 1.0 + sigma * chip_stream.normal()); };
    for (double& g : c.pixel_gain) g = factor(p.pixel_gain_sigma);
    for (double& g : c.weight_path) g = factor(p.weight_path_sigma);
    for (double& cap : c.line_capacitance_plus_F) cap *= factor(p.line_capacitance_sigma);
    for (double& cap : c.line_capacitance_minus_F) cap *= factor(p.line_capacitance_sigma);
    for (double& v : c.comparator_offset_V) v = p.comparator_offset_sigma_V * chip_stream.normal();
    return c;
}

ChipInstance draw_chip(const ComputeArrayParams& p, core::RandomStream& chip_stream, const NoiseSwitches& terms) {
    ChipInstance c = draw_chip(p, chip_stream);
    const ChipInstance ideal = ideal_chip(p);
    if (!terms.pixel_gain) c.pixel_gain = ideal.pixel_gain;
    if (!terms.weight_path) c.weight_path = ideal.weight_path;
    if (!terms.line_capacitance) {
        c.line_capacitance_plus_F = ideal.line_capacitance_plus_F;
        c.line_capacitance_minus_F = ideal.line_capacitance_minus_F;
    }
    if (!terms.comparator_offset) c.comparator_offset_V = ideal.comparator_offset_V;
    return c;
}

void validate_weights(const ComputeArrayParams& p, std::span<const std::int8_t> weights) {
    if (weights.size() != static_cast<std::size_t>(p.outputs) * static_cast<std::size_t>(p.inputs))
        throw std::invalid_argument("compute array: expected " + std::to_string(p.outputs) + "×" + std::to_string(p.inputs) +
                                    " weights, got " + std::to_string(weights.size()));
    for (std::int8_t w : weights) {
        const bool ok = w == 1 || w == -1 || (w == 0 && p.weights == WeightKind::ternary);
        if (!ok)
            throw std::invalid_argument(std::string("compute array: weight ") + std::to_string(w) + " is not allowed for " +
                                        (p.weights == WeightKind::binary ? "binary {-1, +1}" : "ternary {-1, 0, +1}") + " weights");
    }
}

int pick_gain_setting(const ComputeArrayParams& p, const ChipInstance& chip, std::span<const std::int8_t> weights,
                      std::span<const double> charge_e, std::size_t frames) {
    validate(p);
    const auto n_in = static_cast<std::size_t>(p.inputs), n_out = static_cast<std::size_t>(p.outputs);
    if (charge_e.size() != frames * n_in) throw std::invalid_argument("pick_gain_setting: charges are not frames × inputs");
    // The largest line charge relative to its capacitance, in electrons per nominal farad.
    double largest = 0.0;
    for (std::size_t f = 0; f < frames; ++f)
        for (std::size_t c = 0; c < n_out; ++c) {
            double q_plus = 0.0, q_minus = 0.0;
            for (std::size_t k = 0; k < n_in; ++k) {
                const double q = charge_e[f * n_in + k] * chip.pixel_gain[k] * chip.weight_path[c * n_in + k];
                if (weights[c * n_in + k] > 0) q_plus += q;
                else if (weights[c * n_in + k] < 0) q_minus += q;
            }
            largest = std::max({largest, q_plus * p.line_capacitance_F / chip.line_capacitance_plus_F[c],
                                q_minus * p.line_capacitance_F / chip.line_capacitance_minus_F[c]});
        }
    const int settings = static_cast<int>(p.gain_line_capacitances_F.size());
    for (int s = 0; s < settings; ++s)
        if (largest * elementary_charge_C / p.gain_line_capacitances_F[static_cast<std::size_t>(s)] <= p.ranging_headroom * p.swing_V)
            return s;
    return settings - 1;
}

void set_line_capacitance(const ComputeArrayParams& p, ChipInstance& chip, double line_capacitance_F) {
    if (line_capacitance_F == p.line_capacitance_F) return;
    const double scale = line_capacitance_F / p.line_capacitance_F;
    for (double& cap : chip.line_capacitance_plus_F) cap *= scale;
    for (double& cap : chip.line_capacitance_minus_F) cap *= scale;
}

double line_reset_sigma_V(const ComputeArrayParams& p, double line_capacitance_F) {
    const double kt = boltzmann_J_K * p.temperature_K;
    return p.correlated_double_sampling ? std::sqrt(2.0 * kt / p.cds_sample_capacitance_F) : std::sqrt(kt / line_capacitance_F);
}

int sum_on_lines(const ComputeArrayParams& p, const ChipInstance& chip, std::span<const std::int8_t> weights,
                 std::span<const double> charge_e, int first_output, int output_count, const NoiseSwitches& noise,
                 core::RandomStream& frame, std::span<double> differential_V) {
    const auto n_in = static_cast<std::size_t>(p.inputs);
    int saturated = 0;
    for (int c = first_output; c < first_output + output_count; ++c) {
        const std::size_t row = static_cast<std::size_t>(c) * n_in;
        // Kirchhoff: every current steered onto a line adds its charge there.
        double q_plus = 0.0, q_minus = 0.0;
        for (std::size_t k = 0; k < n_in; ++k) {
            const double q = charge_e[k] * chip.pixel_gain[k] * chip.weight_path[row + k];
            // Selects, not branches: trained signs are a coin toss per cell, so a branch
            // mispredicts half the time. Adding +0.0 leaves each sum as it was (charges ≥ 0).
            q_plus += weights[row + k] > 0 ? q : 0.0;
            q_minus += weights[row + k] < 0 ? q : 0.0;
        }
        const double c_plus = chip.line_capacitance_plus_F[static_cast<std::size_t>(c)];
        const double c_minus = chip.line_capacitance_minus_F[static_cast<std::size_t>(c)];
        double v_plus = q_plus * elementary_charge_C / c_plus;
        double v_minus = q_minus * elementary_charge_C / c_minus;
        if (noise.reset) {
            // kT/C: the thermal noise sampled on a capacitor when its reset switch opens.
            v_plus += line_reset_sigma_V(p, c_plus) * frame.normal();
            v_minus += line_reset_sigma_V(p, c_minus) * frame.normal();
        }
        if (noise.clipping) {
            // A line clips at the supply. There is no clamp below: after its reset switch opens
            // the line floats, and only the reset noise takes it below its 0 V reset level, by
            // tens of µV, far from the −0.5 V where its junctions to the substrate would conduct.
            saturated += (v_plus > p.swing_V ? 1 : 0) + (v_minus > p.swing_V ? 1 : 0);
            v_plus = std::min(v_plus, p.swing_V);
            v_minus = std::min(v_minus, p.swing_V);
        }
        const auto out = static_cast<std::size_t>(c);
        differential_V[out] = v_plus - v_minus + chip.comparator_offset_V[out] - chip.offset_trim_V[out];
    }
    return saturated;
}

int evaluate_frame(const ComputeArrayParams& p, const PhotodiodeParams& pd, const ChipInstance& chip,
                   std::span<const std::int8_t> weights, std::span<const double> power_W, const NoiseSwitches& noise,
                   core::RandomStream& frame, std::span<double> differential_V) {
    return evaluate_frame(p, pd, chip, weights, power_W, FrameUnit::power_W, noise, frame, differential_V);
}

int evaluate_frame(const ComputeArrayParams& p, const PhotodiodeParams& pd, const ChipInstance& chip,
                   std::span<const std::int8_t> weights, std::span<const double> values, FrameUnit unit, const NoiseSwitches& noise,
                   core::RandomStream& frame, std::span<double> differential_V) {
    if (values.size() != static_cast<std::size_t>(p.inputs) || differential_V.size() != static_cast<std::size_t>(p.outputs))
        throw std::invalid_argument("evaluate_frame: photodiode or output span has the wrong size");
    const bool watts = unit == FrameUnit::power_W;
    std::vector<double> charge_e(values.size());
    int saturated = 0;
    for (int first = 0; first < p.outputs; first += p.output_lines) {
        // Each pass is a new integration of the same image: fresh shot and dark noise.
        for (std::size_t k = 0; k < values.size(); ++k)
            charge_e[k] = watts ? photodiode_charge_e(pd, values[k], noise, frame) : photodiode_charge_from_signal_e(pd, values[k], noise, frame);
        saturated += sum_on_lines(p, chip, weights, charge_e, first, std::min(p.output_lines, p.outputs - first), noise, frame, differential_V);
    }
    return saturated;
}

void auto_zero(const ComputeArrayParams& p, const PhotodiodeParams& pd, ChipInstance& chip, std::span<const std::int8_t> weights,
               const NoiseSwitches& noise, core::RandomStream& calibration) {
    validate(p);
    const auto outputs = static_cast<std::size_t>(p.outputs);
    std::fill(chip.offset_trim_V.begin(), chip.offset_trim_V.end(), 0.0);
    const std::vector<double> dark(static_cast<std::size_t>(p.inputs), 0.0);
    std::vector<double> differential(outputs), sum(outputs, 0.0);
    for (int k = 0; k < p.auto_zero_frames; ++k) {
        (void)evaluate_frame(p, pd, chip, weights, dark, noise, calibration, differential);
        for (std::size_t c = 0; c < outputs; ++c) sum[c] += differential[c];
    }
    for (std::size_t c = 0; c < outputs; ++c) chip.offset_trim_V[c] = sum[c] / p.auto_zero_frames;
}

int read_out(std::span<const double> differential_V) {
    return static_cast<int>(std::max_element(differential_V.begin(), differential_V.end()) - differential_V.begin());
}

}  // namespace accel::analog
