#pragma once
// The test evaluation with ACCEL's adaptive training (models/adaptation.hpp): each simulated
// chip, as drawn for the test (fabrication error, misalignment, mismatch, offsets), retrains
// its compute array's weights on its own photodiode outputs for the first
// eval.adaptation_images training images, then is tested again on the same test images and
// frames as before adaptation. The optics run once per image for all chips when the chips
// share them (no fabrication error, no misalignment), once per chip and image otherwise.

#include <functional>
#include <span>
#include <vector>

#include "accel/models/model.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/run/run_data.hpp"

namespace accel::sim {

// The adapted chips' hardware read-out results, one per chip (Conditions::chip = c … c+chips−1
// of `chip_test`, as Trainer::evaluate_chips numbers them). Needs data.train loaded.
[[nodiscard]] std::vector<models::EvalResult> adapt_and_test_chips(const RunDescription& at_light, models::Model& model,
                                                                  models::Trainer& trainer, const RunData& data,
                                                                  std::span<const int> test_indices, std::span<const double> parameters,
                                                                  const models::Conditions& chip_test, int chips,
                                                                  const std::function<void(const models::Progress&)>& progress);

}  // namespace accel::sim
