#pragma once
// The model a run describes (design.architecture with its optics, detector and electronics),
// shaped by its images; the only place that knows the concrete model classes.

#include <memory>

#include "accel/datasets/dataset.hpp"
#include "accel/models/model.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/run/run_data.hpp"

namespace accel::sim {

// The model for images shaped like `data_shape_hint` (rows, cols; every label in it must be
// one the model reads out); InputError for a label beyond the model's outputs, naming the
// labels file, the label and its index.
[[nodiscard]] std::unique_ptr<models::Model> make_model(const RunDescription& run, optics::PropagationCache<float>& cache,
                                                        const datasets::Dataset& data_shape_hint);
// The same for every split a run reads: the model is shaped by the training split when one
// was loaded, else by the test split, and the labels of both are checked before any work.
[[nodiscard]] std::unique_ptr<models::Model> make_model(const RunDescription& run, optics::PropagationCache<float>& cache,
                                                        const RunData& data);

// InputError if a label of `data` is one that `model` does not read out: the message names
// the labels file, the label, its index in that file and the model's outputs.
void check_labels(const datasets::Dataset& data, const models::Model& model);

}  // namespace accel::sim
