#pragma once
// The electronic analog computing array (EAC) of ACCEL: weights in SRAM, binary {−1, +1}
// or ternary {−1, 0, +1}. The photocurrent of input k is steered by w_ck onto the + or −
// computing line of output c (or onto neither for a ternary zero); charge sums on the line
// capacitance (Kirchhoff), V± = Q±/C±, clipped at the supply swing; kT/C reset noise on each
// line every frame; per-chip mismatch of pixel gain, weight path and line capacitance and a
// fixed comparator offset; the class is read out by comparing differential outputs
// (argmax). With fewer physical output lines than outputs, outputs are evaluated in
// successive passes, each a fresh integration.

#include <cstdint>
#include <span>
#include <vector>

#include "accel/analog/photodiode.hpp"
#include "accel/core/random_stream.hpp"

namespace accel::analog {

enum class WeightKind { binary, ternary };

struct ComputeArrayParams {
    int inputs = 1024;           // photodiodes
    int outputs = 10;            // classes
    int output_lines = 10;       // physical output channels (pairs of ± lines) on the chip
    WeightKind weights = WeightKind::binary;
    double line_capacitance_F = 2e-12;
    double swing_V = 1.8;        // lines clip at the swing (the supply)
    double temperature_K = 300.0;
    // Fixed-pattern terms, drawn once per chip (relative standard deviations, and volts).
    double pixel_gain_sigma = 0.01;
    double weight_path_sigma = 0.005;
    double line_capacitance_sigma = 0.01;
    double comparator_offset_sigma_V = 1e-3;
    // Offset calibration (auto-zero): with the weights loaded and no light, the chip integrates
    // `auto_zero_frames` dark frames, averages each output's differential and subtracts that
    // trim from every later frame. What remains of the offset is the calibration's own noise.
    bool auto_zero = false;
    int auto_zero_frames = 16;
    // Correlated double sampling: each line's level is sampled after its reset and again after
    // the integration, and the difference is compared, so that the kT/C noise frozen on the
    // line at reset cancels; each of the two samples adds the kT/C noise of the capacitor it
    // is held on (Enz & Temes 1996), 2kT/C_s per line.
    bool correlated_double_sampling = false;
    double cds_sample_capacitance_F = 1e-12;
    // Conversion gain: the line capacitance of each selectable setting, highest gain first
    // (empty: the one fixed line_capacitance_F, which is then settings[gain_setting]). With
    // auto_range each chip picks its setting from ranging frames (pick_gain_setting).
    std::vector<double> gain_line_capacitances_F;
    int gain_setting = 0;
    bool auto_range = false;
    double ranging_headroom = 0.9;  // fraction of the swing a line may reach on the ranging frames

    // Number of successive integrations needed to evaluate every output.
    [[nodiscard]] int passes() const { return (outputs + output_lines - 1) / output_lines; }
};

void validate(const ComputeArrayParams& p);  // std::invalid_argument naming the member and range

// The fixed-pattern state of one simulated chip.
struct ChipInstance {
    std::vector<double> pixel_gain;       // inputs; multiplies photodiode k's current
    std::vector<double> weight_path;      // outputs × inputs; gain of the switch steering k onto c's lines
    std::vector<double> line_capacitance_plus_F, line_capacitance_minus_F;  // outputs
    std::vector<double> comparator_offset_V;                               // outputs
    std::vector<double> offset_trim_V;  // outputs; subtracted from each differential (auto_zero), 0 without
};

// A chip with no mismatch: unit gains, nominal capacitances, zero offsets.
[[nodiscard]] ChipInstance ideal_chip(const ComputeArrayParams& p);
// Draws the fixed-pattern terms from the chip stream (Gaussian; gains and capacitances are
// kept positive).
[[nodiscard]] ChipInstance draw_chip(const ComputeArrayParams& p, core::RandomStream& chip_stream);
// The same, with the per-chip terms `terms` switches off set back to their ideal values. All
// are drawn first, so a chip's other terms do not depend on which are off.
[[nodiscard]] ChipInstance draw_chip(const ComputeArrayParams& p, core::RandomStream& chip_stream, const NoiseSwitches& terms);

// Auto-zero of `chip` for `weights`: the mean differential output of p.auto_zero_frames
// frames without light (dark current, reset noise and the comparator offset as `noise` and
// the chip have them), drawn from `calibration`, becomes chip.offset_trim_V. The trim
// cancels the offset and the mean dark-current differential; its error, the mean of the
// frames' noise, falls as 1/√K.
void auto_zero(const ComputeArrayParams& p, const PhotodiodeParams& pd, ChipInstance& chip, std::span<const std::int8_t> weights,
               const NoiseSwitches& noise, core::RandomStream& calibration);

// Weights must be in {−1, +1} (binary) or {−1, 0, +1} (ternary); std::invalid_argument otherwise.
void validate_weights(const ComputeArrayParams& p, std::span<const std::int8_t> weights);

// The highest-gain setting (an index into p.gain_line_capacitances_F) under which no line of
// `chip` with `weights` goes above ranging_headroom·swing on any ranging frame: `charge_e`
// holds `frames` rows of the photodiodes' mean charges (electrons). The lowest gain (the
// last setting) if every setting would clip. Mismatch is the chip's: each line keeps its
// capacitance relative to the nominal p.line_capacitance_F.
[[nodiscard]] int pick_gain_setting(const ComputeArrayParams& p, const ChipInstance& chip, std::span<const std::int8_t> weights,
                                    std::span<const double> charge_e, std::size_t frames);
// Switches `chip`'s lines to the nominal capacitance `line_capacitance_F`, keeping each line's
// mismatch relative to p.line_capacitance_F (a no-op at that capacitance).
void set_line_capacitance(const ComputeArrayParams& p, ChipInstance& chip, double line_capacitance_F);

// σ (V) of the reset noise a line carries into the comparison: √(kT/C_line) as reset, or
// √(2kT/C_s) with correlated double sampling.
[[nodiscard]] double line_reset_sigma_V(const ComputeArrayParams& p, double line_capacitance_F);

// Differential output voltages V+ − V− (+ comparator offset) of every output for one frame.
// `power_W` is the optical power on each photodiode; the photodiode charges are drawn anew
// for each pass. weights: outputs × inputs, row-major. Returns the number of lines that
// saturated (reached the supply swing) over all passes. The second form takes the frame's
// values in `unit` (the mean signal electrons of a measured-frames file, or powers).
int evaluate_frame(const ComputeArrayParams& p, const PhotodiodeParams& pd, const ChipInstance& chip,
                    std::span<const std::int8_t> weights, std::span<const double> power_W, const NoiseSwitches& noise,
                    core::RandomStream& frame, std::span<double> differential_V);
int evaluate_frame(const ComputeArrayParams& p, const PhotodiodeParams& pd, const ChipInstance& chip,
                    std::span<const std::int8_t> weights, std::span<const double> values, FrameUnit unit, const NoiseSwitches& noise,
                    core::RandomStream& frame, std::span<double> differential_V);

// The same from given photodiode charges (electrons), for one pass covering every output:
// what the lines do with the charge, without the photodiode. Returns the number of lines
// (+ and − counted apart) whose voltage reached the supply swing and was clipped there. A
// line is not clamped at its 0 V reset level: reset noise takes a dark line a little below
// it, as on a floating node. With noise.clipping off the lines neither clip nor count.
int sum_on_lines(const ComputeArrayParams& p, const ChipInstance& chip, std::span<const std::int8_t> weights,
                  std::span<const double> charge_e, int first_output, int output_count, const NoiseSwitches& noise,
                  core::RandomStream& frame, std::span<double> differential_V);

// Index of the largest differential output (ties: the lowest index), as the comparator
// tree does.
[[nodiscard]] int read_out(std::span<const double> differential_V);

}  // namespace accel::analog
