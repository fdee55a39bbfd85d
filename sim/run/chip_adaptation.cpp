#include "accel/sim/run/chip_adaptation.hpp"

#include <algorithm>
#include <stdexcept>

#include "accel/models/adaptation.hpp"

namespace accel::sim {
namespace {

models::ChipFrames frames_of(const RunData& data, std::span<const int> indices, std::vector<double> optical, std::size_t width) {
    models::ChipFrames f;
    f.width = width;
    f.power_W = std::move(optical);
    for (int i : indices) f.labels.push_back(data.train.labels[static_cast<std::size_t>(i)]);
    return f;
}

}  // namespace

std::vector<models::EvalResult> adapt_and_test_chips(const RunDescription& at_light, models::Model& model, models::Trainer& trainer,
                                                    const RunData& data, std::span<const int> test_indices,
                                                    std::span<const double> parameters, const models::Conditions& chip_test, int chips,
                                                    const std::function<void(const models::Progress&)>& progress) {
    const EvaluationDescription& ev = at_light.evaluation;
    if (data.train.size() == 0) throw std::logic_error("adaptive training needs the training split loaded");
    const auto images = std::min<std::size_t>(static_cast<std::size_t>(ev.adaptation_images), data.split.train.size());
    const std::span<const int> adapt_indices(data.split.train.data(), images);
    const std::size_t width = model.optical_output_size();
    const bool shared = models::chips_share_optics(model, chip_test);

    std::vector<double> train_optical, test_optical;
    std::vector<models::EvalResult> results;
    for (int k = 0; k < chips; ++k) {
        models::Conditions c = chip_test;
        c.chip = chip_test.chip + static_cast<std::uint32_t>(k);
        model.prepare(parameters, c);
        if (!shared || k == 0) {
            train_optical = trainer.optical_outputs(data.train, adapt_indices, progress);
            test_optical = trainer.optical_outputs(data.test, test_indices, progress);
        }
        // adapt_readout leaves the model prepared with the adapted weights, recalibrated.
        (void)models::adapt_readout(model, parameters, frames_of(data, adapt_indices, train_optical, width), ev.adaptation);
        results.push_back(trainer.evaluate_from_optical(data.test, test_indices, test_optical));
    }
    return results;
}

}  // namespace accel::sim
