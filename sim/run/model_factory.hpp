#pragma once
// Config-taking forms of the run layer's functions, each describing the run first
// (describe_run); callers move to the RunDescription forms in run_data.hpp,
// model_construction.hpp, conditions.hpp, preflight.hpp and test_evaluation.hpp.

#include <complex>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/run/conditions.hpp"
#include "accel/sim/run/model_construction.hpp"
#include "accel/sim/run/preflight.hpp"
#include "accel/sim/run/run_data.hpp"
#include "accel/sim/run/statistics.hpp"
#include "accel/sim/run/test_evaluation.hpp"

namespace accel::sim {

[[nodiscard]] std::vector<std::filesystem::path> data_files(const Config& c, DataNeeds needs);
[[nodiscard]] RunData load_data(const Config& c, DataNeeds needs);
[[nodiscard]] std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache,
                                                        const datasets::Dataset& data_shape_hint);
[[nodiscard]] std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache, const RunData& data);
[[nodiscard]] models::Conditions conditions_for(const Config& c, Purpose purpose, std::uint32_t chip_index = 0);
[[nodiscard]] int threads_for(const Config& c);
[[nodiscard]] models::TrainSettings train_settings(const Config& c);
[[nodiscard]] std::vector<std::string> preflight_checks(const Config& c);
void check_memory(const Config& c);
[[nodiscard]] TestReport evaluate_test(const Config& c, models::Model& model, const RunData& data, std::span<const double> parameters,
                                       std::span<const double> light_levels_fJ_per_um2, const EvalProgress& progress = {},
                                       bool with_noise_free = true);

// Views of a model for result files and snapshots (the Model interface's, by these names);
// empty / nullopt when the model has no such part. The model must have been prepared.
[[nodiscard]] std::vector<std::vector<double>> effective_phases(const models::Model& m);  // per mask, n×n rad
[[nodiscard]] int mask_side_px(const models::Model& m);                                    // 0 without masks
// The EAC's SRAM content (outputs × inputs) of an ACCEL model.
using HardwareWeights = models::SramWeights;
[[nodiscard]] std::optional<HardwareWeights> hardware_weights(const models::Model& m);
// Detector-plane intensity |u|² (W/m², mask_side_px² samples) of one image through an
// optical model; nullopt for the digital baseline.
[[nodiscard]] std::optional<std::vector<double>> detector_intensity(const models::Model& m, std::span<const float> image);

}  // namespace accel::sim
