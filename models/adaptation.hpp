#pragma once
// ACCEL's adaptive training (Chen et al., Nature 623, 48 (2023), Methods, "Adaptive
// training"): a fabricated chip's optics are what they are (phase error, misalignment) and
// its electronics are mismatched; the electronic weights are retrained on that chip's own
// photodiode outputs while the masks stay fixed.
//
// Here the optics of the prepared chip have run once per training image (ChipFrames: the mean
// signal electrons of Model::optical_output, or a lab's measured charges averaged over
// repeated integrations); at every presentation the photodiode charges are drawn afresh from
// those means (the chip's shot, dark and thermal noise, in adaptation frames of their own
// stream), and only the read-out's parameters are trained: the compute array's latent weights
// through the straight-through estimator, and the logit scale. Minibatches, Adam and the
// chunked sums are the Trainer's (models/trainer.hpp), so that the adapted weights are the
// same for any thread count. The chip recalibrates (conversion gain, offset auto-zero) with
// the weights it holds at the start of every epoch and at the end, as a lab would between
// passes; within an epoch the calibration of its start holds.

#include <cstdint>
#include <span>
#include <vector>

#include "accel/models/adam.hpp"
#include "accel/models/model.hpp"

namespace accel::models {

struct AdaptationSettings {
    int epochs = 20;                   // passes over the chip's frames (ACCEL's code: 20)
    int batch_size = 32;
    double learning_rate = 0.01;       // of Adam on the read-out's parameters
    double learning_rate_decay = 0.9;  // multiplies the rate after every epoch
    int chunk_images = 4;              // images per deterministic partial sum of the gradient
    int threads = 1;
    std::uint64_t seed = 1;            // presentation order
    AdamSettings adam;
};

// The frames a chip adapts on: per image the mean signal electrons of each photodiode in one
// integration (analog::FrameUnit::signal_e), and its label.
struct ChipFrames {
    std::size_t width = 0;          // photodiodes
    std::vector<double> signal_e;   // images × width
    std::vector<int> labels;        // per image
    [[nodiscard]] std::size_t images() const { return labels.size(); }
};

struct AdaptationHistory {
    std::vector<double> loss, accuracy;  // per epoch, over its presentations (argmax of the logits)
};

// Retrains the read-out of the chip `model` is prepared for (Model::prepare with that chip's
// conditions) on `frames`, from `parameters`. Returns the parameters with the read-out's
// replaced (the masks' untouched) and leaves the model prepared with them, recalibrated.
// Throws std::invalid_argument for a model without an adaptable read-out, frames of the wrong
// width or labels beyond its classes, and no frames.
std::vector<double> adapt_readout(Model& model, std::span<const double> parameters, const ChipFrames& frames,
                                  const AdaptationSettings& settings, AdaptationHistory* history = nullptr);

}  // namespace accel::models
