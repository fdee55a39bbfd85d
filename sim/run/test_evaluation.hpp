#pragma once
// The test evaluation of a trained model: noise-free, then over simulated chips at each
// light level, with the mean and 95 % interval of the chips' accuracies.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "accel/models/model.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/io/frames_io.hpp"
#include "accel/sim/run/run_data.hpp"
#include "accel/sim/run/statistics.hpp"

namespace accel::sim {

// One light level evaluated over simulated chips with the hardware read-out.
struct ChipEvaluation {
    double energy_density_fJ_per_um2 = 0.0;
    double frame_energy_J = 0.0;
    double photons_per_frame = 0.0;
    bool noise = false, fixed_pattern = false;
    bool ideal_electronics = false;  // the photon limit (eval.electronics = "ideal")
    double phase_error_pi = 0.0;
    std::int64_t shift_px = 0;
    double rotation_deg = 0.0;
    std::vector<models::EvalResult> per_chip;
    ChipSummary summary;
    std::vector<std::int64_t> confusion;  // summed over chips
    double clipped_frame_fraction = 0.0;  // frames whose read-out clipped a line, over all chips (ACCEL)
    // With gain settings (eac.line_capacitance_fF = 0): each chip's setting and its energy per
    // frame at that setting's line capacitance; empty otherwise.
    std::vector<int> gain_setting_per_chip;
    std::vector<double> energy_per_frame_J_per_chip;
    // With adaptive training (eval.adaptation_epochs > 0): each chip after adapting its weights
    // (per_chip is before), and the fraction of chips reaching yield_accuracy before and after.
    std::vector<models::EvalResult> adapted_per_chip;
    ChipSummary adapted_summary;
    double yield_accuracy = 0.0, yield_before = 0.0, yield_after = 0.0;
    int adaptation_epochs = 0, adaptation_images = 0;
};

struct TestReport {
    std::string dataset;
    bool subset = false;
    int full_test_size = 0;
    int classes = 0;
    models::EvalResult noise_free;       // argmax of the logits, with the loss
    std::vector<ChipEvaluation> chips;   // one per light level
};

// Progress of a test evaluation: what is being evaluated, images done and rate.
using EvalProgress = std::function<void(const std::string& label, const models::Progress&)>;
// Takes every simulated chip's frames (sim/io/frames_io.hpp) at the light level of index
// `light` (in the order evaluated), for example to export them.
using ChipFramesSink = std::function<void(std::size_t light, const ChipFramesFile& frames)>;

// Auto-ranging: gives `model` the optical outputs of the nominal design for the first
// eac.ranging_frames test frames at this light level (labels unused), which each chip then
// ranges its conversion gain on; returns them as frames (mean signal electrons).
FrameSet set_ranging_frames(const RunDescription& at_light, models::Model& model, const RunData& data, std::span<const double> parameters);

// Evaluates `parameters` on data.test: once noise-free (unless `with_noise_free` is false:
// then noise_free holds no images and a NaN accuracy), then at each light level (fJ/µm²;
// empty: the run's) over the run's chips (one if nothing varies by chip). With a `frames`
// sink (it needs data.train loaded) each chip's frames go to it.
[[nodiscard]] TestReport evaluate_test(const RunDescription& run, models::Model& model, const RunData& data,
                                       std::span<const double> parameters, std::span<const double> light_levels_fJ_per_um2,
                                       const EvalProgress& progress = {}, bool with_noise_free = true, const ChipFramesSink& frames = {});

}  // namespace accel::sim
