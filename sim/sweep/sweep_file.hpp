#pragma once
// The sweep result file (layout in docs/hdf5-schema.md, "accel sweep"): the provenance block,
// /sweep with the definition and its fingerprint, /sweep/points (one table row per finished
// point, sorted by point), /sweep/chip_accuracy, and optionally the base model (/model) and
// per-point models (/sweep/models/point_<i>/model).
//
// Crash safety: the file is always written whole from memory to a temporary file that is
// synced and renamed over it, so a kill at any moment leaves a complete file. While a sweep
// runs, the points finished since the last rewrite are in its journal (sweep_journal.hpp);
// SweepStore (sweep_store.hpp) decides when to rewrite.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "accel/sim/config/config.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/sweep/sweep_spec.hpp"

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
    // The read-out: the fraction of frames whose lines clipped (over all chips), the mean gain
    // setting the chips chose (NaN without gain settings), and with adaptive training the
    // chips' accuracy after adapting (NaN without).
    double clipped_frame_fraction = 0.0, gain_setting_mean = 0.0;
    double accuracy_adapted_mean = 0.0, accuracy_adapted_ci95_low = 0.0, accuracy_adapted_ci95_high = 0.0;
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

// Writes the whole sweep file from memory (atomically: built in memory, synced and renamed
// over `path`, so a file is never half-written and no space of an earlier version is left
// dead in it): the header, the table of `rows` (sorted by point; `axis_values[k]` are the
// axis values of rows[k]) and /sweep/chip_accuracy. `extra` may add groups before the commit
// (the base model, per-point models). `overwrite` decides whether an existing file may be
// replaced.
void write_sweep_file(const std::filesystem::path& path, const SweepHeader& header, const std::vector<PointResult>& rows,
                      const std::vector<std::vector<ConfigValue>>& axis_values, h5::Overwrite overwrite,
                      const std::function<void(h5::Group& root)>& extra = {});

// A sweep file with no points yet.
void create_sweep_file(const std::filesystem::path& path, const SweepHeader& header, h5::Overwrite overwrite,
                       const std::function<void(h5::Group& root)>& extra = {});

// What resuming needs from an existing sweep file: its provenance and identity, its finished
// points (metrics and per-chip accuracies; per-point models stay in the file) and the axis
// columns as stored. InputError naming the file if it is not a sweep file or anything of
// its layout is malformed: a missing, extra or misplaced column, a column of the wrong type,
// unsorted or repeated points, a per-chip table that does not fit the `chips` column,
// points_done other than the number of rows.
struct SweepFileState {
    Provenance provenance;
    std::string fingerprint;
    std::size_t points_total = 0;
    std::vector<std::string> axis_keys;      // /sweep/axis_keys
    std::vector<h5::TableColumn> axis_columns;  // the table's axis columns, in order
    std::vector<PointResult> rows;
    std::vector<std::size_t> model_points;   // points with a group /sweep/models/point_<i>
};
[[nodiscard]] SweepFileState read_sweep_file(const std::filesystem::path& path);

// The checks of a sweep file that need its definition: the axis keys, every axis value of
// every row (`axis_values(point)` gives what the sweep puts there) and, with keep_models, a
// model for every row. InputError naming the file and the first difference.
void check_sweep_file(const SweepFileState& state, const std::filesystem::path& path, const std::vector<std::string>& axis_keys,
                      const std::function<std::vector<ConfigValue>(std::size_t point)>& axis_values, bool keep_models);

}  // namespace accel::sim
