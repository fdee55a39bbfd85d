#pragma once
// From a validated Config to what a training or evaluation run needs: the images ([data]),
// the model (design.architecture with its optics, detector and electronics), the conditions
// it is trained and evaluated under, the trainer settings, the checks to run before a long
// job, and the test evaluation (noise-free, then over simulated chips at each light level).
// The only place that knows both the config keys and the concrete model classes.

#include <complex>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "accel/datasets/dataset.hpp"
#include "accel/models/model.hpp"
#include "accel/models/trainer.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/sim/config/config.hpp"

namespace accel::sim {

// ------------------------------------------------------------------------------------ data

// The images of a run, as [data] describes them.
struct RunData {
    datasets::Dataset train;              // training split (first data.train_images after a seeded shuffle); empty if not loaded
    datasets::SplitIndices split;         // indices into `train`: what is trained on, what picks the best epoch
    datasets::Dataset test;               // the official test split, or its first data.test_images
    bool test_is_subset = false;
    int full_test_size = 0;               // images in the official test split
    [[nodiscard]] std::string describe() const;  // "synthetic-shapes: 1800 train, 200 validation, 1000 test"
    // Digest of every image and label loaded (16 hex digits): a resumed run checks that its
    // data files have not changed since it started.
    [[nodiscard]] std::string digest() const;
};

enum class DataNeeds { train_and_test, test_only };

// The files load_data reads for `needs` (none for the synthetic set): the images and labels
// of each split, so that no output of a run can be one of them.
[[nodiscard]] std::vector<std::filesystem::path> data_files(const Config& c, DataNeeds needs);

// Loads or generates the images; InputError naming the key or the file at fault. Synthetic
// sets use fixed seeds (not design.seed), so every model sees the same images.
[[nodiscard]] RunData load_data(const Config& c, DataNeeds needs);

// ----------------------------------------------------------------------------------- model

// The model design.architecture names, for images shaped like `data_shape_hint`
// (rows, cols; every label in it must be one the model reads out). InputError for geometry
// the model cannot take (a window larger than the mask, a sensor that is not square, ...)
// and for a label beyond the model's outputs, naming the labels file, the label and its index.
[[nodiscard]] std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache,
                                                        const datasets::Dataset& data_shape_hint);
// The same for every split a run reads: the model is shaped by the training split when one
// was loaded, else by the test split, and the labels of both are checked before any work.
[[nodiscard]] std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache, const RunData& data);

// InputError if a label of `data` is one that `model` does not read out: the message names
// the labels file, the label, its index in that file and the model's outputs.
void check_labels(const datasets::Dataset& data, const models::Model& model, const Config& c);

// Views of the concrete models for result files and snapshots; empty / nullopt when the model
// has no such part. The model must have been prepared.
[[nodiscard]] std::vector<std::vector<double>> effective_phases(const models::Model& m);  // per mask, n×n rad
[[nodiscard]] int mask_side_px(const models::Model& m);                                    // 0 without masks
// The EAC's SRAM content (outputs × inputs) of an ACCEL model.
struct HardwareWeights {
    int outputs = 0, inputs = 0;
    std::vector<std::int8_t> values;
};
[[nodiscard]] std::optional<HardwareWeights> hardware_weights(const models::Model& m);
// Detector-plane intensity |u|² (W/m², mask_side_px² samples) of one image through an
// optical model; nullopt for the digital baseline.
[[nodiscard]] std::optional<std::vector<double>> detector_intensity(const models::Model& m, std::span<const float> image);

// ------------------------------------------------------------------------------ conditions

// Simulated chips of the test evaluation are numbered from here, so that they never coincide
// with a chip seen in training (chip 0, or 1, 2, ... per step with train.new_chip_per_step).
inline constexpr std::uint32_t first_evaluation_chip = 1u << 31;

enum class Purpose {
    training,    // [train]: noise_aware, phase_error_pi (shift and rotation are drawn by the trainer)
    noise_free,  // the nominal design: no noise, no mismatch, no fabrication error, aligned
    chip_test,   // [eval]: noise, fixed_pattern, phase_error_pi, shift_px, rotation_deg of one chip
};

// Always at the configured light level (light.energy_density_fJ_per_um2 over the input
// window): the photodiode charges and the line voltages, and so clipping, depend on it.
[[nodiscard]] models::Conditions conditions_for(const Config& c, Purpose purpose, std::uint32_t chip_index = 0);

// Whether the chip evaluation differs from chip to chip (noise, mismatch or fabrication error);
// if not, one chip is evaluated whatever eval.chips says.
[[nodiscard]] bool evaluation_varies_by_chip(const Config& c);

// train.threads resolved: 0 means all cores (OpenMP's default).
[[nodiscard]] int threads_for(const Config& c);
[[nodiscard]] models::TrainSettings train_settings(const Config& c);

// ------------------------------------------------------------------------------- preflight

// Everything that can be checked before a long run: check_consistency, the class regions of
// the all-optical read-out, and the sampling of every propagation (optics::check_transfer_function).
// Returns the warnings (one line each) for the caller to print; errors throw InputError.
[[nodiscard]] std::vector<std::string> preflight_checks(const Config& c);
// A lower estimate of a simulation's peak memory (bytes) from the grid, the number of planes,
// the threads and the parameter count, and the InputError when it exceeds the machine's
// physical memory: a design that cannot fit is reported before a long run starts.
[[nodiscard]] double estimated_memory_bytes(const Config& c);
void check_memory(const Config& c);

// ------------------------------------------------------------------------- test evaluation

// Student's t quantile t_{p, dof} (dof ≥ 1), by bisection on the CDF (regularised incomplete beta).
[[nodiscard]] double student_t_quantile(double p, int dof);

// Mean and 95 % interval of per-chip accuracies: mean ± t_{0.975, K−1}·s/sqrt(K).
struct ChipSummary {
    int chips = 0;
    double mean = 0.0;
    double std_dev = 0.0;      // sample standard deviation (K − 1); 0 for one chip
    double t_quantile = 0.0;   // t_{0.975, K−1}; NaN for one chip
    double half_width = 0.0;   // NaN for one chip (no interval)
};
[[nodiscard]] ChipSummary summarize_chips(std::span<const double> accuracies);

// One light level evaluated over simulated chips with the hardware read-out.
struct ChipEvaluation {
    double energy_density_fJ_per_um2 = 0.0;
    double frame_energy_J = 0.0;
    double photons_per_frame = 0.0;
    bool noise = false, fixed_pattern = false;
    double phase_error_pi = 0.0;
    std::int64_t shift_px = 0;
    double rotation_deg = 0.0;
    std::vector<models::EvalResult> per_chip;
    ChipSummary summary;
    std::vector<std::int64_t> confusion;  // summed over chips
};

struct TestReport {
    std::string dataset;
    bool subset = false;
    int full_test_size = 0;
    int classes = 0;
    models::EvalResult noise_free;       // argmax of the logits, with the loss
    std::vector<ChipEvaluation> chips;   // one per light level
};

// Progress of a test evaluation: what is being evaluated, images done and rate.
using EvalProgress = std::function<void(const std::string& label, const models::Progress&)>;

// Evaluates `parameters` on data.test: once noise-free (unless `with_noise_free` is false:
// then noise_free holds no images and a NaN accuracy), then at each light level (fJ/µm²;
// empty: the configured one) over eval.chips chips (one if nothing varies by chip).
[[nodiscard]] TestReport evaluate_test(const Config& c, models::Model& model, const RunData& data, std::span<const double> parameters,
                                       std::span<const double> light_levels_fJ_per_um2, const EvalProgress& progress = {},
                                       bool with_noise_free = true);

}  // namespace accel::sim
