#include "accel/sim/config/model_config.hpp"

#include <cmath>
#include <sstream>

#include "accel/core/constants.hpp"
#include "accel/optics/sampling.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/core/errors.hpp"

namespace accel::sim {

using core::constants::planck_J_s;
using core::constants::speed_of_light_m_s;

optics::Grid mask_grid(const Config& c) {
    return {static_cast<int>(c.integer("optics.mask_pixels")), c.real("optics.mask_pitch_um") * 1e-6};
}

optics::PhotodiodeArray photodiode_array(const Config& c) {
    return {static_cast<int>(c.integer("detector.rows")), static_cast<int>(c.integer("detector.cols")), c.real("detector.pitch_um") * 1e-6,
            c.real("detector.fill_factor"), c.real("detector.centre_x_um") * 1e-6, c.real("detector.centre_y_um") * 1e-6};
}

analog::PhotodiodeParams photodiode_params(const Config& c) {
    analog::PhotodiodeParams p;
    p.wavelength_m = c.real("optics.wavelength_nm") * 1e-9;
    p.quantum_efficiency = c.real("photodiode.quantum_efficiency");
    p.dark_current_A = c.real("photodiode.dark_current_fA") * 1e-15;
    p.integration_time_s = c.real("chip.integration_time_ns") * 1e-9;
    p.capacitance_F = c.real("photodiode.capacitance_fF") * 1e-15;
    p.shunt_resistance_ohm = c.real("photodiode.shunt_resistance_ohm");
    p.temperature_K = c.real("photodiode.temperature_K");
    return p;
}

analog::ComputeArrayParams compute_array_params(const Config& c) {
    analog::ComputeArrayParams p;
    p.inputs = static_cast<int>(c.integer("detector.rows") * c.integer("detector.cols"));
    p.outputs = static_cast<int>(c.integer("eac.outputs"));
    p.output_lines = static_cast<int>(c.integer("eac.output_lines"));
    p.weights = c.string("eac.weights") == "ternary" ? analog::WeightKind::ternary : analog::WeightKind::binary;
    p.line_capacitance_F = c.real("eac.line_capacitance_fF") * 1e-15;
    p.swing_V = c.real("chip.analog_supply_V");
    p.temperature_K = c.real("photodiode.temperature_K");
    p.pixel_gain_sigma = c.real("eac.pixel_gain_sigma");
    p.weight_path_sigma = c.real("eac.weight_path_sigma");
    p.line_capacitance_sigma = c.real("eac.line_capacitance_sigma");
    p.comparator_offset_sigma_V = c.real("eac.comparator_offset_mV") * 1e-3;
    return p;
}

double optical_energy_per_frame_J(const Config& c) {
    const double side_um = static_cast<double>(c.integer("optics.mask_pixels")) * c.real("optics.mask_pitch_um");
    return c.real("light.energy_density_fJ_per_um2") * side_um * side_um * 1e-15;
}

double photons_per_frame(const Config& c) {
    const double photon_J = planck_J_s * speed_of_light_m_s / (c.real("optics.wavelength_nm") * 1e-9);
    return optical_energy_per_frame_J(c) / photon_J;
}

analog::AccelEnergyParams accel_energy_params(const Config& c) {
    analog::AccelEnergyParams p;
    const auto mask = c.integer("optics.mask_pixels");
    p.input_pixels = static_cast<int>(mask * mask);
    p.photodiodes = static_cast<int>(c.integer("detector.rows") * c.integer("detector.cols"));
    p.outputs = static_cast<int>(c.integer("eac.outputs"));
    p.passes = compute_array_params(c).passes();
    p.frame_time_s = c.real("chip.frame_time_ns") * 1e-9;
    p.optical_energy_J = optical_energy_per_frame_J(c);
    p.optical_source_in_systemic = c.boolean("chip.optical_source_in_systemic");
    p.analog_supply_V = c.real("chip.analog_supply_V");
    p.photodiode_capacitance_F = c.real("photodiode.capacitance_fF") * 1e-15;
    p.photodiode_reset_swing_V = c.real("photodiode.reset_swing_V");
    p.line_capacitance_F = c.real("eac.line_capacitance_fF") * 1e-15;
    p.line_swing_V = c.real("eac.line_swing_V");
    p.comparator_energy_J = c.real("eac.comparator_energy_fJ") * 1e-15;
    p.controller_static_power_W = c.real("chip.controller_static_power_mW") * 1e-3;
    p.analog_static_power_W = c.real("chip.analog_static_power_mW") * 1e-3;
    // SRAM holds one (binary) or two (ternary: sign and enable) bits per weight.
    const double bits_per_weight = c.string("eac.weights") == "ternary" ? 2.0 : 1.0;
    p.weight_bits = bits_per_weight * p.photodiodes * static_cast<double>(p.outputs);
    p.weight_write_energy_J_per_bit = c.real("chip.weight_write_energy_fJ_per_bit") * 1e-15;
    p.frames_per_weight_load = c.real("chip.frames_per_weight_load");
    return p;
}

analog::DigitalEnergyParams digital_energy_params(const Config& c) {
    analog::DigitalEnergyParams p;
    p.sensor_pixels = static_cast<int>(c.integer("digital.sensor_pixels"));
    p.outputs = static_cast<int>(c.integer("eac.outputs"));
    p.adc_bits = static_cast<int>(c.integer("digital.adc_bits"));
    p.adc_walden_fom_J = c.real("digital.adc_fom_fJ_per_step") * 1e-15;
    p.pixel_readout_energy_J = c.real("digital.pixel_readout_energy_pJ") * 1e-12;
    // Horowitz, ISSCC 2014, 45 nm: int8 multiply 0.2 pJ + add 0.03 pJ; fp32 3.7 pJ + 0.9 pJ.
    p.mac_energy_J = c.string("digital.arithmetic") == "fp32" ? 4.6e-12 : 0.23e-12;
    p.weight_fetch_energy_J = c.real("digital.weight_fetch_energy_pJ") * 1e-12;
    p.exposure_time_s = c.real("digital.exposure_time_ns") * 1e-9;
    p.readout_time_s = p.sensor_pixels / (c.real("digital.readout_rate_Mpixel_per_s") * 1e6);
    p.macs_per_second = c.real("digital.throughput_GMAC_per_s") * 1e9;
    p.optical_energy_J = optical_energy_per_frame_J(c);
    p.optical_source_in_systemic = c.boolean("chip.optical_source_in_systemic");
    return p;
}

analog::EnergyReport energy_report(const Config& c) {
    check_consistency(c);
    if (c.string("design.architecture") == "d2nn")
        throw InputError("design.architecture = \"d2nn\": the energy model covers the ACCEL chip (accel) and the detect-then-compute "
                         "baseline (digital), not the all-optical network");
    return c.string("design.architecture") == "digital" ? analog::digital_energy(digital_energy_params(c))
                                                        : analog::accel_energy(accel_energy_params(c));
}

void check_consistency(const Config& c) {
    const auto fmt = [](double v) {
        std::ostringstream s;
        s << v;
        return s.str();
    };
    if (c.real("chip.integration_time_ns") > c.real("chip.frame_time_ns"))
        throw InputError("chip.integration_time_ns = " + fmt(c.real("chip.integration_time_ns")) +
                         " exceeds chip.frame_time_ns = " + fmt(c.real("chip.frame_time_ns")) + "; the integration happens within the frame");
    if (c.real("eac.line_swing_V") > c.real("chip.analog_supply_V"))
        throw InputError("eac.line_swing_V = " + fmt(c.real("eac.line_swing_V")) + " exceeds chip.analog_supply_V = " +
                         fmt(c.real("chip.analog_supply_V")));
    if (c.real("photodiode.reset_swing_V") > c.real("chip.analog_supply_V"))
        throw InputError("photodiode.reset_swing_V = " + fmt(c.real("photodiode.reset_swing_V")) + " exceeds chip.analog_supply_V = " +
                         fmt(c.real("chip.analog_supply_V")));
    if (c.integer("detector.rows") * c.integer("detector.cols") > 1 << 22)
        throw InputError("detector.rows × detector.cols exceeds 4194304 photodiodes");
    if (c.string("design.architecture") != "digital" &&
        c.integer("optics.mask_pixels") + 2 * c.integer("optics.padding_px") > optics::max_padded_grid_px)
        throw InputError("padded grid of " + std::to_string(c.integer("optics.mask_pixels") + 2 * c.integer("optics.padding_px")) +
                         " pixels per side exceeds " + std::to_string(optics::max_padded_grid_px) +
                         " (optics.mask_pixels + 2 × optics.padding_px)");
    if (c.string("design.architecture") != "accel") return;  // the photodiode array belongs to the ACCEL chip
    const auto findings = optics::check_detectors(mask_grid(c), optics::photodiode_areas(photodiode_array(c)));
    if (optics::has_error(findings))
        throw InputError("detector: " + findings.front().message + " (keys detector.*, optics.mask_pixels, optics.mask_pitch_um)");
}

}  // namespace accel::sim
