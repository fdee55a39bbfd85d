#pragma once
// The test evaluation with ACCEL's adaptive training (models/adaptation.hpp): each simulated
// chip, as drawn for the test (fabrication error, misalignment, mismatch, offsets), retrains
// its compute array's weights on its own photodiode outputs for the first
// eval.adaptation_images training images, then is tested again on the same test images.
// The optics run once per image for all chips when the chips share them (no fabrication
// error, no misalignment), once per chip and image otherwise.
//
// A chip's photodiode outputs are its frames (sim/io/frames_io.hpp): adaptation and the test
// after it read only them, so that frames exported from a simulated chip, or measured on a
// real one, adapt exactly as in-process frames do.

#include <functional>
#include <span>
#include <vector>

#include "accel/models/model.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/io/frames_io.hpp"
#include "accel/sim/run/run_data.hpp"

namespace accel::sim {

// What adaptation made of one chip: its hardware read-out on its test frames with the
// design's weights and after adaptation, and the adapted parameters (masks unchanged).
struct AdaptedChip {
    models::EvalResult before, after;
    std::vector<double> parameters;
};

// Adapts the chip `frames` come from (its electronics drawn as chip frames.chip under
// `chip_test`, the conditions of the evaluation at that light) on its training frames and tests
// it on its test frames, ranging its conversion gain on its ranging frames when the read-out
// auto-ranges. `with_before`: also its test with the design's weights (else `before` is empty).
// InputError for frames that do not fit the design (photodiodes, classes) or an auto-ranging
// read-out without ranging frames.
[[nodiscard]] AdaptedChip adapt_chip_on_frames(const RunDescription& at_light, models::Model& model, models::Trainer& trainer,
                                               std::span<const double> parameters, const ChipFramesFile& frames,
                                               const models::Conditions& chip_test, bool with_before);

using FramesSink = std::function<void(const ChipFramesFile&)>;

// The chips' frames (Conditions::chip = c … c+chips−1 of `chip_test`, as
// Trainer::evaluate_chips numbers them) at the light of `at_light`: the first
// eval.adaptation_images training images, the test images, and `ranging` (mean signal
// electrons of the ranging frames, empty without auto-ranging). Each goes to `sink` when one
// is given; when the evaluation adapts, each chip is adapted and tested on them and the
// results returned, one per chip. Needs data.train loaded.
[[nodiscard]] std::vector<models::EvalResult> adapt_and_test_chips(const RunDescription& at_light, models::Model& model,
                                                                  models::Trainer& trainer, const RunData& data,
                                                                  std::span<const int> test_indices, std::span<const double> parameters,
                                                                  const models::Conditions& chip_test, int chips, const FrameSet& ranging,
                                                                  const FramesSink& sink,
                                                                  const std::function<void(const models::Progress&)>& progress);

}  // namespace accel::sim
