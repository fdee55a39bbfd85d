#pragma once
// The interface the trainer and the evaluator see: a classifier of images with a flat
// vector of real parameters, a loss (softmax cross-entropy on its logits) and the gradient
// of that loss, computed by hand (adjoint method) for every model.
//
// A step goes: prepare(parameters, conditions) once, single-threaded (mask transmissions,
// binarised weights, the simulated chip, ...); then loss() for many images in parallel,
// each thread with its own Workspace. loss() never writes to the model.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "accel/analog/photodiode.hpp"
#include "accel/optics/phase_mask.hpp"

namespace accel::models {

struct ParameterBlock {
    std::string name;  // "phase_0", "latent_weights", "log_logit_scale", ...
    std::size_t offset = 0;
    std::size_t size = 0;
    double learning_rate_scale = 1.0;  // relative to the optimiser's base rate
};

// Everything about the simulated hardware and light that is not trained.
struct Conditions {
    double frame_energy_J = 0.0;       // optical energy per frame at the input (0: noise-free scale)
    bool noise = false;                // shot, dark, thermal and reset noise per frame
    bool fixed_pattern = false;        // per-chip mismatch and comparator offsets
    std::uint64_t seed = 1;            // master seed of the chip and frame streams
    std::uint32_t chip = 0;            // which simulated chip
    double phase_error_rad = 0.0;      // σ of the per-pixel fabrication phase error (drawn per chip)
    std::vector<optics::PlaneMisalignment> misalignment;  // per mask; empty: aligned
    bool quantise_phase = true;        // apply the configured etch levels
    // Which terms `noise` and `fixed_pattern` switch on, and whether lines clip: all of them
    // by default; NoiseSwitches::photon_limit() for ideal electronics (eval.electronics).
    analog::NoiseSwitches terms{};
};

// The read-out's switches under `c`: a model's own switches `model` (those its spec has), the
// per-frame ones only with c.noise, the per-chip ones only with c.fixed_pattern, each only
// where c.terms has it; clipping as c.terms says.
[[nodiscard]] analog::NoiseSwitches effective_switches(const analog::NoiseSwitches& model, const Conditions& c);

// Per-image randomness: which frame of which chip (noise streams are keyed on it).
struct FrameKey {
    std::uint32_t frame = 0;
    bool training = false;    // training draws Gaussian-reparameterised noise (differentiable)
    bool adaptation = false;  // a frame of adaptive training: its own noise streams, apart from the test frames'
};

// The SRAM content of a compute array: outputs × inputs weights (−1, 0, +1), row-major.
struct SramWeights {
    int outputs = 0, inputs = 0;
    std::vector<std::int8_t> values;
};

class ModelWorkspace {
public:
    virtual ~ModelWorkspace() = default;
    // Set by predict() and predict_from_optical(): whether the hardware read-out of the last
    // frame clipped (a computing line of the ACCEL chip reached the supply), after which its
    // decision can differ from the argmax of the logits. Read-outs that cannot clip leave it false.
    bool clipped = false;
};

class Model {
public:
    virtual ~Model() = default;

    [[nodiscard]] virtual std::string architecture() const = 0;
    [[nodiscard]] virtual int classes() const = 0;
    [[nodiscard]] virtual const std::vector<ParameterBlock>& blocks() const = 0;
    [[nodiscard]] std::size_t parameter_count() const;
    [[nodiscard]] const ParameterBlock& block(std::string_view name) const;
    // Parameters to start training from, drawn from `seed`.
    [[nodiscard]] virtual std::vector<double> initial_parameters(std::uint64_t seed) const = 0;

    // Fixes the parameters and conditions for the following loss() calls.
    virtual void prepare(std::span<const double> parameters, const Conditions& conditions) = 0;
    [[nodiscard]] virtual std::unique_ptr<ModelWorkspace> make_workspace() const = 0;

    // Softmax cross-entropy of one image (rows×cols floats in [0,1]); writes the logits and,
    // when `gradient` is not empty, adds ∂loss/∂parameters to it. Thread-safe for distinct
    // workspaces.
    virtual double loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& ws,
                        std::span<double> logits, std::span<double> gradient) const = 0;

    // The class the hardware reads out for one image (argmax of its physical outputs, e.g.
    // the comparators of the EAC including clipping), under the prepared conditions.
    [[nodiscard]] virtual int predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& ws) const = 0;

    // Evaluating many simulated chips that share one optical stage (no per-chip fabrication
    // error or misalignment) needs the optics once per image: optical_output() gives what
    // reaches the electronics (photodiode powers, W), predict_from_optical() the read-out of
    // the prepared chip from it, or from the frame's mean signal electrons (`unit`, as a
    // measured-frames file holds them); signal_electrons() converts the one into the other.
    // Models without an optical stage return 0 outputs.
    [[nodiscard]] virtual std::size_t optical_output_size() const { return 0; }
    virtual void optical_output(std::span<const float> image, ModelWorkspace& ws, std::span<double> power_W) const;
    [[nodiscard]] virtual int predict_from_optical(std::span<const double> values, analog::FrameUnit unit, const FrameKey& frame,
                                                   ModelWorkspace& ws) const;
    virtual void signal_electrons(std::span<const double> power_W, std::span<double> signal_e) const;

    // Auto-ranging of the read-out's conversion gain: the optical outputs (frames ×
    // optical_output_size(), in `unit`) of the frames each chip prepared from now on ranges its
    // gain on (none: every chip keeps the configured setting); gain_setting() is the setting the
    // last prepare() chose, −1 for a read-out without gain settings.
    virtual void set_ranging_frames(std::span<const double> values, std::size_t frames, analog::FrameUnit unit);
    [[nodiscard]] virtual int gain_setting() const { return -1; }

    // ACCEL's adaptive training (models/adaptation.hpp): with the optics of a prepared chip
    // frozen, only the read-out's parameters are retrained on the chip's optical outputs.
    // Models without such a read-out say no and throw from the other two.
    [[nodiscard]] virtual bool adaptable_readout() const { return false; }
    // The loss of one frame from its mean signal electrons `signal_e` (signal_electrons() of
    // its optical output): the charges drawn as loss() draws them, then the read-out; adds to
    // `gradient` (full parameter length) the gradient of the read-out's parameters only.
    // Thread-safe for distinct workspaces.
    virtual double readout_loss(std::span<const double> signal_e, int label, const FrameKey& frame, ModelWorkspace& ws,
                                std::span<double> logits, std::span<double> gradient) const;
    // Takes new read-out parameters from `parameters`, keeping the optics and conditions of the
    // last prepare(). `recalibrate`: also redo what the chip does when weights are loaded
    // (conversion gain, offset auto-zero), as prepare() does; else keep their last outcome.
    virtual void update_readout(std::span<const double> parameters, bool recalibrate);

    // What result files and snapshots show of a prepared model; empty or nullopt where the
    // model has no such part, so that callers need not know the concrete model (the
    // diffractive skeleton implements the mask and detector views, the ACCEL read-out the SRAM).
    [[nodiscard]] virtual std::vector<std::vector<double>> mask_phases_rad() const { return {}; }  // per mask, n×n, as fabricated
    [[nodiscard]] virtual int mask_side_px() const { return 0; }                                    // 0 without masks
    [[nodiscard]] virtual std::optional<SramWeights> sram_weights() const { return std::nullopt; }  // the EAC's weights
    // Detector-plane intensity |u|² (W/m², mask_side_px² samples) of one image.
    [[nodiscard]] virtual std::optional<std::vector<double>> detector_intensity_W_per_m2(std::span<const float> image) const;
};

// Softmax cross-entropy: returns the loss and writes ∂loss/∂logits into `dlogits`.
double softmax_cross_entropy(std::span<const double> logits, int label, std::span<double> dlogits);

}  // namespace accel::models
