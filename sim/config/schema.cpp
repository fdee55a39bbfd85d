#include "accel/sim/config/schema.hpp"

#include <limits>
#include <string>

#include "accel/datasets/dataset.hpp"

namespace accel::sim {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

KeySpec real(std::string key, double value, double min, double max, std::string description, std::string source,
             bool min_exclusive = false, bool max_exclusive = false) {
    KeySpec k;
    k.key = std::move(key);
    k.type = ValueType::real;
    k.default_value = value;
    k.min = min;
    k.max = max;
    k.min_exclusive = min_exclusive;
    k.max_exclusive = max_exclusive;
    k.description = std::move(description);
    k.source = std::move(source);
    return k;
}

KeySpec positive(std::string key, double value, double max, std::string description, std::string source) {
    return real(std::move(key), value, 0.0, max, std::move(description), std::move(source), true);
}

KeySpec integer(std::string key, std::int64_t value, double min, double max, std::string description, std::string source) {
    KeySpec k = real(std::move(key), 0.0, min, max, std::move(description), std::move(source));
    k.type = ValueType::integer;
    k.default_value = value;
    return k;
}

KeySpec boolean(std::string key, bool value, std::string description, std::string source) {
    KeySpec k;
    k.key = std::move(key);
    k.type = ValueType::boolean;
    k.default_value = value;
    k.description = std::move(description);
    k.source = std::move(source);
    return k;
}

KeySpec choice(std::string key, std::string value, std::vector<std::string> choices, std::string description, std::string source) {
    KeySpec k;
    k.key = std::move(key);
    k.type = ValueType::string;
    k.default_value = std::move(value);
    k.choices = std::move(choices);
    k.description = std::move(description);
    k.source = std::move(source);
    return k;
}

// A free-form string (a path, ...): no list of choices.
KeySpec text(std::string key, std::string value, std::string description, std::string source) {
    return choice(std::move(key), std::move(value), {}, std::move(description), std::move(source));
}

KeySpec reals(std::string key, std::vector<double> value, double min, double max, std::string description, std::string source) {
    KeySpec k = real(std::move(key), 0.0, min, max, std::move(description), std::move(source), true);
    k.type = ValueType::real_list;
    k.default_value = std::move(value);
    return k;
}

const std::string paper = "Chen et al., Nature 623, 48 (2023)";
const std::string paper_methods = paper + ", Methods";
const std::string assumed = "assumed";
const std::string calibrated = "assumed, calibrated to the published 74.8 POPS/W (see docs/energy.md)";

// One function per section, in the order of docs/config.md.
std::vector<KeySpec> design_keys() {
    return {
        choice("design.architecture", "accel", {"accel", "digital", "d2nn"},
               "the chain simulated: photonic-analog ACCEL chip, detect-then-compute (image sensor, ADC, digital MACs), or an "
               "all-optical diffractive network read out by class regions",
               "ACCEL"),
        integer("design.seed", 1, 0, 9.0e15, "master random seed (chip, frame and training streams derive from it)", "-")};
}

std::vector<KeySpec> optics_keys() {
    return {
        real("optics.wavelength_nm", 532.0, 200.0, 20000.0, "vacuum wavelength of the coherent source (nm)", paper_methods),
        integer("optics.mask_pixels", 400, 1, 16384, "phase-mask pixels per side; the image fills this input window",
                "inferred from 4.6 POPS with 2·N_in·N_pd ops per 72 ns frame (DESIGN.md §9)"),
        positive("optics.mask_pitch_um", 9.2, 1e4, "phase-mask pixel pitch (µm)", paper_methods + ": 9.2 µm minimum feature"),
        reals("optics.distances_mm", {140.0, 145.0}, 0.0, 1e5,
              "distance after each phase mask to the next plane, the last to the photodiodes (mm); one mask per entry",
              paper_methods + ": two layers, 140 mm between masks, 145 mm to the chip"),
        real("optics.input_distance_mm", 0.0, 0.0, 1e5,
             "free-space distance from the input plane (the image) to the first mask (mm); 0 writes the image on the first mask",
             "assumed 0 (presets); Lin et al., Science 2018 and the PyTorch peer propagate the input to the first layer"),
        integer("optics.phase_bits", 3, 0, 16, "phase quantisation of the masks: 2^bits etch levels; 0 for continuous phase",
                paper_methods + ": 3-bit fused-silica masks"),
        integer("optics.padding_px", 200, 0, 16384, "zero padding per side for propagation (px); mask_pixels/2 gives a window of twice the mask",
                "DESIGN.md §2: padding to 2N"),
        boolean("optics.band_limit", true, "Matsushima–Shimobaba band limit of the transfer function", "Opt. Express 17, 19662 (2009)"),
        real("optics.plate_thickness_mm", 0.0, 0.0, 1e5,
             "thickness of a homogeneous plate (index optics.plate_refractive_index) within the last gap of optics.distances_mm, "
             "before the photodiodes; 0 for none (mm)",
             "none (the presets); in the ACCEL authors' code the sensor sits behind a 0.6 mm fused-silica plate"),
        real("optics.plate_refractive_index", 1.4602, 1.0, 10.0,
             "refractive index of the plate of optics.plate_thickness_mm at the wavelength",
             "fused silica at 532 nm as in the ACCEL authors' simulation code (Malitson, JOSA 55, 1205 (1965), gives 1.4607)", true),
        integer("optics.input_window_px", 0, 0, 16384,
                "side of the centred window of the mask grid the image is written into (px); 0 for the whole mask",
                "ACCEL's code: the image fills the input plane"),
        choice("optics.encoding", "amplitude", {"amplitude", "intensity"},
               "how the image drives the input field: amplitude = value, or intensity = value (amplitude = sqrt)",
               paper_methods + ": amplitude SLM")};
}

std::vector<KeySpec> light_keys() {
    return {
        positive("light.energy_density_fJ_per_um2", 0.14, 1e12,
                 "optical energy per frame per unit area at the input plane (fJ/µm²)", paper + ": robust down to 0.14 fJ/µm²")};
}

std::vector<KeySpec> detector_keys() {
    return {
        integer("detector.rows", 32, 1, 4096, "photodiode rows", paper_methods),
        integer("detector.cols", 32, 1, 4096, "photodiode columns", paper_methods),
        positive("detector.pitch_um", 35.0, 1e5, "photodiode pitch (µm)", paper_methods),
        real("detector.fill_factor", 0.0914, 0.0, 1.0, "active fraction of each photodiode cell", paper_methods, true),
        real("detector.centre_x_um", 0.0, -1e5, 1e5, "array centre offset along x (µm)", "-"),
        real("detector.centre_y_um", 0.0, -1e5, 1e5, "array centre offset along y (µm)", "-")};
}

std::vector<KeySpec> photodiode_keys() {
    return {
        real("photodiode.quantum_efficiency", 0.6, 0.0, 1.0, "electrons per incident photon",
             assumed + ": typical of an n-well photodiode in 180 nm CMOS at 532 nm", true),
        real("photodiode.dark_current_fA", 1.0, 0.0, 1e9, "dark current per photodiode (fA)", assumed + ": small-area 180 nm CMOS photodiode"),
        positive("photodiode.capacitance_fF", 10.0, 1e6, "photodiode node capacitance, reset every frame (fF)", assumed),
        real("photodiode.reset_swing_V", 1.0, 0.0, 100.0, "voltage the photodiode node is reset through each frame (V)", assumed),
        real("photodiode.shunt_resistance_ohm", inf, 0.0, inf, "shunt resistance giving Johnson noise; inf for none (ohm)",
             "ACCEL integrates charge on capacitors: no resistor", true),
        positive("photodiode.temperature_K", 300.0, 1000.0, "operating temperature (K)", assumed + ": room temperature")};
}

// The selectable integration capacitors of a line: ≥ 0 (0: the parasitics alone).
KeySpec integration_capacitors() {
    KeySpec k = reals("eac.integration_capacitors_fF", {0.0, 4000.0, 12000.0}, 0.0, 1e9,
                      "integration capacitors a computing line can switch in beside its parasitics (fF), highest conversion gain first",
                      assumed + ": three gains, as the dual conversion gain of image sensors; the last gives about the 20 pF of the fixed design");
    k.min_exclusive = false;
    return k;
}

std::vector<KeySpec> eac_keys() {
    return {
        integer("eac.outputs", 10, 1, 4096, "outputs (classes) of the compute array", paper + ": 10 classes"),
        integer("eac.output_lines", 10, 1, 4096, "physical output channels (± line pairs); fewer than outputs means sequential passes",
                assumed + ": one pair per class"),
        choice("eac.weights", "binary", {"binary", "ternary"}, "SRAM weight alphabet: {−1,+1} or {−1,0,+1}", paper),
        real("eac.line_capacitance_fF", 0.0, 0.0, 1e9,
             "capacitance of each computing line (fF); 0: from the layout, the line's parasitics (eac.wire_capacitance_fF_per_um, "
             "eac.switch_capacitance_fF) plus the integration capacitor of the gain setting (eac.gain_setting, or auto-ranged)",
             "from the layout (analog/operating_point.hpp): accel-2023's lines have 7.90 pF of parasitics; the chip as first "
             "modelled had 20,000 fF, an assumed round number"),
        positive("eac.wire_capacitance_fF_per_um", 0.2, 1e3,
                 "capacitance per length of a computing line's wire, with its neighbours (fF/µm); the line runs along every photodiode row",
                 "Ho, Mai & Horowitz, Proc. IEEE 89, 490 (2001): about 0.2 fF/µm in every CMOS generation"),
        real("eac.switch_capacitance_fF", 0.5, 0.0, 1e6, "capacitance of the switch terminal each photodiode adds to a line (fF)",
             assumed + ": junction and overlap of a minimum switch in 180 nm"),
        integration_capacitors(),
        choice("eac.conversion_gain", "auto", {"fixed", "auto"},
               "fixed: lines integrate on eac.gain_setting; auto: each chip picks, at each light level, the highest gain whose lines stay "
               "below eac.ranging_headroom of the supply on eac.ranging_frames test frames (needs eac.line_capacitance_fF = 0)",
               "auto-ranging as image sensors' dual conversion gain (fixed: the chip as first modelled)"),
        integer("eac.ranging_frames", 32, 1, 1000000, "frames (the first test images, labels unused) each chip ranges its gain on", assumed),
        real("eac.ranging_headroom", 0.9, 0.0, 1.0, "fraction of the supply a line may reach on the ranging frames, for noise and brighter scenes",
             assumed, true),
        integer("eac.gain_setting", 2, 0, 63,
                "which of eac.integration_capacitors_fF a line integrates on (0: the first, highest conversion gain), with eac.line_capacitance_fF = 0; "
                "with eac.conversion_gain = \"auto\" the setting of training and of accel energy, each chip in eval ranging its own",
                assumed + ": the lowest gain, for the brightest frames"),
        real("eac.line_swing_V", 1.0, 0.0, 100.0, "design voltage swing of a computing line per frame, for the energy model (V)", assumed),
        real("eac.pixel_gain_sigma", 0.01, 0.0, 0.5, "per-chip relative mismatch of photodiode gain", assumed + ": 180 nm matching", false, true),
        real("eac.weight_path_sigma", 0.005, 0.0, 0.5, "per-chip relative mismatch of each weight switch path", assumed, false, true),
        real("eac.line_capacitance_sigma", 0.01, 0.0, 0.5, "per-chip relative mismatch of line capacitance", assumed, false, true),
        real("eac.comparator_offset_mV", -1.0, -1.0, 1e4,
             "standard deviation of the fixed comparator offset (mV); -1: from Pelgrom's law, A_VT/sqrt(W·L) with the three keys below",
             "Pelgrom's law (2.5 mV with the keys below; the chip as first modelled had an assumed 1 mV)"),
        positive("eac.comparator_avt_mV_um", 5.0, 1e3, "Pelgrom coefficient A_VT of the comparator's input pair (mV·µm)",
                 "Pelgrom, Tuinhout & Vertregt, IEDM 1998: about 1 mV·µm per nm of gate oxide; 180 nm NMOS (4 nm) at 4-6 mV·µm"),
        positive("eac.comparator_input_width_um", 4.0, 1e4, "gate width of each transistor of the comparator's input pair (µm)", assumed),
        positive("eac.comparator_input_length_um", 1.0, 1e4, "gate length of each transistor of the comparator's input pair (µm)",
                 assumed + ": above the 0.18 µm minimum, for matching"),
        choice("eac.offset_calibration", "auto_zero", {"none", "auto_zero"},
               "per-chip offset calibration: none, or auto_zero (trim each output by its mean over dark frames, weights loaded)",
               "auto-zero, the standard comparator offset cancellation (Enz & Temes, Proc. IEEE 84, 1584 (1996)); none: the chip as first modelled"),
        integer("eac.calibration_dark_frames", 16, 1, 1000000, "dark frames averaged by one auto-zero (K); the residual offset falls as 1/√K",
                assumed),
        positive("eac.frames_per_calibration", 1e6, 1e18, "frames between auto-zero calibrations, over which their time and energy are amortised",
                 assumed + ": as often as the weights are loaded"),
        boolean("eac.correlated_double_sampling", false,
                "sample each line after its reset and after the integration and compare the differences: the line's kT/C cancels, "
                "the two samples add 2kT/C_s",
                "off: the chip as first modelled; CDS as in image sensors (Enz & Temes, Proc. IEEE 84, 1584 (1996))"),
        positive("eac.cds_sample_capacitance_fF", 1000.0, 1e9, "capacitor each CDS sample is held on (fF)", assumed + ": 1 pF per line"),
        real("eac.cds_sample_time_ns", 2.0, 0.0, 1e12, "time of the reset-level sample within the frame, with CDS (ns)", assumed),
        real("eac.comparator_energy_fJ", 100.0, 0.0, 1e9, "energy of one comparison (fJ)", assumed + ": dynamic comparator in 180 nm")};
}

std::vector<KeySpec> chip_keys() {
    return {
        positive("chip.analog_supply_V", 1.8, 100.0, "analog supply; computing lines clip at it (V)", paper_methods),
        positive("chip.controller_supply_V", 1.0, 100.0, "controller and SRAM supply (V)", paper_methods),
        positive("chip.frame_time_ns", 72.0, 1e12, "time per frame: integration plus read-out (ns)", paper + ": 72 ns per frame"),
        positive("chip.integration_time_ns", 62.0, 1e12, "photocurrent integration time within the frame (ns)",
                 assumed + ": frame time less 10 ns of reset and comparison"),
        real("chip.controller_static_power_mW", 50.6, 0.0, 1e6, "static power of controller and SRAM (mW)", calibrated),
        real("chip.analog_static_power_mW", 0.0, 0.0, 1e6, "static bias power of the analog blocks (mW)", assumed + ": included in the controller figure"),
        real("chip.weight_write_energy_fJ_per_bit", 50.0, 0.0, 1e9, "energy to write one SRAM weight bit (fJ)", assumed + ": 180 nm SRAM"),
        positive("chip.frames_per_weight_load", 1e6, 1e18, "frames between weight reloads, over which writes are amortised", assumed),
        boolean("chip.optical_source_in_systemic", false, "count the optical source energy in the systemic energy per frame",
                "the published 74.8 POPS/W is reproduced without it"),

        positive("d2nn.region_side_um", 720.0, 1e6, "side of each square class region of the all-optical read-out (µm)",
                 "PyTorch peer (shared/peers/torch_d2nn.py): n/10 pixels = 20 × 36 µm"),
        positive("d2nn.region_span_um", 5400.0, 1e7,
                 "side of the square the ten 3-4-3 class regions are spread over (µm); needs 5·side ≤ span ≤ mask window",
                 "assumed: three quarters of the 7.2 mm d2nn-5layer window")};
}

std::vector<KeySpec> digital_keys() {
    return {
        integer("digital.sensor_pixels", 160000, 1, 1e9, "image-sensor pixels (the same input window as the mask)", "same input as optics.mask_pixels²"),
        real("digital.quantum_efficiency", 0.6, 0.0, 1.0, "sensor quantum efficiency", assumed + ": as the photodiodes", true),
        real("digital.read_noise_e", 2.0, 0.0, 1e6, "read noise (e⁻ rms)", assumed + ": a modern CMOS image sensor"),
        positive("digital.full_well_e", 10000.0, 1e9, "full-well capacity (e⁻), mapped to the ADC full scale", assumed),
        integer("digital.adc_bits", 8, 1, 24, "ADC resolution (bits)", assumed),
        choice("digital.exposure", "fixed", {"fixed", "auto"},
               "fixed: the whole exposure digitised over the full well, the classifier on codes over the full code; auto: per frame, "
               "the ADC's full scale follows the brightest pixel (digital.gain_headroom of it, at most digital.max_analog_gain times "
               "the full well's gain), the exposure shortened only where even the full well is too small, and the classifier on the "
               "frame's electrons over their mean",
               "fixed: the baseline as first modelled; auto: a camera's auto-exposure, set on the frame itself (in the camera's favour)"),
        real("digital.max_analog_gain", 64.0, 1.0, 1e6, "highest analog gain of the auto-exposure, relative to the full well on the ADC's full scale",
             assumed + ": CMOS image sensors offer analog gains up to 16-64x"),
        real("digital.gain_headroom", 0.9, 0.01, 1.0, "share of the ADC's full scale the brightest pixel's mean charge is set to (auto-exposure)",
             assumed),
        integer("digital.hidden_units", 0, 0, 100000,
                "hidden ReLU units of the digital classifier (0: a linear layer); each weight is one MAC and one fetch in the energy model",
                assumed + ": the linear layer as first modelled; a small MLP is the stronger baseline"),
        real("digital.adc_fom_fJ_per_step", 5.0, 0.0, 1e9, "ADC Walden figure of merit: energy per conversion step (fJ)",
             "Murmann, ADC Performance Survey 1997–2023: low-power SAR ADCs reach 1–10 fJ/step"),
        real("digital.pixel_readout_energy_pJ", 1.0, 0.0, 1e9, "pixel read-out energy per pixel (pJ)", assumed),
        choice("digital.arithmetic", "int8", {"int8", "fp32"}, "MAC arithmetic of the digital classifier",
               "Horowitz, ISSCC 2014 (45 nm): int8 mult 0.2 pJ + add 0.03 pJ; fp32 mult 3.7 pJ + add 0.9 pJ"),
        real("digital.weight_fetch_energy_pJ", 0.0, 0.0, 1e9, "energy to fetch one weight from memory (pJ)", assumed + ": weights held in registers"),
        real("digital.exposure_time_ns", 72.0, 0.0, 1e15, "exposure time (ns)", "same frame time as the ACCEL chip"),
        positive("digital.readout_rate_Mpixel_per_s", 100.0, 1e9, "sensor read-out rate (Mpixel/s)", assumed),
        positive("digital.throughput_GMAC_per_s", 1000.0, 1e12, "throughput of the digital classifier (GMAC/s)", assumed + ": a 1 TMAC/s accelerator")};
}

std::vector<KeySpec> data_keys() {
    return {
        choice("data.dataset", "fashion-mnist", {"fashion-mnist", "mnist", "synthetic"},
               "image set to train and test on (28×28, values in [0, 1])", paper + ": Fashion-MNIST"),
        text("data.fashion_mnist_dir", std::string(datasets::fashion_mnist_default_dir),
             "folder of the Fashion-MNIST {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz files",
             "Debian package dataset-fashion-mnist"),
        text("data.mnist_dir", "", "folder of the MNIST files; empty for the repository's datasets/mnist", "-"),
        real("data.validation_fraction", 0.1, 0.0, 0.5,
             "fraction of the training images held out (stratified) to pick the best epoch and stop early", assumed, false, true),
        integer("data.train_images", 0, 0, 1e9, "training images used: 0 for all, else N of them as data.train_selection says", "-"),
        choice("data.train_selection", "shuffled", {"shuffled", "first"},
               "which N training images: a seeded draw (shuffled), or the split's first N in file order (first, as published anchors state them)",
               "-"),
        integer("data.test_images", 0, 0, 1e9,
                "test images: 0 for the full official test split, else its first N (quick runs; reported as a subset)", "-"),
        integer("data.synthetic_classes", 4, 2, 6, "classes of the synthetic shape set (square, ring, bar, cross, triangle, ×)", "-"),
        integer("data.synthetic_train", 2000, 1, 1e7, "images in the synthetic training split", "-"),
        integer("data.synthetic_test", 1000, 1, 1e7, "images in the synthetic test split", "-")};
}

std::vector<KeySpec> train_keys() {
    return {
        integer("train.epochs", 5, 0, 1e6, "passes over the training images", assumed),
        integer("train.batch_size", 32, 1, 1e6, "images per optimisation step", assumed),
        positive("train.learning_rate", 0.01, 1e3, "Adam learning rate of the first epoch", "Kingma & Ba, ICLR 2015; assumed"),
        real("train.learning_rate_decay", 0.7, 0.0, 1.0, "factor applied to the learning rate after every epoch", assumed, true),
        integer("train.early_stopping_patience", 0, 0, 1e6,
                "epochs without a better validation accuracy before training stops; 0 never stops early", "-"),
        boolean("train.noise_aware", false,
                "inject shot, dark, thermal, reset noise and chip mismatch at the configured light level while training", "-"),
        real("train.phase_error_pi", 0.0, 0.0, 2.0,
             "σ of the per-pixel fabrication phase error injected while training (units of π)", "ACCEL's code uses 0.26π; default off"),
        integer("train.max_shift_px", 0, 0, 1024, "largest random lateral shift of each mask per step while training (px)",
                "ACCEL's code: 1 px; default off"),
        real("train.max_rotation_deg", 0.0, 0.0, 180.0, "largest random rotation of each mask per step while training (°)",
             "ACCEL's code: 5°; default off"),
        text("train.init_from", "",
             "result file whose model (best parameters) training starts from, with a fresh optimiser; \"\" starts from the seeded "
             "initial parameters", "-"),
        integer("train.augment_shift_px", 0, 0, 64,
                "largest random shift of each training image, drawn afresh at every presentation (image px; "
                "zero-filled); counters overfitting of small sets",
                "Simard et al., ICDAR 2003; default off"),
        real("train.augment_rotation_deg", 0.0, 0.0, 45.0,
             "largest random rotation of each training image about its centre, drawn afresh at every presentation (°)",
             "default off"),
        real("train.augment_scale", 0.0, 0.0, 0.5,
             "largest random relative change of each training image's size (the scale is uniform in 1 ± this)", "default off"),
        real("train.augment_elastic_alpha_px", 0.0, 0.0, 1000.0,
             "elastic deformation of each training image: scale α of the smoothed random displacement field (image px)",
             "Simard et al., ICDAR 2003: 34 for 28×28 digits; default off"),
        positive("train.augment_elastic_sigma_px", 4.0, 100.0,
                 "elastic deformation: width σ of the Gaussian that smooths the displacement field (image px)",
                 "Simard et al., ICDAR 2003: 4"),
        boolean("train.new_chip_per_step", false, "draw chip mismatch and fabrication error afresh at every step", "-"),
        real("train.phase_lr_scale", 1.0, 0.0, 1e6, "learning-rate factor of the phase masks", assumed, true),
        real("train.weight_lr_scale", 1.0, 0.0, 1e6, "learning-rate factor of the electronic weights", assumed, true),
        integer("train.threads", 0, 0, 1024, "threads for training and evaluation; 0 for all cores (results do not depend on it)", "-"),
        integer("train.chunk_images", 4, 1, 1e6,
                "images per deterministic partial gradient sum (fixes the summation order, so results do not depend on threads)",
                assumed)};
}

std::vector<KeySpec> eval_keys() {
    return {
        integer("eval.chips", 10, 1, 1e6, "simulated chips the test accuracy is averaged over (mean ± 95 % interval)", "-"),
        boolean("eval.noise", true, "per-frame noise (shot, dark, thermal, reset) in the chip evaluation", "-"),
        boolean("eval.fixed_pattern", true, "per-chip mismatch and comparator offsets in the chip evaluation", "-"),
        choice("eval.electronics", "chip", {"chip", "ideal"},
               "chip: the read-out as simulated (the noise and mismatch eval.noise and eval.fixed_pattern switch on, lines that clip); "
               "ideal: the photon limit, photon shot noise alone (with eval.noise) on lines that never clip, no dark current, Johnson "
               "or reset noise, no mismatch or offsets (accel and d2nn)",
               "ideal: the physical floor of a design at a light level, its detected photons' Poisson statistics"),
        real("eval.phase_error_pi", 0.0, 0.0, 2.0, "σ of the per-pixel fabrication phase error of each chip's masks (units of π)",
             "ACCEL's code: 0.26π; default off"),
        integer("eval.shift_px", 0, -1024, 1024, "lateral shift of every mask along x in the chip evaluation (px)",
                "ACCEL's code: 1 px; default off"),
        real("eval.rotation_deg", 0.0, -180.0, 180.0, "rotation of every mask in the chip evaluation (°)", "ACCEL's code: 5°; default off"),
        integer("eval.adaptation_epochs", 0, 0, 10000,
                "adaptive training: epochs each simulated chip retrains its compute array's weights on its own photodiode outputs, "
                "optics frozen, before it is tested again (accel only; 0: off)",
                "ACCEL's code: 20; default off"),
        integer("eval.adaptation_images", 2000, 1, 1e7, "training images each chip adapts on (the first of the training split)",
                "ACCEL's code: the first 2,000 training images"),
        real("eval.adaptation_learning_rate", 0.01, 0.0, 10.0, "Adam's learning rate of the adaptation", assumed, true),
        real("eval.adaptation_learning_rate_decay", 0.9, 0.0, 1.0, "factor on the adaptation's learning rate after every epoch", assumed),
        integer("eval.adaptation_batch_size", 32, 1, 1e6, "images per adaptation step", assumed),
        real("eval.yield_accuracy", 0.8, 0.0, 1.0, "test accuracy a chip must reach to count towards the yield", assumed)};
}
}  // namespace

Schema accel_schema() {
    std::vector<KeySpec> keys;
    for (auto section : {design_keys, optics_keys, light_keys, detector_keys, photodiode_keys, eac_keys, chip_keys, digital_keys, data_keys, train_keys, eval_keys}) {
        std::vector<KeySpec> part = section();
        keys.insert(keys.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
    return Schema(std::move(keys));
}

bool evaluation_may_change(std::string_view key) {
    const auto in = [&](std::string_view section) { return key.substr(0, section.size()) == section; };
    if (key == "eac.outputs" || key == "eac.weights") return false;  // the shape and meaning of the trained weights
    return in("eval.") || in("photodiode.") || in("chip.") || in("eac.");
}

}  // namespace accel::sim
