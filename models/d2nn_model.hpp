#pragma once
// The all-optical diffractive network (Lin et al., Science 361, 1004, 2018): L phase masks,
// then ten class regions on the detector plane; the class is the region that receives the
// most light. Logits are the region powers normalised by their sum, times a trainable scale
// (as in the PyTorch peer); photodiode shot noise applies to the region charges.

#include <memory>
#include <vector>

#include "accel/analog/photodiode.hpp"
#include "accel/datasets/encoding.hpp"
#include "accel/models/model.hpp"
#include "accel/models/optical_stage.hpp"
#include "accel/models/phase_masks.hpp"
#include "accel/optics/detector.hpp"

namespace accel::models {

struct D2nnModelSpec {
    OpticalStageSpec optics;
    int image_rows = 28, image_cols = 28;
    int input_window_px = 0;  // 0: the whole grid
    datasets::Encoding encoding = datasets::Encoding::amplitude;
    int phase_bits = 0;
    std::vector<optics::DetectorArea> regions;  // one per class
    analog::PhotodiodeParams photodiode;        // converts region power to charge
    analog::NoiseSwitches noise;
    double phase_learning_rate_scale = 1.0;
};

template <class Real>
class D2nnModel final : public Model {
public:
    D2nnModel(const D2nnModelSpec& spec, optics::PropagationCache<Real>& cache);

    [[nodiscard]] std::string architecture() const override { return "d2nn"; }
    [[nodiscard]] int classes() const override { return static_cast<int>(spec_.regions.size()); }
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

    [[nodiscard]] const D2nnModelSpec& spec() const { return spec_; }
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
    void detector_plane(std::span<const float> image, std::vector<std::complex<Real>>& field, std::vector<double>& power_W,
                        ModelWorkspace& ws) const;

private:
    struct Workspace;
    void optical_forward(std::span<const float> image, Workspace& ws) const;

    D2nnModelSpec spec_;
    OpticalStage<Real> optics_;
    optics::DetectorIntegrator detectors_;
    datasets::ImageEncoder encoder_;
    std::vector<ParameterBlock> blocks_;
    Conditions conditions_;
    PhaseMasks<Real> masks_;
    double logit_scale_ = 1.0;
};

}  // namespace accel::models
