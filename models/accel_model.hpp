#pragma once
// The photonic-analog model of the ACCEL kind:
//   image → amplitude encoding → L phase masks with free-space propagation → photodiode array
//   → photodiode charges (with shot, dark and thermal noise) → compute array with binary or
//   ternary SRAM weights → differential line outputs → class.
//
// Trainable: the phase of every mask (unconstrained, wrapped and optionally quantised with a
// straight-through estimator), the latent real weights of the compute array (binarised or
// ternarised in the forward pass, straight-through estimator clipped at |w| ≤ 1), and the
// log of the logit scale. Logits are the differential outputs normalised by the L2 norm of
// the photodiode charges (scale-free, as the L2-normalised read-out of ACCEL's code) times
// the logit scale; the hardware read-out (predict) compares the unnormalised outputs, which
// has the same argmax.

#include <memory>
#include <vector>

#include "accel/analog/compute_array.hpp"
#include "accel/analog/photodiode.hpp"
#include "accel/datasets/encoding.hpp"
#include "accel/models/model.hpp"
#include "accel/models/optical_stage.hpp"
#include "accel/models/phase_masks.hpp"
#include "accel/optics/detector.hpp"

namespace accel::models {

struct AccelModelSpec {
    OpticalStageSpec optics;
    int image_rows = 28, image_cols = 28;
    int input_window_px = 0;  // side of the image window on the mask grid; 0: the whole grid
    datasets::Encoding encoding = datasets::Encoding::amplitude;
    int phase_bits = 0;       // 0: continuous phase
    optics::PhotodiodeArray detector;
    analog::PhotodiodeParams photodiode;
    analog::ComputeArrayParams eac;
    analog::NoiseSwitches noise;  // which terms `Conditions::noise` switches on
    double ternary_threshold = 0.33;  // |w| below it maps to 0 in ternary mode
    // False only to validate gradients: the loss then uses the latent weights themselves,
    // which makes it smooth in them (the hardware read-out still uses their signs).
    bool binarise_weights = true;
    // Learning-rate scales of the phase and weight blocks relative to the optimiser's rate.
    double phase_learning_rate_scale = 1.0;
    double weight_learning_rate_scale = 1.0;
    bool zero_initial_phase = false;  // start from flat masks instead of uniform random phases
};

template <class Real>
class AccelModel final : public Model {
public:
    AccelModel(const AccelModelSpec& spec, optics::PropagationCache<Real>& cache);

    [[nodiscard]] std::string architecture() const override { return "accel"; }
    [[nodiscard]] int classes() const override { return spec_.eac.outputs; }
    [[nodiscard]] const std::vector<ParameterBlock>& blocks() const override { return blocks_; }
    [[nodiscard]] std::vector<double> initial_parameters(std::uint64_t seed) const override;
    void prepare(std::span<const double> parameters, const Conditions& conditions) override;
    [[nodiscard]] std::unique_ptr<ModelWorkspace> make_workspace() const override;
    double loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& ws, std::span<double> logits,
                std::span<double> gradient) const override;
    [[nodiscard]] int predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& ws) const override;
    [[nodiscard]] std::size_t optical_output_size() const override { return static_cast<std::size_t>(detectors_.count()); }
    void optical_output(std::span<const float> image, ModelWorkspace& ws, std::span<double> power_W) const override;
    [[nodiscard]] int predict_from_optical(std::span<const double> power_W, const FrameKey& frame, ModelWorkspace& ws) const override;

    [[nodiscard]] const AccelModelSpec& spec() const { return spec_; }
    [[nodiscard]] const OpticalStage<Real>& optical_stage() const { return optics_; }
    [[nodiscard]] const optics::DetectorIntegrator& detectors() const { return detectors_; }
    // State fixed by prepare(): the effective phase of each mask (after quantisation,
    // fabrication error and misalignment) and the hardware weights.
    [[nodiscard]] const std::vector<std::vector<double>>& effective_phases() const { return masks_.effective_phases(); }
    [[nodiscard]] std::vector<std::vector<double>> mask_phases_rad() const override { return effective_phases(); }
    [[nodiscard]] int mask_side_px() const override { return spec_.optics.grid.n; }
    [[nodiscard]] std::optional<std::vector<double>> detector_intensity_W_per_m2(std::span<const float> image) const override {
        std::vector<std::complex<Real>> field;
        std::vector<double> power_W;
        const auto ws = make_workspace();
        detector_plane(image, field, power_W, *ws);
        return intensity_of<Real>(field);
    }
    [[nodiscard]] std::optional<SramWeights> sram_weights() const override {
        return SramWeights{spec_.eac.outputs, spec_.eac.inputs, hardware_weights()};
    }
    [[nodiscard]] const std::vector<std::int8_t>& hardware_weights() const { return weights_; }
    // Detector-plane field and photodiode powers of one image (for snapshots).
    void detector_plane(std::span<const float> image, std::vector<std::complex<Real>>& field, std::vector<double>& power_W,
                        ModelWorkspace& ws) const;

private:
    struct Workspace;
    // Encoding and optics up to the photodiode powers; returns nothing, fills ws.
    void optical_forward(std::span<const float> image, Workspace& ws) const;

    AccelModelSpec spec_;
    OpticalStage<Real> optics_;
    optics::DetectorIntegrator detectors_;
    datasets::ImageEncoder encoder_;
    std::vector<ParameterBlock> blocks_;

    // Prepared state.
    Conditions conditions_;
    PhaseMasks<Real> masks_;
    std::vector<std::int8_t> weights_;            // what the SRAM holds
    std::vector<double> weight_value_;            // what the loss uses: weights_, or the latent values
    std::vector<double> weight_pass_;             // STE: 1 where |latent| ≤ 1
    std::vector<double> line_gain_;               // a_ck / w_ck: g_k·m_ck·C_nom/C_c±
    double logit_scale_ = 1.0;
    analog::ChipInstance chip_;
};

}  // namespace accel::models
