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
//
// Everything up to the photodiode charges, and the backward pass from ∂L/∂Q on, is the
// diffractive skeleton (diffractive_model.hpp); this is the EAC read-out on it.

#include <memory>
#include <vector>

#include "accel/analog/compute_array.hpp"
#include "accel/models/diffractive_model.hpp"
#include "accel/optics/detector.hpp"

namespace accel::models {

struct AccelModelSpec : DiffractiveSpec {
    optics::PhotodiodeArray detector;
    analog::ComputeArrayParams eac;
    double ternary_threshold = 0.33;  // |w| below it maps to 0 in ternary mode
    // False only to validate gradients: the loss then uses the latent weights themselves,
    // which makes it smooth in them (the hardware read-out still uses their signs).
    bool binarise_weights = true;
    // Learning-rate scale of the weight block relative to the optimiser's rate.
    double weight_learning_rate_scale = 1.0;
};

// The diffractive skeleton with the EAC read-out over its photodiode array.
template <class Real>
class AccelModel final : public DiffractiveModel<Real> {
public:
    AccelModel(const AccelModelSpec& spec, optics::PropagationCache<Real>& cache);

    [[nodiscard]] std::string architecture() const override { return "accel"; }
    [[nodiscard]] int classes() const override { return spec_.eac.outputs; }
    [[nodiscard]] int predict_from_optical(std::span<const double> values, analog::FrameUnit unit, const FrameKey& frame,
                                           ModelWorkspace& ws) const override;
    [[nodiscard]] std::optional<SramWeights> sram_weights() const override {
        return SramWeights{spec_.eac.outputs, spec_.eac.inputs, hardware_weights()};
    }

    void set_ranging_frames(std::span<const double> values, std::size_t frames, analog::FrameUnit unit) override;
    [[nodiscard]] bool adaptable_readout() const override { return true; }
    [[nodiscard]] int gain_setting() const override { return gain_setting_; }

    [[nodiscard]] const AccelModelSpec& spec() const { return spec_; }
    // State fixed by prepare(): the weights the SRAM holds.
    [[nodiscard]] const std::vector<std::int8_t>& hardware_weights() const { return weights_; }

private:
    struct Workspace;
    void initial_readout_parameters(std::span<double> parameters, core::RandomStream& rng) const override;
    void prepare_readout(std::span<const double> parameters) override;
    void refresh_readout(std::span<const double> parameters, bool recalibrate) override;
    void set_weights(std::span<const double> parameters);
    void calibrate_chip();
    void set_line_gains(std::span<const double> parameters);
    void select_gain();
    [[nodiscard]] std::unique_ptr<DiffractiveWorkspace<Real>> make_readout_workspace() const override;
    void readout_logits(DiffractiveWorkspace<Real>& ws, core::RandomStream& frame) const override;
    [[nodiscard]] bool readout_backward(DiffractiveWorkspace<Real>& ws, std::span<double> gradient) const override;

    AccelModelSpec spec_;

    // Prepared state.
    std::vector<std::int8_t> weights_;            // what the SRAM holds
    std::vector<double> weight_value_;            // what the loss uses: weights_, or the latent values
    std::vector<double> weight_pass_;             // STE: 1 where |latent| ≤ 1
    std::vector<double> line_gain_;               // a_ck / w_ck: g_k·m_ck·C_nom/C_c±
    double logit_scale_ = 1.0;
    analog::ChipInstance chip_;
    double line_capacitance_F_ = 0.0;             // nominal line capacitance of the chosen gain setting
    int gain_setting_ = -1;

    std::vector<double> ranging_values_;          // frames × photodiodes in ranging_unit_, for auto-ranging
    analog::FrameUnit ranging_unit_ = analog::FrameUnit::power_W;
    std::size_t ranging_frames_ = 0;
};

}  // namespace accel::models
