#include "accel/analog/energy.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace accel::analog {
namespace {

void require(bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("energy model: " + what);
}

bool positive(double v) { return v > 0.0 && std::isfinite(v); }
bool non_negative(double v) { return v >= 0.0 && std::isfinite(v); }

}  // namespace

double EnergyReport::energy_per_frame_J() const {
    double e = 0.0;
    for (const auto& c : components)
        if (c.systemic) e += c.energy_J;
    return e;
}

void validate(const AccelEnergyParams& p) {
    require(p.input_pixels >= 1 && p.photodiodes >= 1 && p.outputs >= 1 && p.passes >= 1, "pixel, photodiode, output and pass counts must be ≥ 1");
    require(positive(p.frame_time_s), "frame time must be > 0 s");
    require(non_negative(p.optical_energy_J), "optical energy must be ≥ 0 J");
    require(positive(p.analog_supply_V), "analog supply must be > 0 V");
    require(positive(p.photodiode_capacitance_F) && positive(p.line_capacitance_F), "capacitances must be > 0 F");
    require(non_negative(p.photodiode_reset_swing_V) && p.photodiode_reset_swing_V <= p.analog_supply_V,
            "photodiode reset swing must be in [0, analog supply]");
    require(non_negative(p.line_swing_V) && p.line_swing_V <= p.analog_supply_V, "line swing must be in [0, analog supply]");
    require(non_negative(p.comparator_energy_J), "comparator energy must be ≥ 0 J");
    require(non_negative(p.controller_static_power_W) && non_negative(p.analog_static_power_W), "static powers must be ≥ 0 W");
    require(non_negative(p.weight_bits) && non_negative(p.weight_write_energy_J_per_bit), "weight write terms must be ≥ 0");
    require(positive(p.frames_per_weight_load), "frames per weight load must be > 0");
    require(p.calibration_frames >= 0 && positive(p.frames_per_calibration), "calibration frames must be ≥ 0 and frames per calibration > 0");
    require(positive(p.cds_sample_capacitance_F), "CDS sample capacitance must be > 0 F");
}

EnergyReport accel_energy(const AccelEnergyParams& p) {
    validate(p);
    EnergyReport r;
    r.design = "photonic-analog (ACCEL)";
    r.optical_ops = 2.0 * p.input_pixels * static_cast<double>(p.photodiodes);
    r.electronic_ops = 2.0 * p.photodiodes * static_cast<double>(p.outputs);
    r.latency_s = p.passes * p.frame_time_s;
    r.optical_source_in_systemic = p.optical_source_in_systemic;
    const double passes = p.passes;
    // Charging a capacitance C by ΔV from a supply V_dd draws C·V_dd·ΔV from that supply.
    r.components.push_back({"optical_source", p.optical_energy_J, p.optical_source_in_systemic, "light at the input plane per frame"});
    r.components.push_back({"photodiode_reset", passes * p.photodiodes * p.photodiode_capacitance_F * p.analog_supply_V * p.photodiode_reset_swing_V,
                            true, "passes·N_pd·C_pd·V_dd·ΔV_pd"});
    // Each output's pair of lines is charged once per frame, in the pass that evaluates it.
    r.components.push_back({"computing_lines", 2.0 * p.outputs * p.line_capacitance_F * p.analog_supply_V * p.line_swing_V, true,
                            "2·N_out·C_line·V_dd·ΔV_line"});
    r.components.push_back({"comparators", p.outputs * p.comparator_energy_J, true, "N_out·E_cmp"});
    r.components.push_back({"controller_and_sram_static", p.controller_static_power_W * r.latency_s, true, "P_ctrl·latency"});
    r.components.push_back({"analog_bias_static", p.analog_static_power_W * r.latency_s, true, "P_bias·latency"});
    if (p.correlated_double_sampling)
        r.components.push_back({"cds_samples", 4.0 * p.outputs * p.cds_sample_capacitance_F * p.analog_supply_V * p.line_swing_V, true,
                                "2 samples · 2·N_out lines · C_s·V_dd·ΔV_line"});
    r.components.push_back({"weight_writes", p.weight_bits * p.weight_write_energy_J_per_bit / p.frames_per_weight_load, true,
                            "bits·E_write / frames per load"});
    if (p.calibration_frames > 0) {
        // A dark frame costs what a frame costs without light: resets, lines, comparators, static power.
        double dark_frame_J = 0.0;
        for (const auto& c : r.components)
            if (c.name != "optical_source" && c.name != "weight_writes") dark_frame_J += c.energy_J;
        r.components.push_back({"offset_calibration", p.calibration_frames * dark_frame_J / p.frames_per_calibration, true,
                                "K dark frames · E_frame / frames per calibration"});
    }
    return r;
}

void validate(const DigitalEnergyParams& p) {
    require(p.sensor_pixels >= 1 && p.outputs >= 1, "sensor pixels and outputs must be ≥ 1");
    require(p.hidden_units >= 0, "hidden units must be ≥ 0");
    require(p.adc_bits >= 1 && p.adc_bits <= 24, "ADC bits must be in [1, 24]");
    require(non_negative(p.adc_walden_fom_J) && non_negative(p.pixel_readout_energy_J) && non_negative(p.mac_energy_J) &&
                non_negative(p.weight_fetch_energy_J) && non_negative(p.optical_energy_J),
            "energies must be ≥ 0 J");
    require(non_negative(p.exposure_time_s) && non_negative(p.readout_time_s) && p.exposure_time_s + p.readout_time_s > 0.0,
            "exposure and read-out times must be ≥ 0 s, not both 0");
    require(positive(p.macs_per_second), "digital throughput must be > 0 MAC/s");
}

EnergyReport digital_energy(const DigitalEnergyParams& p) {
    validate(p);
    EnergyReport r;
    r.design = "detect-then-compute (image sensor + ADC + digital MACs)";
    // One MAC per weight: a linear layer N_pix·N_out, an MLP N_pix·H + H·N_out.
    const bool mlp = p.hidden_units > 0;
    const double macs = mlp ? static_cast<double>(p.sensor_pixels) * p.hidden_units + static_cast<double>(p.hidden_units) * p.outputs
                            : static_cast<double>(p.sensor_pixels) * p.outputs;
    r.optical_ops = 0.0;
    r.electronic_ops = 2.0 * macs;
    r.latency_s = p.exposure_time_s + p.readout_time_s + macs / p.macs_per_second;
    r.optical_source_in_systemic = p.optical_source_in_systemic;
    r.components.push_back({"optical_source", p.optical_energy_J, p.optical_source_in_systemic, "light at the sensor per frame"});
    r.components.push_back({"pixel_readout", p.sensor_pixels * p.pixel_readout_energy_J, true, "N_pix·E_pix"});
    r.components.push_back({"adc", p.sensor_pixels * p.adc_walden_fom_J * std::ldexp(1.0, p.adc_bits), true,
                            "N_pix·FOM_W·2^bits (Walden figure of merit)"});
    const char* const per_weight = mlp ? "(N_pix·H + H·N_out)" : "N_pix·N_out";
    r.components.push_back({"digital_macs", macs * p.mac_energy_J, true, std::string(per_weight) + "·E_MAC"});
    r.components.push_back({"weight_fetch", macs * p.weight_fetch_energy_J, true, std::string(per_weight) + "·E_fetch"});
    return r;
}

}  // namespace accel::analog
