#pragma once
// Minibatch training and evaluation of any Model on a Dataset.
//
// Determinism: an epoch's order is a function of (seed, epoch); a minibatch is split into
// fixed chunks of `chunk_images` images whose gradients are summed in image order, and the
// chunk sums are added in chunk order. Which thread computes which chunk does not matter,
// so results are bitwise identical for any thread count. Noise draws are keyed on the image's
// position in training (frame) and on the step (chip), never on a thread.
//
// Resume: TrainState holds everything that determines the rest of the run (parameters,
// optimiser moments, epoch, history, best model); training N epochs equals training k,
// saving, loading and training N − k more, bit for bit.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "accel/datasets/dataset.hpp"
#include "accel/datasets/distortion.hpp"
#include "accel/models/adam.hpp"
#include "accel/models/model.hpp"

namespace accel::models {

// A training step whose gradient is not finite: every parameter would become NaN at that
// step and every checkpoint after it, so training stops with the last checkpoint intact. It
// is neither bad input nor a programming error; the command line reports it with exit code 3.
struct TrainingDiverged : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct TrainSettings {
    int epochs = 5;
    int batch_size = 32;
    double learning_rate = 0.01;
    double learning_rate_decay = 0.7;  // multiplies the rate after every epoch
    int early_stopping_patience = 0;   // epochs without validation improvement before stopping; 0: never
    int chunk_images = 4;              // images per deterministic partial sum of the gradient
    int threads = 1;
    std::uint64_t seed = 1;
    Conditions conditions;             // noise, light and perturbations seen while training
    bool new_chip_per_step = false;    // draw fixed-pattern and fabrication terms afresh every step
    int max_shift_px = 0;              // robustness: random whole-pixel shift of each mask per step
    double max_rotation_rad = 0.0;     // robustness: random rotation of each mask per step
    int augment_shift_px = 0;          // augmentation: random whole-pixel shift of each training image (image px)
    datasets::DistortionSettings augment_distortion;  // augmentation: rotation, scaling, elastic deformation
    AdamSettings adam;
};

struct EpochRecord {
    double train_loss = 0.0, train_accuracy = 0.0;
    double validation_loss = 0.0, validation_accuracy = 0.0;
    double seconds = 0.0;
};

struct TrainState {
    std::vector<double> parameters;
    AdamState adam;
    int epochs_done = 0;
    std::vector<EpochRecord> history;
    std::vector<double> best_parameters;  // at the best validation accuracy so far
    double best_validation_accuracy = -1.0;
    int epochs_without_improvement = 0;
    bool stopped_early = false;
};

struct Progress {
    int epoch = 0, epochs = 0;
    std::size_t images_done = 0, images_total = 0;
    double loss = 0.0, accuracy = 0.0;  // running means over the epoch
    double images_per_s = 0.0;
};

struct EvalResult {
    std::size_t images = 0;
    double loss = 0.0;      // mean softmax cross-entropy of the logits (NaN for a hardware read-out)
    double accuracy = 0.0;  // of the hardware read-out (Model::predict)
    std::vector<std::int64_t> confusion;  // classes × classes, [true][predicted]
    std::size_t clipped_frames = 0;       // hardware read-out: frames in which a line clipped (ModelWorkspace::clipped)
    int gain_setting = -1;                // hardware read-out: the conversion gain the chip used (Model::gain_setting)
};

// Whether chips under `conditions` differ only in their electronics (no fabrication error,
// no misalignment), so that their optics can run once for all of them.
[[nodiscard]] bool chips_share_optics(const Model& model, const Conditions& conditions);

class Trainer {
public:
    Trainer(Model& model, TrainSettings settings);

    [[nodiscard]] TrainState initial_state() const;

    // Trains from `state` until settings.epochs are done (or early stopping), calling
    // `progress` now and then (from the calling thread) and `epoch_done` after each epoch with
    // the state to checkpoint.
    void train(const datasets::Dataset& data, std::span<const int> train_indices, std::span<const int> validation_indices,
               TrainState& state, const std::function<void(const Progress&)>& progress,
               const std::function<void(const TrainState&)>& epoch_done);

    // Loss and accuracy of `parameters` on the given images under `conditions`.
    // `hardware` reads the class out as the chip does (Model::predict: comparators, clipping,
    // noise drawn per frame) and computes no loss; otherwise the class is the argmax of the
    // logits and the loss is reported.
    EvalResult evaluate(const datasets::Dataset& data, std::span<const int> indices, std::span<const double> parameters,
                        const Conditions& conditions, bool hardware, const std::function<void(const Progress&)>& progress = {});

    // Hardware read-out accuracy of `chips` simulated chips (Conditions::chip = c … c+chips−1,
    // c the chip of `conditions`),
    // noise drawn per frame. When the chips share one optical stage (no fabrication error,
    // no misalignment) and the model exposes its optical output, the optics run once per
    // image and only the electronics run per chip; the results are the same either way.
    std::vector<EvalResult> evaluate_chips(const datasets::Dataset& data, std::span<const int> indices, std::span<const double> parameters,
                                           const Conditions& conditions, int chips,
                                           const std::function<void(const Progress&)>& progress = {});

    // The same for chips that share the optical stage (no fabrication error or misalignment
    // per chip), from `optical`, the optical outputs of the images under `conditions`.
    std::vector<EvalResult> evaluate_chips_from_optical(const datasets::Dataset& data, std::span<const int> indices,
                                                        std::span<const double> parameters, const Conditions& conditions, int chips,
                                                        std::span<const double> optical);
    // Whether the chips of `conditions` share the optical stage (evaluate_chips_from_optical applies).
    [[nodiscard]] bool chips_share_optical_stage(const Conditions& conditions) const;

    // For the model as last prepared: the optical outputs of the images (images ×
    // Model::optical_output_size(), W), and the hardware read-out accuracy from such outputs,
    // noise drawn per frame (keyed on the image index, as evaluate() keys it).
    std::vector<double> optical_outputs(const datasets::Dataset& data, std::span<const int> indices,
                                        const std::function<void(const Progress&)>& progress = {});
    EvalResult evaluate_from_optical(const datasets::Dataset& data, std::span<const int> indices, std::span<const double> optical);
    // The same from frames given as values (frames × width, in `unit`), their labels and their
    // frame numbers (the key of each frame's noise: the image index). Throws
    // std::invalid_argument for spans that do not match or labels beyond the model's classes.
    EvalResult evaluate_frames(std::span<const double> values, analog::FrameUnit unit, std::span<const int> labels,
                               std::span<const int> frame_numbers);

private:
    // One workspace per thread, made on first use and kept: a workspace holds every field of
    // an image in flight (megabytes), and making them per call would put large allocations
    // in front of every evaluation of a batch.
    std::vector<std::unique_ptr<ModelWorkspace>>& thread_workspaces();

    Model& model_;
    TrainSettings settings_;
    std::vector<std::unique_ptr<ModelWorkspace>> workspaces_;
};

}  // namespace accel::models
