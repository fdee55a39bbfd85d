#include "accel/sim/run/model_factory.hpp"


namespace accel::sim {

std::vector<std::filesystem::path> data_files(const Config& c, DataNeeds needs) { return data_files(describe_run(c).data, needs); }
RunData load_data(const Config& c, DataNeeds needs) { return load_data(describe_run(c), needs); }
std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache, const datasets::Dataset& shape) {
    return make_model(describe_run(c), cache, shape);
}
std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache, const RunData& data) {
    return make_model(describe_run(c), cache, data);
}
models::Conditions conditions_for(const Config& c, Purpose purpose, std::uint32_t chip_index) {
    return conditions_for(describe_run(c), purpose, chip_index);
}
int threads_for(const Config& c) { return describe_run(c).threads; }
models::TrainSettings train_settings(const Config& c) { return describe_run(c).training.settings; }
std::vector<std::string> preflight_checks(const Config& c) { return preflight_checks(describe_run(c)); }
void check_memory(const Config& c) { check_memory(describe_run(c)); }
TestReport evaluate_test(const Config& c, models::Model& model, const RunData& data, std::span<const double> parameters,
                         std::span<const double> light_levels, const EvalProgress& progress, bool with_noise_free) {
    return evaluate_test(describe_run(c), model, data, parameters, light_levels, progress, with_noise_free);
}

std::vector<std::vector<double>> effective_phases(const models::Model& m) { return m.mask_phases_rad(); }
int mask_side_px(const models::Model& m) { return m.mask_side_px(); }
std::optional<HardwareWeights> hardware_weights(const models::Model& m) { return m.sram_weights(); }
std::optional<std::vector<double>> detector_intensity(const models::Model& m, std::span<const float> image) {
    return m.detector_intensity_W_per_m2(image);
}

}  // namespace accel::sim
