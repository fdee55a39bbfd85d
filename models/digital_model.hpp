#pragma once
// The detect-then-compute baseline: the image, imaged onto a conventional sensor of
// side×side pixels with the same optical energy per frame, read with shot and read noise,
// clipped at the full well and digitised; then a digital classifier on the ADC codes: a
// linear layer, or with hidden_units > 0 a multilayer perceptron with one hidden ReLU layer.
// Trainable: the weights and biases.
//
// Features. Fixed exposure: the codes over the full code (as first modelled). Auto-exposure
// (sensor.auto_gain): the frame's electrons as the codes estimate them, over their mean, so
// the classifier's input does not depend on the light level or the setting (the noise-free
// training frames, relative intensities, are normalised the same way), as ACCEL's read-out
// is normalised by the charge.

#include <memory>
#include <vector>

#include "accel/analog/image_sensor.hpp"
#include "accel/models/model.hpp"

namespace accel::models {

struct DigitalModelSpec {
    int image_rows = 28, image_cols = 28;
    int sensor_side_px = 28;   // the sensor sees the input window on side×side pixels
    double window_side_m = 3.68e-3;
    analog::ImageSensorParams sensor;
    int classes = 10;
    int hidden_units = 0;  // 0: a linear classifier
};

class DigitalModel final : public Model {
public:
    explicit DigitalModel(const DigitalModelSpec& spec);

    [[nodiscard]] std::string architecture() const override { return "digital"; }
    [[nodiscard]] int classes() const override { return spec_.classes; }
    [[nodiscard]] const std::vector<ParameterBlock>& blocks() const override { return blocks_; }
    [[nodiscard]] std::vector<double> initial_parameters(std::uint64_t seed) const override;
    void prepare(std::span<const double> parameters, const Conditions& conditions) override;
    [[nodiscard]] std::unique_ptr<ModelWorkspace> make_workspace() const override;
    double loss(std::span<const float> image, int label, const FrameKey& frame, ModelWorkspace& ws, std::span<double> logits,
                std::span<double> gradient) const override;
    [[nodiscard]] int predict(std::span<const float> image, const FrameKey& frame, ModelWorkspace& ws) const override;

    // No masks, no compute array, no detector plane: the Model defaults of mask_phases_rad(),
    // mask_side_px(), sram_weights() and detector_intensity_W_per_m2() (empty, 0, nullopt) hold.

    [[nodiscard]] const DigitalModelSpec& spec() const { return spec_; }

private:
    struct Workspace;
    void features(std::span<const float> image, const FrameKey& frame, Workspace& ws) const;
    void mlp_backward(Workspace& ws, std::span<double> gradient) const;
    [[nodiscard]] std::size_t pixels() const;

    DigitalModelSpec spec_;
    std::vector<ParameterBlock> blocks_;
    Conditions conditions_;
    std::vector<double> parameters_;
};

}  // namespace accel::models
