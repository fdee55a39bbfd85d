#pragma once
// A sweep definition (TOML): the base configuration, the axes (any config key, with a list
// of values or a linear or logarithmic range), how the axes combine (grid or zip), and what
// runs at each point. Loading validates everything at the boundary: unknown keys (with the
// nearest valid one suggested), empty ranges, log ranges through zero, zipped axes of
// different lengths, and every point's value against the config schema.
//
//     [sweep]
//     preset = "accel-2023"            # base: an embedded preset, and/or
//     config = "base.toml"             #   a config file (relative to this file), applied over it
//     set = ["data.test_images=2000"]  #   overrides, applied last
//     run = "eval"                     # eval | train | energy
//     model = "accel-2023.h5"          # eval: trained model (relative to this file);
//                                      #   absent: the sweep trains the base config first
//     combine = "grid"                 # grid | zip
//     chips = 10                       # simulated chips per point (default eval.chips)
//     noise_free = true                # also evaluate each point noise-free
//     keep_models = false              # train: keep every point's model in the file
//
//     [[axis]]
//     key = "light.energy_density_fJ_per_um2"
//     range = { from = 1e-8, to = 10.0, points = 19, scale = "log" }
//
//     [[axis]]
//     key = "eac.weights"
//     values = ["binary", "ternary"]

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "accel/sim/config/config.hpp"

namespace accel::sim {

enum class SweepRun {
    eval,    // evaluate one trained model under each point's conditions (no retraining)
    train,   // train and evaluate a model per point
    energy,  // the energy and throughput model only (no images)
};
enum class SweepCombine { grid, zip };

[[nodiscard]] const char* to_string(SweepRun run);
[[nodiscard]] const char* to_string(SweepCombine combine);

struct SweepAxis {
    std::string key;                  // a config key
    std::vector<std::string> values;  // each as a TOML value ("0.14", "\"binary\"", "[140.0, 145.0]")
};

struct SweepSpec {
    std::filesystem::path file;       // where the definition was read from
    std::string text;                 // its content, recorded in the result file
    ConfigSources base;               // preset, config file, overrides (paths resolved)
    SweepRun run = SweepRun::eval;
    std::optional<std::filesystem::path> model;  // eval: the trained model (resolved)
    SweepCombine combine = SweepCombine::grid;
    int chips = 0;                    // 0: eval.chips of the base configuration
    bool noise_free = true;
    bool keep_models = false;
    std::vector<SweepAxis> axes;
};

// One point: its index in the sweep and, per axis, the value's index and "key=value".
struct SweepPoint {
    std::size_t index = 0;
    std::vector<std::size_t> value_index;
    std::vector<std::string> assignments;
};

// Reads and validates a sweep definition; InputError naming the file and the key at fault.
[[nodiscard]] SweepSpec load_sweep_spec(const std::filesystem::path& file, const Schema& schema);

// The points in order: grid (the last axis varies fastest) or zip (the i-th value of every axis).
[[nodiscard]] std::vector<SweepPoint> expand_points(const SweepSpec& spec);

// The base configuration of a sweep (schema defaults, preset, file, overrides, chips).
[[nodiscard]] Config sweep_base_config(const SweepSpec& spec, const Schema& schema);
// The configuration of one point: the base with the point's assignments applied.
[[nodiscard]] Config point_config(const Config& base, const SweepPoint& point);

// Identifies what a sweep computes: the definition (run, combine, chips, options, axes and
// values), the base configuration and `model_digest` (a digest of the trained model's
// parameters for run = eval with a model file; empty otherwise). A file may be resumed only
// by the sweep with the same fingerprint. 16 hex digits.
[[nodiscard]] std::string sweep_fingerprint(const SweepSpec& spec, const Config& base, const std::string& model_digest);

}  // namespace accel::sim
