#include "accel/sim/run/chip_adaptation.hpp"

#include <algorithm>
#include <stdexcept>

#include "accel/core/errors.hpp"
#include "accel/models/adaptation.hpp"

namespace accel::sim {
namespace {

// The frames of `indices` of `split` from the optical outputs of the prepared chip.
FrameSet frames_of(const models::Model& model, const datasets::Dataset& split, std::span<const int> indices, std::span<const double> power_W) {
    FrameSet f;
    f.signal_e.resize(power_W.size());
    model.signal_electrons(power_W, f.signal_e);
    for (int i : indices) {
        f.labels.push_back(split.labels[static_cast<std::size_t>(i)]);
        f.frame_number.push_back(i);
    }
    return f;
}

void check_fit(const models::Model& model, const ChipFramesFile& frames, bool auto_ranges) {
    const std::string culprit = frames.source.empty() ? "the frames" : "the frames (" + frames.source + ")";
    if (static_cast<std::size_t>(frames.photodiodes) != model.optical_output_size())
        throw InputError(culprit + " have " + std::to_string(frames.photodiodes) + " photodiodes per frame; the design has " +
                         std::to_string(model.optical_output_size()));
    if (frames.classes != model.classes())
        throw InputError(culprit + " are labelled for " + std::to_string(frames.classes) + " classes; the design reads out " +
                         std::to_string(model.classes()));
    if (auto_ranges && frames.ranging.frames() == 0)
        throw InputError(culprit + " have no ranging frames (/ranging), and the read-out ranges its conversion gain (eac.conversion_gain = \"auto\")");
}

}  // namespace

AdaptedChip adapt_chip_on_frames(const RunDescription& at_light, models::Model& model, models::Trainer& trainer,
                                 std::span<const double> parameters, const ChipFramesFile& frames, const models::Conditions& chip_test,
                                 bool with_before) {
    const bool auto_ranges = at_light.evaluation.ranging_frames > 0;
    check_fit(model, frames, auto_ranges);
    models::Conditions c = chip_test;
    c.chip = frames.chip;
    if (auto_ranges) model.set_ranging_frames(frames.ranging.signal_e, frames.ranging.frames(), analog::FrameUnit::signal_e);
    model.prepare(parameters, c);
    AdaptedChip chip;
    const auto test = [&] {
        return trainer.evaluate_frames(frames.test.signal_e, analog::FrameUnit::signal_e, frames.test.labels, frames.test.frame_number);
    };
    if (with_before) chip.before = test();
    models::ChipFrames train{static_cast<std::size_t>(frames.photodiodes), frames.train.signal_e, frames.train.labels};
    // adapt_readout leaves the model prepared with the adapted weights, recalibrated.
    chip.parameters = models::adapt_readout(model, parameters, train, at_light.evaluation.adaptation);
    chip.after = test();
    if (auto_ranges) model.set_ranging_frames({}, 0, analog::FrameUnit::signal_e);
    return chip;
}

std::vector<models::EvalResult> adapt_and_test_chips(const RunDescription& at_light, models::Model& model, models::Trainer& trainer,
                                                    const RunData& data, std::span<const int> test_indices,
                                                    std::span<const double> parameters, const models::Conditions& chip_test, int chips,
                                                    const FrameSet& ranging, const FramesSink& sink,
                                                    const std::function<void(const models::Progress&)>& progress) {
    const EvaluationDescription& ev = at_light.evaluation;
    if (data.train.size() == 0) throw std::logic_error("adaptive training needs the training split loaded");
    const auto images = std::min<std::size_t>(static_cast<std::size_t>(ev.adaptation_images), data.split.train.size());
    const std::span<const int> adapt_indices(data.split.train.data(), images);
    const bool shared = models::chips_share_optics(model, chip_test);

    ChipFramesFile frames;
    frames.photodiodes = static_cast<int>(model.optical_output_size());
    frames.classes = model.classes();
    frames.energy_density_fJ_per_um2 = at_light.light.energy_density_fJ_per_um2;
    frames.source = "simulated by accel eval";
    frames.ranging = ranging;
    std::vector<models::EvalResult> results;
    for (int k = 0; k < chips; ++k) {
        models::Conditions c = chip_test;
        c.chip = chip_test.chip + static_cast<std::uint32_t>(k);
        frames.chip = c.chip;
        if (!shared || k == 0) {
            model.prepare(parameters, c);
            frames.train = frames_of(model, data.train, adapt_indices, trainer.optical_outputs(data.train, adapt_indices, progress));
            frames.test = frames_of(model, data.test, test_indices, trainer.optical_outputs(data.test, test_indices, progress));
        }
        if (sink) sink(frames);
        if (ev.adapts()) results.push_back(adapt_chip_on_frames(at_light, model, trainer, parameters, frames, chip_test, false).after);
    }
    return results;
}

}  // namespace accel::sim
