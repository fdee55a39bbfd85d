#pragma once
// The sweep result file (layout in docs/hdf5-schema.md, "accel sweep"): the provenance block,
// /sweep with the definition and its fingerprint, /sweep/points (one table row per finished
// point, sorted by point), /sweep/chip_accuracy, and optionally the base model (/model) and
// per-point models (/sweep/models/point_<i>/model).
//
// Crash safety: the file is created whole and every later change goes through an atomic
// copy-change-rename (h5::UpdateFile), so a kill at any moment leaves the previous complete
// file with every point finished before it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sim/config.hpp"
#include "sim/hdf5_file.hpp"
#include "sim/provenance.hpp"
#include "sim/sweep_spec.hpp"

namespace accel::sim {

// The metrics of one point; NaN where a metric was not measured (no noise-free evaluation,
// no interval with one chip, no energy model for the design, nothing trained).
struct PointResult {
    std::size_t point = 0;
    double accuracy_noise_free = 0.0;
    double accuracy_mean = 0.0, accuracy_std = 0.0, accuracy_ci95_low = 0.0, accuracy_ci95_high = 0.0;
    std::int64_t chips = 0;
    double energy_density_fJ_per_um2 = 0.0, frame_energy_J = 0.0, photons_per_frame = 0.0;
    double detected_photons_per_frame = 0.0;  // reaching the detectors' active areas; NaN for run = energy
    double energy_per_frame_J = 0.0, throughput_POPS = 0.0, efficiency_POPS_per_W = 0.0;
    double train_seconds = 0.0, eval_seconds = 0.0;
    std::vector<double> chip_accuracy;     // per simulated chip
    std::vector<double> model_parameters;  // run = train with keep_models: the trained parameters
};

// Metrics of a point, flattened for messages between processes (MPI) and back.
[[nodiscard]] std::vector<double> pack(const PointResult& r);
[[nodiscard]] PointResult unpack(std::span<const double> packed);

// What identifies a sweep file and is written once, when it is created.
struct SweepHeader {
    Provenance provenance;
    std::string definition_toml;
    std::string fingerprint;
    SweepRun run = SweepRun::eval;
    SweepCombine combine = SweepCombine::grid;
    std::size_t points_total = 0;
    std::int64_t chips = 0;
    std::string model_file;                   // run = eval with a given model
    std::vector<std::string> axis_keys;
};

// Writes a new sweep file (atomically; overwrite decides whether an existing one may be
// replaced) with no points yet. `extra` may add groups (the base model) before the commit.
void create_sweep_file(const std::filesystem::path& path, const SweepHeader& header, h5::Overwrite overwrite,
                       const std::function<void(h5::Group& root)>& extra = {});

// Rewrites the table of `path` with `rows` (sorted by point; `axis_values[k]` are the axis
// values of rows[k]) in one atomic update; `extra` may add groups (per-point models).
void write_sweep_points(const std::filesystem::path& path, const std::vector<PointResult>& rows,
                        const std::vector<std::vector<ConfigValue>>& axis_values, const std::vector<std::string>& axis_keys,
                        const std::function<void(h5::Group& root)>& extra = {});

// What resuming needs from an existing sweep file: its fingerprint and finished points
// (metrics and per-chip accuracies; per-point models stay in the file). InputError naming
// the file if it is not a sweep file or its table is malformed.
struct SweepFileState {
    std::string fingerprint;
    std::size_t points_total = 0;
    std::vector<PointResult> rows;
};
[[nodiscard]] SweepFileState read_sweep_file(const std::filesystem::path& path);

}  // namespace accel::sim
