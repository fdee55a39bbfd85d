#pragma once
// The one diffractive-classifier skeleton that the ACCEL and D2NN models share:
//
//   image → DiffractiveOptics (encoder → phase masks with free-space propagation → detector
//   powers) → photodiode charges (one noise model, analog::frame_charges_e) → read-out
//   → logits → softmax cross-entropy
//
// and back: read-out → ∂L/∂Q → ∂L/∂P (through the charge sampler) → ∂L/∂φ of every mask.
// The skeleton owns the phase parameters and masks, the optical path, the workspace, the
// photodiode charges and the backward tail; a read-out supplies only what turns charges into
// logits (its parameters, its preparation, its forward and backward, its hardware decision in
// predict_from_optical). The light model plugs in at one place, DiffractiveOptics::forward
// and ::backward.

#include <complex>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "accel/core/random_stream.hpp"
#include "accel/models/diffractive_optics.hpp"
#include "accel/models/diffractive_spec.hpp"
#include "accel/models/model.hpp"
#include "accel/models/phase_masks.hpp"
#include "accel/optics/detector.hpp"

namespace accel::models {

// One image in flight through a diffractive model; a read-out derives from it for its own
// scratch. Per-detector vectors are in detector order.
template <class Real>
struct DiffractiveWorkspace : ModelWorkspace {
    typename DiffractiveOptics<Real>::Workspace optics;
    std::vector<double> charge_e;       // photodiode charges (electrons) of the last loss()
    std::vector<double> dcharge_dmean;  // ∂Q/∂μ of the charge sampler
    std::vector<double> logits, dlogits;
    std::vector<double> dloss_dcharge;  // ∂L/∂Q, written by the read-out's backward
    std::vector<double> dloss_dpower;   // ∂L/∂P, what the optics' backward takes
};

// What the last pass on a workspace detected.
struct Detection {
    std::span<const double> power_W;   // detector powers (loss, predict, optical_output)
    std::span<const double> charge_e;  // photodiode charges (loss only)
};

template <class Real>
class DiffractiveModel : public Model {
public:
    [[nodiscard]] const std::vector<ParameterBlock>& blocks() const final { return blocks_; }
    [[nodiscard]] std::vector<double> initial_parameters(std::uint64_t seed) const final;
    void prepare(std::span<const double> parameters, const Conditions& conditions) final;
    [[nodiscard]] std::unique_ptr<ModelWorkspace> make_workspace() const final;
    double loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& ws, std::span<double> logits,
                std::span<double> gradient) const final;
    [[nodiscard]] int predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& ws) const final;
    [[nodiscard]] std::size_t optical_output_size() const final { return static_cast<std::size_t>(optics_.detectors().count()); }
    void optical_output(std::span<const float> image, ModelWorkspace& ws, std::span<double> power_W) const final;
    void signal_electrons(std::span<const double> power_W, std::span<double> signal_e) const final;

    [[nodiscard]] std::vector<std::vector<double>> mask_phases_rad() const final { return effective_phases(); }
    [[nodiscard]] int mask_side_px() const final { return diffractive_.optics.grid.n; }
    [[nodiscard]] std::optional<std::vector<double>> detector_intensity_W_per_m2(std::span<const float> image) const final;
    double readout_loss(std::span<const double> signal_e, int label, const FrameKey& frame, ModelWorkspace& ws, std::span<double> logits,
                        std::span<double> gradient) const final;
    void update_readout(std::span<const double> parameters, bool recalibrate) final;

    [[nodiscard]] const OpticalStage<Real>& optical_stage() const { return optics_.stage(); }
    [[nodiscard]] const optics::DetectorIntegrator& detectors() const { return optics_.detectors(); }
    // State fixed by prepare(): the effective phase of each mask (after quantisation,
    // fabrication error and misalignment).
    [[nodiscard]] const std::vector<std::vector<double>>& effective_phases() const { return masks_.effective_phases(); }
    // Detector-plane field and detector powers of one image (for snapshots).
    void detector_plane(std::span<const float> image, std::vector<std::complex<Real>>& field, std::vector<double>& power_W,
                        ModelWorkspace& ws) const;

    // The photodiode charges (electrons) and ∂Q/∂μ of detectors receiving `power_W` in frame
    // `frame` of the prepared chip, as loss() draws them: noise-free without
    // Conditions::noise, else the switched-on terms of the spec's noise, reparameterised in
    // training frames. Every read-out gets its charges from here; the spans have equal sizes.
    void photodiode_charges_e(std::span<const double> power_W, const FrameKey& frame, std::span<double> charge_e,
                              std::span<double> dcharge_dmean) const;
    // What the last pass on `ws` (a workspace of this model) detected.
    [[nodiscard]] Detection detected(const ModelWorkspace& ws) const;

protected:
    // `detectors`: the photodiodes or class regions, in read-out order. Adds the phase blocks
    // "phase_0" … "phase_{L-1}"; the read-out adds its own after them.
    DiffractiveModel(const DiffractiveSpec& spec, std::vector<optics::DetectorArea> detectors, optics::PropagationCache<Real>& cache);

    void add_block(std::string name, std::size_t size, double learning_rate_scale);
    [[nodiscard]] const Conditions& conditions() const { return conditions_; }
    // The frame stream of one frame of the prepared chip; loss() draws the charges from it
    // first, then hands it to the read-out for the read-out's own noise.
    [[nodiscard]] core::RandomStream frame_stream(const FrameKey& frame) const;

private:
    // The read-out, in the order the skeleton calls it.
    // Its initial parameters, drawn after the phases from the same stream.
    virtual void initial_readout_parameters(std::span<double> parameters, core::RandomStream& rng) const = 0;
    // Its prepared state (conditions() already set, masks prepared).
    virtual void prepare_readout(std::span<const double> parameters) = 0;
    // New read-out parameters on the prepared chip (update_readout); by default all of
    // prepare_readout, which recalibrates whatever the read-out calibrates.
    virtual void refresh_readout(std::span<const double> parameters, bool /*recalibrate*/) { prepare_readout(parameters); }
    // A workspace of its own type, its own members sized; the skeleton sizes the rest.
    [[nodiscard]] virtual std::unique_ptr<DiffractiveWorkspace<Real>> make_readout_workspace() const = 0;
    // ws.logits from ws.charge_e; `frame` continues the stream the charges were drawn from.
    virtual void readout_logits(DiffractiveWorkspace<Real>& ws, core::RandomStream& frame) const = 0;
    // From ws.dlogits (∂L/∂z): adds the gradient of its own parameters and writes
    // ws.dloss_dcharge; false when no gradient reaches the charges (no light detected).
    [[nodiscard]] virtual bool readout_backward(DiffractiveWorkspace<Real>& ws, std::span<double> gradient) const = 0;

    void optical_forward(std::span<const float> image, DiffractiveWorkspace<Real>& ws) const;
    // The charges of a frame from its values in `unit`, from `stream` (photodiode_charges_e).
    void draw_charges(std::span<const double> values, analog::FrameUnit unit, const FrameKey& frame, core::RandomStream& stream,
                      std::span<double> charge_e, std::span<double> dcharge_dmean) const;

    DiffractiveSpec diffractive_;
    DiffractiveOptics<Real> optics_;
    std::vector<ParameterBlock> blocks_;
    // Prepared state.
    Conditions conditions_;
    PhaseMasks<Real> masks_;
};

}  // namespace accel::models
