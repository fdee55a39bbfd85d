#pragma once
// The typed description of a run: everything the configuration says, converted to SI units
// once (the unit is in every member's name), with every check that involves several keys.
// describe_run() is the one place that reads a Config for the physics; below sim/config/ no
// code looks a key up by its name. A sweep point is a modified Config described anew.
//
// A few members keep the configured unit as well (energy density in fJ/µm², angles in
// degrees, the phase error in units of π): result files report them as configured, and the
// frame energy is computed in the configured units, the form every recorded result used, so
// that both stay bitwise what they were.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "accel/analog/compute_array.hpp"
#include "accel/analog/energy.hpp"
#include "accel/analog/image_sensor.hpp"
#include "accel/analog/photodiode.hpp"
#include "accel/datasets/encoding.hpp"
#include "accel/models/adaptation.hpp"
#include "accel/models/optical_stage.hpp"
#include "accel/models/trainer.hpp"
#include "accel/optics/detector.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/sim/config/config.hpp"

namespace accel::sim {

enum class Architecture { accel, d2nn, digital };
[[nodiscard]] std::string_view architecture_name(Architecture a);  // "accel", "d2nn", "digital"

// The optical stage: masks, distances, the input window and how images are written on it.
struct OpticsDescription {
    models::OpticalStageSpec stage;       // mask grid, wavelength_m, distances_m, input_distance_m, padding, band limit
    int input_window_px = 0;              // the image window on the mask grid
    datasets::Encoding encoding = datasets::Encoding::amplitude;
    int phase_bits = 0;                   // etch levels 2^bits; 0: continuous phase
    [[nodiscard]] int layers() const { return static_cast<int>(stage.distances_m.size()); }
    // Every propagation of the stage (after each mask, then input → first mask if any), for
    // the sampling checks.
    [[nodiscard]] std::vector<optics::PropagationGeometry> propagations() const;
};

// The optical energy of a frame at the input plane.
struct LightDescription {
    double energy_density_fJ_per_um2 = 0.0;  // as configured (light.energy_density_fJ_per_um2)
    double energy_density_J_per_m2 = 0.0;    // the same in SI (1 fJ/µm² = 1e-3 J/m²)
    double frame_energy_J = 0.0;             // over the input window (the mask grid)
    double photons_per_frame = 0.0;          // frame_energy_J / (h·c/λ)
};

// The photodiode array of the ACCEL chip and the class regions of the all-optical read-out.
struct DetectorDescription {
    optics::PhotodiodeArray photodiodes;
    std::vector<optics::DetectorArea> class_regions;  // d2nn only: the 3-4-3 layout
};

// The detect-then-compute baseline ([digital]); image rows and columns come with the data.
struct DigitalDescription {
    int sensor_side_px = 0;       // side × side pixels (digital.sensor_pixels)
    double window_side_m = 0.0;   // the sensor sees the input window
    analog::ImageSensorParams sensor;
    int hidden_units = 0;         // digital.hidden_units (0: a linear classifier)
};

struct DataDescription {
    std::string dataset;                   // "synthetic", "mnist" or "fashion-mnist"
    std::filesystem::path dir;             // folder of the IDX files (resolved; empty for synthetic)
    int synthetic_train = 0, synthetic_test = 0, synthetic_classes = 0;
    int train_images = 0;                  // 0: the whole training split
    bool train_first = false;              // the split's first train_images in file order, not a seeded draw
    int test_images = 0;                   // 0: the whole official test split
    double validation_fraction = 0.0;
};

struct TrainingDescription {
    models::TrainSettings settings;        // epochs, batch, Adam, augmentation, training conditions
    double phase_learning_rate_scale = 1.0;
    double weight_learning_rate_scale = 1.0;
    std::string init_from;                 // a result file to start from; empty: fresh
};

// How each simulated chip of the test evaluation differs from the nominal design ([eval]).
struct EvaluationDescription {
    bool noise = false, fixed_pattern = false;
    bool ideal_electronics = false;  // eval.electronics = "ideal": the photon limit
    double phase_error_pi = 0.0, phase_error_rad = 0.0;  // σ of the fabrication phase error
    int shift_px = 0;
    double rotation_deg = 0.0, rotation_rad = 0.0;
    int chips = 1;
    int ranging_frames = 0;  // eac.conversion_gain = "auto": test frames each chip ranges its gain on; 0 without auto-ranging
    // Adaptive training of each chip's read-out (models/adaptation.hpp); epochs 0: off.
    models::AdaptationSettings adaptation = [] {
        models::AdaptationSettings a;
        a.epochs = 0;
        return a;
    }();
    int adaptation_images = 0;
    double yield_accuracy = 0.8;
    [[nodiscard]] bool adapts() const { return adaptation.epochs > 0; }
    // Whether chips differ at all (noise, mismatch or fabrication error); if not, one chip is
    // evaluated whatever `chips` says.
    [[nodiscard]] bool varies_by_chip() const { return noise || fixed_pattern || phase_error_pi > 0.0; }
};

struct RunDescription {
    Architecture architecture = Architecture::accel;
    std::uint64_t seed = 1;                // design.seed
    OpticsDescription optics;
    LightDescription light;
    DetectorDescription detector;
    analog::PhotodiodeParams photodiode;
    analog::ComputeArrayParams compute_array;
    analog::AccelEnergyParams accel_energy;
    analog::DigitalEnergyParams digital_energy;
    DigitalDescription digital;
    int classes = 10;                      // eac.outputs: classes read out (ACCEL, digital)
    DataDescription data;
    TrainingDescription training;
    EvaluationDescription evaluation;
    int threads = 1;                       // train.threads resolved (0 in the config: all cores)
    // Warnings of the sampling checks (one line each), for the caller to print.
    std::vector<std::string> warnings;

    // The same run at another light level (fJ/µm² at the input, as light.energy_density_fJ_per_um2).
    [[nodiscard]] RunDescription at_light(double energy_density_fJ_per_um2) const;

private:
    friend RunDescription describe_run(const Config& c);
    double window_side_um_ = 0.0;          // mask_pixels × mask_pitch_um, the configured form of the window
};

// Reads, converts and checks everything: InputError naming the keys and the numbers for a
// configuration that contradicts itself (integration longer than the frame, a window larger
// than the mask, a detector outside the window, a grid the propagator cannot sample, ...).
[[nodiscard]] RunDescription describe_run(const Config& c);

// The light of a frame at `energy_density_fJ_per_um2` over a window of `window_side_um` µm.
[[nodiscard]] LightDescription light_at(double energy_density_fJ_per_um2, double window_side_um, double wavelength_m);

// The energy report of the architecture (InputError for the all-optical network, which the
// energy model does not cover).
[[nodiscard]] analog::EnergyReport energy_report(const RunDescription& run);
// The same for a configuration: the architecture is checked first, so that an energy run of
// the all-optical network gets that error rather than one about its read-out.
[[nodiscard]] analog::EnergyReport energy_report(const Config& c);

}  // namespace accel::sim
