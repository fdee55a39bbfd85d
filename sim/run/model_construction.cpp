#include "accel/sim/run/model_construction.hpp"

#include "accel/core/errors.hpp"
#include "accel/models/accel_model.hpp"
#include "accel/models/d2nn_model.hpp"
#include "accel/models/digital_model.hpp"

namespace accel::sim {
namespace {

// What the ACCEL and D2NN models share: optics, image shape, encoding, photodiodes.
void fill_diffractive(const RunDescription& run, const datasets::Dataset& shape, models::DiffractiveSpec& s) {
    s.optics = run.optics.stage;
    s.image_rows = shape.rows;
    s.image_cols = shape.cols;
    s.input_window_px = run.optics.input_window_px;
    s.encoding = run.optics.encoding;
    s.phase_bits = run.optics.phase_bits;
    s.photodiode = run.photodiode;
    s.noise = analog::NoiseSwitches{};  // every term on; Conditions switch them per run
    s.phase_learning_rate_scale = run.training.phase_learning_rate_scale;
}

std::unique_ptr<models::Model> make_accel(const RunDescription& run, optics::PropagationCache<float>& cache, const datasets::Dataset& shape) {
    models::AccelModelSpec s;
    fill_diffractive(run, shape, s);
    s.detector = run.detector.photodiodes;
    s.eac = run.compute_array;  // inputs = rows·cols
    s.weight_learning_rate_scale = run.training.weight_learning_rate_scale;
    return std::make_unique<models::AccelModel<float>>(s, cache);
}

std::unique_ptr<models::Model> make_d2nn(const RunDescription& run, optics::PropagationCache<float>& cache, const datasets::Dataset& shape) {
    models::D2nnModelSpec s;
    fill_diffractive(run, shape, s);
    s.regions = run.detector.class_regions;
    return std::make_unique<models::D2nnModel<float>>(s, cache);
}

std::unique_ptr<models::Model> make_digital(const RunDescription& run, const datasets::Dataset& shape) {
    models::DigitalModelSpec s;
    s.image_rows = shape.rows;
    s.image_cols = shape.cols;
    s.sensor_side_px = run.digital.sensor_side_px;
    s.window_side_m = run.digital.window_side_m;
    s.sensor = run.digital.sensor;
    s.classes = run.classes;
    s.hidden_units = run.digital.hidden_units;
    return std::make_unique<models::DigitalModel>(s);
}

}  // namespace

std::unique_ptr<models::Model> make_model(const RunDescription& run, optics::PropagationCache<float>& cache, const datasets::Dataset& shape) {
    std::unique_ptr<models::Model> m;
    switch (run.architecture) {
        case Architecture::d2nn: m = make_d2nn(run, cache, shape); break;
        case Architecture::digital: m = make_digital(run, shape); break;
        case Architecture::accel: m = make_accel(run, cache, shape); break;
    }
    check_labels(shape, *m);
    return m;
}

std::unique_ptr<models::Model> make_model(const RunDescription& run, optics::PropagationCache<float>& cache, const RunData& data) {
    auto m = make_model(run, cache, data.train.labels.empty() ? data.test : data.train);
    check_labels(data.test, *m);
    return m;
}

void check_labels(const datasets::Dataset& data, const models::Model& model) {
    const auto bad = datasets::first_label_beyond(data, model.classes());
    if (!bad) return;
    const std::string arch = model.architecture();
    const std::string outputs = arch == "d2nn" ? "its " + std::to_string(model.classes()) + " class regions"
                                               : "eac.outputs = " + std::to_string(model.classes());
    const std::string source = data.labels_source.empty() ? data.name : "'" + data.labels_source + "' (" + data.name + ")";
    throw InputError(source + ": label " + std::to_string(bad->label) + " at index " + std::to_string(bad->source_index) +
                     " is beyond the classes 0.." + std::to_string(model.classes() - 1) + " that the " + arch + " model reads out (" +
                     outputs + ")");
}

}  // namespace accel::sim
