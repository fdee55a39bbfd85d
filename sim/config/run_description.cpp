#include "accel/sim/config/run_description.hpp"

#include <omp.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "accel/analog/operating_point.hpp"
#include "accel/core/constants.hpp"
#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/datasets/dataset.hpp"
#include "accel/optics/sampling.hpp"

#ifndef ACCEL_SOURCE_DIR
#error "ACCEL_SOURCE_DIR must name the source tree (for the repository's datasets/mnist)"
#endif

namespace accel::sim {
namespace {

// Unit conversions of the configured values (the unit is in each key's name).
constexpr double m_per_nm = 1e-9, m_per_um = 1e-6, m_per_mm = 1e-3, s_per_ns = 1e-9, F_per_fF = 1e-15, A_per_fA = 1e-15;
constexpr double J_per_fJ = 1e-15, J_per_pJ = 1e-12, W_per_mW = 1e-3, V_per_mV = 1e-3;

int as_int(std::int64_t v) { return static_cast<int>(v); }
double radians_from_degrees(double deg) { return deg * std::numbers::pi / 180.0; }

Architecture architecture_of(const Config& c) {
    const std::string& a = c.string("design.architecture");
    return a == "d2nn" ? Architecture::d2nn : a == "digital" ? Architecture::digital : Architecture::accel;
}

// optics.plate_thickness_mm: a plate of index optics.plate_refractive_index in the last gap,
// before the photodiodes; none with 0.
std::vector<std::vector<optics::Slab>> slabs_of(const Config& c, const std::vector<double>& distances_m) {
    const double thickness_mm = c.real("optics.plate_thickness_mm");
    if (thickness_mm == 0.0 || distances_m.empty()) return {};
    if (thickness_mm * m_per_mm > distances_m.back())
        throw InputError("optics.plate_thickness_mm = " + core::general_text(thickness_mm) + " exceeds the last gap, optics.distances_mm = " +
                         core::general_text(distances_m.back() / m_per_mm));
    std::vector<std::vector<optics::Slab>> slabs(distances_m.size());
    slabs.back().push_back({thickness_mm * m_per_mm, c.real("optics.plate_refractive_index")});
    return slabs;
}

OpticsDescription optics_of(const Config& c) {
    OpticsDescription o;
    o.stage.grid = {as_int(c.integer("optics.mask_pixels")), c.real("optics.mask_pitch_um") * m_per_um};
    o.stage.wavelength_m = c.real("optics.wavelength_nm") * m_per_nm;
    for (double mm : c.reals("optics.distances_mm")) o.stage.distances_m.push_back(mm * m_per_mm);
    o.stage.input_distance_m = c.real("optics.input_distance_mm") * m_per_mm;
    o.stage.pad_px = as_int(c.integer("optics.padding_px"));
    o.stage.band_limit = c.boolean("optics.band_limit");
    o.stage.slabs = slabs_of(c, o.stage.distances_m);
    o.input_window_px = as_int(c.integer("optics.input_window_px"));
    o.encoding = c.string("optics.encoding") == "intensity" ? datasets::Encoding::intensity : datasets::Encoding::amplitude;
    o.phase_bits = as_int(c.integer("optics.phase_bits"));
    return o;
}

optics::PhotodiodeArray photodiodes_of(const Config& c) {
    return {as_int(c.integer("detector.rows")), as_int(c.integer("detector.cols")), c.real("detector.pitch_um") * m_per_um,
            c.real("detector.fill_factor"), c.real("detector.centre_x_um") * m_per_um, c.real("detector.centre_y_um") * m_per_um};
}

analog::PhotodiodeParams photodiode_of(const Config& c) {
    analog::PhotodiodeParams p;
    p.wavelength_m = c.real("optics.wavelength_nm") * m_per_nm;
    p.quantum_efficiency = c.real("photodiode.quantum_efficiency");
    p.dark_current_A = c.real("photodiode.dark_current_fA") * A_per_fA;
    p.integration_time_s = c.real("chip.integration_time_ns") * s_per_ns;
    p.capacitance_F = c.real("photodiode.capacitance_fF") * F_per_fF;
    p.shunt_resistance_ohm = c.real("photodiode.shunt_resistance_ohm");
    p.temperature_K = c.real("photodiode.temperature_K");
    return p;
}

// With eac.line_capacitance_fF = 0, the line capacitance of each gain setting: the line's
// parasitics over the photodiode array plus that setting's integration capacitor
// (analog/operating_point.hpp); empty for a given capacitance.
std::vector<double> gain_line_capacitances_of(const Config& c) {
    if (c.real("eac.line_capacitance_fF") > 0.0) return {};
    analog::LineLayout layout;
    layout.rows = as_int(c.integer("detector.rows"));
    layout.cols = as_int(c.integer("detector.cols"));
    layout.pitch_m = c.real("detector.pitch_um") * m_per_um;
    layout.wire_capacitance_F_per_m = c.real("eac.wire_capacitance_fF_per_um") * F_per_fF / m_per_um;
    layout.switch_capacitance_F = c.real("eac.switch_capacitance_fF") * F_per_fF;
    const double parasitic_F = analog::parasitic_line_capacitance_F(layout);
    std::vector<double> settings;
    for (double capacitor_fF : c.reals("eac.integration_capacitors_fF")) settings.push_back(parasitic_F + capacitor_fF * F_per_fF);
    return settings;
}

// eac.line_capacitance_fF, or with 0 the capacitance of the gain setting eac.gain_setting.
double line_capacitance_of(const Config& c) {
    const double given_fF = c.real("eac.line_capacitance_fF");
    if (given_fF > 0.0) return given_fF * F_per_fF;
    const std::vector<double> settings = gain_line_capacitances_of(c);
    const auto setting = c.integer("eac.gain_setting");
    if (setting >= static_cast<std::int64_t>(settings.size()))
        throw InputError("eac.gain_setting = " + std::to_string(setting) + " selects no capacitor: eac.integration_capacitors_fF has " +
                         std::to_string(settings.size()) + " (settings 0 to " + std::to_string(settings.size() - 1) + ")");
    return settings[static_cast<std::size_t>(setting)];
}

// eac.comparator_offset_mV, or with -1 Pelgrom's A_VT/√(W·L) of the comparator's input pair.
double comparator_offset_of(const Config& c) {
    const double given_mV = c.real("eac.comparator_offset_mV");
    if (given_mV >= 0.0) return given_mV * V_per_mV;
    if (given_mV != -1.0)
        throw InputError("eac.comparator_offset_mV = " + core::general_text(given_mV) +
                         ": a standard deviation is ≥ 0 mV; -1 derives it from Pelgrom's law (eac.comparator_avt_mV_um)");
    analog::InputPair pair;
    pair.a_vt_V_m = c.real("eac.comparator_avt_mV_um") * V_per_mV * m_per_um;
    pair.width_m = c.real("eac.comparator_input_width_um") * m_per_um;
    pair.length_m = c.real("eac.comparator_input_length_um") * m_per_um;
    return analog::offset_sigma_V(pair);
}

analog::ComputeArrayParams compute_array_of(const Config& c) {
    analog::ComputeArrayParams p;
    p.inputs = static_cast<int>(c.integer("detector.rows") * c.integer("detector.cols"));
    p.outputs = as_int(c.integer("eac.outputs"));
    p.output_lines = as_int(c.integer("eac.output_lines"));
    p.weights = c.string("eac.weights") == "ternary" ? analog::WeightKind::ternary : analog::WeightKind::binary;
    p.line_capacitance_F = line_capacitance_of(c);
    p.gain_line_capacitances_F = gain_line_capacitances_of(c);
    if (!p.gain_line_capacitances_F.empty()) p.gain_setting = as_int(c.integer("eac.gain_setting"));
    p.auto_range = c.string("eac.conversion_gain") == "auto";
    if (p.auto_range && p.gain_line_capacitances_F.empty())
        throw InputError("eac.conversion_gain = \"auto\" chooses among eac.integration_capacitors_fF, but eac.line_capacitance_fF = " +
                         core::general_text(c.real("eac.line_capacitance_fF")) + " fixes the line capacitance; set eac.line_capacitance_fF = 0");
    p.ranging_headroom = c.real("eac.ranging_headroom");
    p.swing_V = c.real("chip.analog_supply_V");
    p.temperature_K = c.real("photodiode.temperature_K");
    p.pixel_gain_sigma = c.real("eac.pixel_gain_sigma");
    p.weight_path_sigma = c.real("eac.weight_path_sigma");
    p.line_capacitance_sigma = c.real("eac.line_capacitance_sigma");
    p.comparator_offset_sigma_V = comparator_offset_of(c);
    p.auto_zero = c.string("eac.offset_calibration") == "auto_zero";
    p.auto_zero_frames = as_int(c.integer("eac.calibration_dark_frames"));
    p.correlated_double_sampling = c.boolean("eac.correlated_double_sampling");
    p.cds_sample_capacitance_F = c.real("eac.cds_sample_capacitance_fF") * F_per_fF;
    return p;
}

analog::AccelEnergyParams accel_energy_of(const Config& c, const RunDescription& r) {
    analog::AccelEnergyParams p;
    const auto mask = c.integer("optics.mask_pixels");
    p.input_pixels = static_cast<int>(mask * mask);
    p.photodiodes = static_cast<int>(c.integer("detector.rows") * c.integer("detector.cols"));
    p.outputs = as_int(c.integer("eac.outputs"));
    p.passes = r.compute_array.passes();
    p.frame_time_s = c.real("chip.frame_time_ns") * s_per_ns;
    p.optical_energy_J = r.light.frame_energy_J;
    p.optical_source_in_systemic = c.boolean("chip.optical_source_in_systemic");
    p.analog_supply_V = c.real("chip.analog_supply_V");
    p.photodiode_capacitance_F = c.real("photodiode.capacitance_fF") * F_per_fF;
    p.photodiode_reset_swing_V = c.real("photodiode.reset_swing_V");
    p.line_capacitance_F = r.compute_array.line_capacitance_F;  // the read-out's, fixed or from the layout
    p.line_swing_V = c.real("eac.line_swing_V");
    p.comparator_energy_J = c.real("eac.comparator_energy_fJ") * J_per_fJ;
    p.controller_static_power_W = c.real("chip.controller_static_power_mW") * W_per_mW;
    p.analog_static_power_W = c.real("chip.analog_static_power_mW") * W_per_mW;
    // SRAM holds one (binary) or two (ternary: sign and enable) bits per weight.
    const double bits_per_weight = c.string("eac.weights") == "ternary" ? 2.0 : 1.0;
    p.weight_bits = bits_per_weight * p.photodiodes * static_cast<double>(p.outputs);
    p.weight_write_energy_J_per_bit = c.real("chip.weight_write_energy_fJ_per_bit") * J_per_fJ;
    p.frames_per_weight_load = c.real("chip.frames_per_weight_load");
    if (c.string("eac.offset_calibration") == "auto_zero") p.calibration_frames = as_int(c.integer("eac.calibration_dark_frames"));
    p.frames_per_calibration = c.real("eac.frames_per_calibration");
    p.correlated_double_sampling = c.boolean("eac.correlated_double_sampling");
    p.cds_sample_capacitance_F = c.real("eac.cds_sample_capacitance_fF") * F_per_fF;
    return p;
}

analog::DigitalEnergyParams digital_energy_of(const Config& c, const RunDescription& r) {
    analog::DigitalEnergyParams p;
    p.sensor_pixels = as_int(c.integer("digital.sensor_pixels"));
    p.outputs = as_int(c.integer("eac.outputs"));
    p.hidden_units = as_int(c.integer("digital.hidden_units"));
    p.adc_bits = as_int(c.integer("digital.adc_bits"));
    p.adc_walden_fom_J = c.real("digital.adc_fom_fJ_per_step") * J_per_fJ;
    p.pixel_readout_energy_J = c.real("digital.pixel_readout_energy_pJ") * J_per_pJ;
    // Horowitz, ISSCC 2014, 45 nm: int8 multiply 0.2 pJ + add 0.03 pJ; fp32 3.7 pJ + 0.9 pJ.
    p.mac_energy_J = c.string("digital.arithmetic") == "fp32" ? 4.6e-12 : 0.23e-12;
    p.weight_fetch_energy_J = c.real("digital.weight_fetch_energy_pJ") * J_per_pJ;
    p.exposure_time_s = c.real("digital.exposure_time_ns") * s_per_ns;
    p.readout_time_s = p.sensor_pixels / (c.real("digital.readout_rate_Mpixel_per_s") * 1e6);
    p.macs_per_second = c.real("digital.throughput_GMAC_per_s") * 1e9;
    p.optical_energy_J = r.light.frame_energy_J;
    p.optical_source_in_systemic = c.boolean("chip.optical_source_in_systemic");
    return p;
}

DigitalDescription digital_of(const Config& c, const RunDescription& r) {
    DigitalDescription d;
    const auto pixels = c.integer("digital.sensor_pixels");
    const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(pixels))));
    d.sensor_side_px = side * side == pixels ? as_int(side) : 0;
    d.window_side_m = r.optics.stage.grid.width_m();
    d.sensor.wavelength_m = c.real("optics.wavelength_nm") * m_per_nm;
    d.sensor.quantum_efficiency = c.real("digital.quantum_efficiency");
    d.sensor.read_noise_e = c.real("digital.read_noise_e");
    d.sensor.full_well_e = c.real("digital.full_well_e");
    d.sensor.adc_bits = as_int(c.integer("digital.adc_bits"));
    d.sensor.exposure_time_s = c.real("digital.exposure_time_ns") * s_per_ns;
    d.sensor.auto_gain = c.string("digital.exposure") == "auto";
    d.sensor.max_analog_gain = c.real("digital.max_analog_gain");
    d.sensor.gain_headroom = c.real("digital.gain_headroom");
    d.hidden_units = as_int(c.integer("digital.hidden_units"));
    return d;
}

// The folder of an IDX dataset (MNIST's default: the repository's copy).
std::filesystem::path data_dir_of(const Config& c) {
    const std::string& name = c.string("data.dataset");
    if (name == "mnist") {
        const std::string& dir = c.string("data.mnist_dir");
        return dir.empty() ? std::filesystem::path(ACCEL_SOURCE_DIR) / datasets::mnist_dir_in_repository : std::filesystem::path(dir);
    }
    if (name == "synthetic") return {};
    return c.string("data.fashion_mnist_dir");
}

DataDescription data_of(const Config& c) {
    DataDescription d;
    d.dataset = c.string("data.dataset");
    d.dir = data_dir_of(c);
    d.synthetic_train = as_int(c.integer("data.synthetic_train"));
    d.synthetic_test = as_int(c.integer("data.synthetic_test"));
    d.synthetic_classes = as_int(c.integer("data.synthetic_classes"));
    d.train_images = as_int(c.integer("data.train_images"));
    d.train_first = c.string("data.train_selection") == "first";
    d.test_images = as_int(c.integer("data.test_images"));
    d.validation_fraction = c.real("data.validation_fraction");
    return d;
}

int threads_of(const Config& c) {
    const auto t = c.integer("train.threads");
    return t > 0 ? as_int(t) : omp_get_max_threads();
}

// Training conditions: the configured light level; noise and mismatch with noise-aware
// training; the fabrication phase error of [train] (shift and rotation are drawn by the trainer).
models::Conditions training_conditions(const Config& c, const RunDescription& r) {
    models::Conditions k;
    k.frame_energy_J = r.light.frame_energy_J;
    k.seed = r.seed;
    k.quantise_phase = true;
    k.noise = k.fixed_pattern = c.boolean("train.noise_aware");
    k.phase_error_rad = c.real("train.phase_error_pi") * std::numbers::pi;
    return k;
}

TrainingDescription training_of(const Config& c, const RunDescription& r) {
    TrainingDescription t;
    models::TrainSettings& s = t.settings;
    s.epochs = as_int(c.integer("train.epochs"));
    s.batch_size = as_int(c.integer("train.batch_size"));
    s.learning_rate = c.real("train.learning_rate");
    s.learning_rate_decay = c.real("train.learning_rate_decay");
    s.early_stopping_patience = as_int(c.integer("train.early_stopping_patience"));
    s.chunk_images = as_int(c.integer("train.chunk_images"));
    s.threads = r.threads;
    s.seed = r.seed;
    s.conditions = training_conditions(c, r);
    s.new_chip_per_step = c.boolean("train.new_chip_per_step");
    s.max_shift_px = as_int(c.integer("train.max_shift_px"));
    s.max_rotation_rad = radians_from_degrees(c.real("train.max_rotation_deg"));
    s.augment_shift_px = as_int(c.integer("train.augment_shift_px"));
    s.augment_distortion.max_rotation_rad = radians_from_degrees(c.real("train.augment_rotation_deg"));
    s.augment_distortion.max_scale = c.real("train.augment_scale");
    s.augment_distortion.elastic_alpha_px = c.real("train.augment_elastic_alpha_px");
    s.augment_distortion.elastic_sigma_px = c.real("train.augment_elastic_sigma_px");
    t.phase_learning_rate_scale = c.real("train.phase_lr_scale");
    t.weight_learning_rate_scale = c.real("train.weight_lr_scale");
    t.init_from = c.string("train.init_from");
    return t;
}

EvaluationDescription evaluation_of(const Config& c) {
    EvaluationDescription e;
    e.noise = c.boolean("eval.noise");
    e.fixed_pattern = c.boolean("eval.fixed_pattern");
    e.ideal_electronics = c.string("eval.electronics") == "ideal";
    if (e.ideal_electronics && architecture_of(c) == Architecture::digital)
        throw InputError("eval.electronics = \"ideal\": the photon limit of a photodiode read-out; design.architecture = \"digital\" "
                         "reads an image sensor through ADCs (set its digital.read_noise_e and digital.adc_bits instead)");
    e.phase_error_pi = c.real("eval.phase_error_pi");
    e.phase_error_rad = e.phase_error_pi * std::numbers::pi;
    e.shift_px = as_int(c.integer("eval.shift_px"));
    e.rotation_deg = c.real("eval.rotation_deg");
    e.rotation_rad = radians_from_degrees(e.rotation_deg);
    e.chips = as_int(c.integer("eval.chips"));
    if (c.string("eac.conversion_gain") == "auto") e.ranging_frames = as_int(c.integer("eac.ranging_frames"));
    e.adaptation.epochs = as_int(c.integer("eval.adaptation_epochs"));
    e.adaptation.learning_rate = c.real("eval.adaptation_learning_rate");
    e.adaptation.learning_rate_decay = c.real("eval.adaptation_learning_rate_decay");
    e.adaptation.batch_size = as_int(c.integer("eval.adaptation_batch_size"));
    e.adaptation.seed = static_cast<std::uint64_t>(c.integer("design.seed"));
    e.adaptation_images = as_int(c.integer("eval.adaptation_images"));
    e.yield_accuracy = c.real("eval.yield_accuracy");
    if (e.adapts() && architecture_of(c) != Architecture::accel)
        throw InputError("eval.adaptation_epochs = " + std::to_string(e.adaptation.epochs) + ": adaptive training retrains the ACCEL compute "
                         "array's weights; design.architecture = \"" + c.string("design.architecture") + "\" has none");
    if (e.adapts() && !(e.adaptation.learning_rate > 0.0)) throw InputError("eval.adaptation_learning_rate must be > 0 when eval.adaptation_epochs > 0");
    return e;
}

// ------------------------------------------------------------------------------ checks

// Numbers as an ostream prints them (six significant digits), as these messages always did.
void check_chip(const Config& c) {
    if (c.real("chip.integration_time_ns") > c.real("chip.frame_time_ns"))
        throw InputError("chip.integration_time_ns = " + core::general_text(c.real("chip.integration_time_ns")) + " exceeds chip.frame_time_ns = " +
                         core::general_text(c.real("chip.frame_time_ns")) + "; the integration happens within the frame");
    // With CDS the reset level is sampled before the integration starts, within the same frame.
    if (c.boolean("eac.correlated_double_sampling") &&
        c.real("chip.integration_time_ns") + c.real("eac.cds_sample_time_ns") > c.real("chip.frame_time_ns"))
        throw InputError("chip.integration_time_ns + eac.cds_sample_time_ns = " +
                         core::general_text(c.real("chip.integration_time_ns") + c.real("eac.cds_sample_time_ns")) +
                         " exceeds chip.frame_time_ns = " + core::general_text(c.real("chip.frame_time_ns")) +
                         "; with correlated double sampling the reset-level sample happens within the frame");
    if (c.real("eac.line_swing_V") > c.real("chip.analog_supply_V"))
        throw InputError("eac.line_swing_V = " + core::general_text(c.real("eac.line_swing_V")) + " exceeds chip.analog_supply_V = " +
                         core::general_text(c.real("chip.analog_supply_V")));
    if (c.real("photodiode.reset_swing_V") > c.real("chip.analog_supply_V"))
        throw InputError("photodiode.reset_swing_V = " + core::general_text(c.real("photodiode.reset_swing_V")) + " exceeds chip.analog_supply_V = " +
                         core::general_text(c.real("chip.analog_supply_V")));
    if (c.integer("detector.rows") * c.integer("detector.cols") > 1 << 22)
        throw InputError("detector.rows × detector.cols exceeds 4194304 photodiodes");
}

// The optical stage: a grid the propagator can take, a window on the mask, valid geometry.
void check_optics(const OpticsDescription& o) {
    const optics::Grid& grid = o.stage.grid;
    const int padded = grid.n + 2 * o.stage.pad_px;
    if (padded > optics::max_padded_grid_px)
        throw InputError("padded grid of " + std::to_string(padded) + " pixels per side exceeds " + std::to_string(optics::max_padded_grid_px) +
                         " (optics.mask_pixels + 2 × optics.padding_px)");
    if (o.input_window_px > grid.n)
        throw InputError("optics.input_window_px = " + std::to_string(o.input_window_px) + " exceeds optics.mask_pixels = " +
                         std::to_string(grid.n) + "; the image window lies on the mask");
    for (const optics::PropagationGeometry& g : o.propagations()) {
        try {
            optics::validate(g);
        } catch (const std::invalid_argument& e) {
            throw InputError(std::string(e.what()) + " (keys optics.*)");
        }
    }
}

std::vector<optics::DetectorArea> class_regions_of(const Config& c, const optics::Grid& grid) {
    const double side_m = c.real("d2nn.region_side_um") * m_per_um, span_m = c.real("d2nn.region_span_um") * m_per_um;
    const double window_m = grid.width_m();
    if (5.0 * side_m > span_m)
        throw InputError("d2nn.region_side_um = " + core::shortest_text(side_m * 1e6) + " is too large for d2nn.region_span_um = " + core::shortest_text(span_m * 1e6) +
                         ": the four regions of the middle row need 5·side ≤ span");
    if (span_m > window_m * (1.0 + 1e-12))
        throw InputError("d2nn.region_span_um = " + core::shortest_text(span_m * 1e6) + " exceeds the mask window of " + core::shortest_text(window_m * 1e6) +
                         " µm (optics.mask_pixels × optics.mask_pitch_um)");
    return optics::class_regions_3_4_3(span_m, side_m);
}

void check_digital(const Config& c, const DigitalDescription& d) {
    if (d.sensor_side_px == 0)
        throw InputError("digital.sensor_pixels = " + std::to_string(c.integer("digital.sensor_pixels")) +
                         " is not a perfect square; the sensor is side × side pixels");
    if (!(d.sensor.exposure_time_s > 0.0)) throw InputError("digital.exposure_time_ns must be > 0 to simulate the sensor");
}

void check_photodiodes(const RunDescription& r) {
    const auto findings = optics::check_detectors(r.optics.stage.grid, optics::photodiode_areas(r.detector.photodiodes));
    if (optics::has_error(findings))
        throw InputError("detector: " + findings.front().message + " (keys detector.*, optics.mask_pixels, optics.mask_pitch_um)");
}

}  // namespace

std::string_view architecture_name(Architecture a) {
    switch (a) {
        case Architecture::d2nn: return "d2nn";
        case Architecture::digital: return "digital";
        case Architecture::accel: break;
    }
    return "accel";
}

std::vector<optics::PropagationGeometry> OpticsDescription::propagations() const {
    std::vector<optics::PropagationGeometry> out;
    for (int l = 0; l < static_cast<int>(stage.distances_m.size()); ++l) out.push_back(stage.gap(l));
    if (stage.input_distance_m > 0.0) out.push_back({stage.grid, stage.wavelength_m, stage.input_distance_m, stage.pad_px, stage.band_limit});
    return out;
}

LightDescription light_at(double energy_density_fJ_per_um2, double window_side_um, double wavelength_m) {
    LightDescription l;
    l.energy_density_fJ_per_um2 = energy_density_fJ_per_um2;
    l.energy_density_J_per_m2 = energy_density_fJ_per_um2 * (J_per_fJ / (m_per_um * m_per_um));
    l.frame_energy_J = energy_density_fJ_per_um2 * window_side_um * window_side_um * J_per_fJ;
    l.photons_per_frame = l.frame_energy_J / core::photon_energy_J(wavelength_m);
    return l;
}

RunDescription RunDescription::at_light(double energy_density_fJ_per_um2) const {
    RunDescription r = *this;
    r.light = light_at(energy_density_fJ_per_um2, window_side_um_, optics.stage.wavelength_m);
    r.accel_energy.optical_energy_J = r.digital_energy.optical_energy_J = r.light.frame_energy_J;
    r.training.settings.conditions.frame_energy_J = r.light.frame_energy_J;
    return r;
}

RunDescription describe_run(const Config& c) {
    check_chip(c);
    RunDescription r;
    r.architecture = architecture_of(c);
    r.seed = static_cast<std::uint64_t>(c.integer("design.seed"));
    r.optics = optics_of(c);
    r.window_side_um_ = static_cast<double>(c.integer("optics.mask_pixels")) * c.real("optics.mask_pitch_um");
    r.light = light_at(c.real("light.energy_density_fJ_per_um2"), r.window_side_um_, r.optics.stage.wavelength_m);
    r.detector.photodiodes = photodiodes_of(c);
    r.photodiode = photodiode_of(c);
    r.compute_array = compute_array_of(c);
    r.classes = as_int(c.integer("eac.outputs"));
    r.accel_energy = accel_energy_of(c, r);
    r.digital_energy = digital_energy_of(c, r);
    r.digital = digital_of(c, r);
    r.data = data_of(c);
    r.threads = threads_of(c);
    r.training = training_of(c, r);
    r.evaluation = evaluation_of(c);
    r.evaluation.adaptation.threads = r.threads;
    r.evaluation.adaptation.chunk_images = r.training.settings.chunk_images;
    switch (r.architecture) {
        case Architecture::accel:
            check_optics(r.optics);
            check_photodiodes(r);
            break;
        case Architecture::d2nn:
            check_optics(r.optics);
            r.detector.class_regions = class_regions_of(c, r.optics.stage.grid);
            break;
        case Architecture::digital: check_digital(c, r.digital); break;
    }
    return r;
}

namespace {

void check_energy_model_covers(Architecture a) {
    if (a == Architecture::d2nn)
        throw InputError("design.architecture = \"d2nn\": the energy model covers the ACCEL chip (accel) and the detect-then-compute "
                         "baseline (digital), not the all-optical network");
}

}  // namespace

analog::EnergyReport energy_report(const Config& c) {
    check_energy_model_covers(architecture_of(c));  // before the checks of a network it does not cover
    return energy_report(describe_run(c));
}

analog::EnergyReport energy_report(const RunDescription& run) {
    check_energy_model_covers(run.architecture);
    return run.architecture == Architecture::digital ? analog::digital_energy(run.digital_energy) : analog::accel_energy(run.accel_energy);
}

}  // namespace accel::sim
