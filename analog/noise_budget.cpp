#include "accel/analog/noise_budget.hpp"

#include <cmath>
#include <stdexcept>

#include "accel/core/constants.hpp"

namespace accel::analog {
namespace {

double quadrature(const std::vector<NoiseTerm>& terms, bool per_frame) {
    double sum = 0.0;
    for (const auto& t : terms)
        if (t.per_frame == per_frame) sum += t.rms_e * t.rms_e;
    return std::sqrt(sum);
}

}  // namespace

double OutputNoiseBudget::per_frame_rms_e() const { return quadrature(terms, true); }
double OutputNoiseBudget::fixed_pattern_rms_e() const { return quadrature(terms, false); }

std::vector<OutputNoiseBudget> noise_budget(const ComputeArrayParams& p, const PhotodiodeParams& pd, const ChipInstance& chip,
                                            std::span<const std::int8_t> weights, std::span<const double> signal_e,
                                            const NoiseSwitches& noise) {
    validate(p);
    const auto n_in = static_cast<std::size_t>(p.inputs), n_out = static_cast<std::size_t>(p.outputs);
    if (signal_e.size() != n_in || weights.size() != n_in * n_out) throw std::invalid_argument("noise budget: charges or weights of the wrong size");
    const double e_per_volt = p.line_capacitance_F / core::constants::elementary_charge_C;  // D = V·C/q
    const double dark_e = noise.dark ? mean_dark_e(pd) : 0.0;
    const double thermal_e2 = noise.thermal ? thermal_sigma_e(pd) * thermal_sigma_e(pd) : 0.0;
    std::vector<OutputNoiseBudget> out(n_out);
    for (std::size_t c = 0; c < n_out; ++c) {
        double q_plus = 0.0, q_minus = 0.0, shot = 0.0, dark = 0.0, johnson = 0.0, squares = 0.0;
        for (std::size_t k = 0; k < n_in; ++k) {
            const std::int8_t w = weights[c * n_in + k];
            if (w == 0) continue;
            const double cap = w > 0 ? chip.line_capacitance_plus_F[c] : chip.line_capacitance_minus_F[c];
            const double a = chip.pixel_gain[k] * chip.weight_path[c * n_in + k] * p.line_capacitance_F / cap;
            const double mean = signal_e[k] + dark_e;
            (w > 0 ? q_plus : q_minus) += a * mean;
            shot += a * a * signal_e[k];
            dark += a * a * dark_e;
            johnson += a * a * thermal_e2;
            squares += mean * mean;
        }
        OutputNoiseBudget& b = out[c];
        b.signal_e = q_plus - q_minus;
        const auto add = [&](const char* name, double variance, bool per_frame) { b.terms.push_back({name, std::sqrt(variance), per_frame}); };
        add("photon_shot", noise.shot ? shot : 0.0, true);
        add("dark_shot", dark, true);
        add("johnson", johnson, true);
        const double reset_V2 = noise.reset ? std::pow(line_reset_sigma_V(p, chip.line_capacitance_plus_F[c]), 2) +
                                                  std::pow(line_reset_sigma_V(p, chip.line_capacitance_minus_F[c]), 2)
                                            : 0.0;
        add("reset", reset_V2 * e_per_volt * e_per_volt, true);
        add("pixel_gain", noise.pixel_gain ? p.pixel_gain_sigma * p.pixel_gain_sigma * squares : 0.0, false);
        add("weight_path", noise.weight_path ? p.weight_path_sigma * p.weight_path_sigma * squares : 0.0, false);
        add("line_capacitance",
            noise.line_capacitance ? p.line_capacitance_sigma * p.line_capacitance_sigma * (q_plus * q_plus + q_minus * q_minus) : 0.0, false);
        // Auto-zero replaces the offset by the mean of K dark frames' own noise, whether or
        // not the comparator has an offset to cancel.
        const double offset_e2 = p.auto_zero ? (dark + johnson + reset_V2 * e_per_volt * e_per_volt) / p.auto_zero_frames
                                             : std::pow(p.comparator_offset_sigma_V * e_per_volt, 2);
        add("comparator_offset", noise.comparator_offset || p.auto_zero ? offset_e2 : 0.0, false);
    }
    return out;
}

}  // namespace accel::analog
