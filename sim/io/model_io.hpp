#pragma once
// Models, training state and test metrics in result files (the layout is documented in
// docs/hdf5-schema.md). Reading validates everything against the model the file's config
// builds: a missing object, a wrong shape or type, a non-finite value or a missing attribute
// is an InputError naming the file and the object, so a corrupt or truncated checkpoint
// never starts a run.

#include <filesystem>
#include <span>
#include <vector>

#include "accel/models/model.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/run/test_evaluation.hpp"

namespace accel::sim {

// The effective configuration a result file was made with (root attribute config_toml),
// over the schema defaults; InputError naming the file if it is missing or invalid.
[[nodiscard]] Config read_config(const h5::Group& root, const Schema& schema);

// Limits for reading parameter vectors: one dimension may hold every parameter.
[[nodiscard]] h5::ReadLimits parameter_read_limits();

// /model: attribute `architecture`, the flat `parameters` (float64), `blocks/<name>` with
// offset/size, and the parts a chip designer looks at, computed by preparing `model` with
// `parameters` under `nominal`: `phase_<l>_rad` (n×n effective phase after quantisation) of
// each mask, and for ACCEL `eac_weights` (int8, outputs×inputs) and `latent_weights`.
void write_model(h5::Group& root, models::Model& model, std::span<const double> parameters, const models::Conditions& nominal);

// /model/parameters, checked against `model`: same architecture, same blocks, same count, finite.
[[nodiscard]] std::vector<double> read_model_parameters(const h5::Group& root, const models::Model& model);

// The state a training run starts from: the model's seeded initial parameters, or, when
// `init_from` (train.init_from) names a result file, that file's model (its best parameters) with a fresh
// optimiser at epoch 0 — a warm start, e.g. fine-tuning a trained design under new training
// conditions. InputError naming the file if it cannot be read or holds another model shape.
[[nodiscard]] models::TrainState starting_state(const std::string& init_from, const models::Trainer& trainer, const models::Model& model);

// /train/state (what resuming needs besides the history) and /metrics/history (one value per
// epoch). `complete` marks a run that finished (its test metrics follow).
void write_train_state(h5::Group& root, const models::TrainState& state, bool complete);
// Both back, validated against `model`'s parameter count.
[[nodiscard]] models::TrainState read_train_state(const h5::Group& root, const models::Model& model);

// A test evaluation into `group` (/metrics/test of a training run, /eval/<n> of `accel eval`):
// the noise-free result as attributes and `confusion`, and one subgroup `light_<i>` per light
// level with the per-chip accuracies, their mean and 95 % interval and the conditions.
void write_test_report(h5::Group& group, const TestReport& report);

// A phase map (rad) as an 8-bit grayscale PNG with 0 → black and 2π → white, written
// atomically. InputError if the file cannot be written.
void write_phase_png(const std::filesystem::path& path, std::span<const double> phase_rad, std::size_t side);

}  // namespace accel::sim
