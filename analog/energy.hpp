#pragma once
// Energy, latency and equivalent throughput of one frame.
//
// Operation count (DESIGN.md): the optical stage counts as the equivalent dense linear map
// from input pixels to photodiodes, 2·N_in·N_pd operations (a multiply and an add per
// pair); the electronic stage counts 2·N_pd·N_out. Throughput = ops / latency, efficiency =
// ops / energy. Every component is derived from its parameters; nothing stores a total.

#include <string>
#include <vector>

namespace accel::analog {

struct EnergyComponent {
    std::string name;
    double energy_J = 0.0;
    bool systemic = true;  // counted in the "systemic" energy per frame
    std::string formula;   // how it was computed, for the report
};

struct EnergyReport {
    std::string design;
    double optical_ops = 0.0;     // per frame
    double electronic_ops = 0.0;  // per frame
    double latency_s = 0.0;
    std::vector<EnergyComponent> components;
    bool optical_source_in_systemic = false;

    [[nodiscard]] double total_ops() const { return optical_ops + electronic_ops; }
    [[nodiscard]] double frames_per_s() const { return 1.0 / latency_s; }
    [[nodiscard]] double ops_per_s() const { return total_ops() / latency_s; }
    [[nodiscard]] double energy_per_frame_J() const;  // systemic components only
    [[nodiscard]] double ops_per_J() const { return total_ops() / energy_per_frame_J(); }
    [[nodiscard]] double share(const EnergyComponent& c) const { return c.systemic ? c.energy_J / energy_per_frame_J() : 0.0; }
};

// The photonic-analog chip of the ACCEL kind.
struct AccelEnergyParams {
    int input_pixels = 160000;         // N_in: mask pixels the image occupies (400×400)
    int photodiodes = 1024;            // N_pd
    int outputs = 10;                  // N_out
    int passes = 1;                    // successive integrations when output lines < outputs
    double frame_time_s = 72e-9;       // one integration and read-out
    double optical_energy_J = 0.0;     // light delivered to the input plane per frame
    bool optical_source_in_systemic = false;
    double analog_supply_V = 1.8;
    double photodiode_capacitance_F = 10e-15;
    double photodiode_reset_swing_V = 1.0;
    double line_capacitance_F = 2e-12;
    double line_swing_V = 1.0;         // design swing of a computing line per frame
    double comparator_energy_J = 100e-15;
    double controller_static_power_W = 0.0;  // controller and SRAM, from the controller supply
    double analog_static_power_W = 0.0;      // analog bias (comparators, references)
    double weight_bits = 10240;        // SRAM bits rewritten per weight load
    double weight_write_energy_J_per_bit = 50e-15;
    double frames_per_weight_load = 1e6;
    // Offset calibration: dark frames integrated per calibration (0: none), and the frames
    // between calibrations over which they are amortised.
    int calibration_frames = 0;
    double frames_per_calibration = 1e6;
    // Correlated double sampling: two samples of every line per frame on a capacitor C_s.
    bool correlated_double_sampling = false;
    double cds_sample_capacitance_F = 1e-12;
};

void validate(const AccelEnergyParams& p);  // std::invalid_argument naming the member
[[nodiscard]] EnergyReport accel_energy(const AccelEnergyParams& p);

// Detect-then-compute: an image sensor with an ADC per pixel read, followed by a digital
// linear classifier.
struct DigitalEnergyParams {
    int sensor_pixels = 160000;
    int outputs = 10;
    int hidden_units = 0;                   // the classifier's hidden layer (0: linear)
    int adc_bits = 8;
    double adc_walden_fom_J = 5e-15;        // energy per conversion step: E_conv = FOM·2^bits
    double pixel_readout_energy_J = 1e-12;  // per pixel (column line, source follower, reset)
    double mac_energy_J = 0.23e-12;         // one multiply-accumulate
    double weight_fetch_energy_J = 0.0;     // per weight read from memory
    double exposure_time_s = 72e-9;
    double readout_time_s = 1e-3;           // rolling read-out of the frame
    double macs_per_second = 1e12;          // digital throughput of the classifier
    double optical_energy_J = 0.0;
    bool optical_source_in_systemic = false;
};

void validate(const DigitalEnergyParams& p);
[[nodiscard]] EnergyReport digital_energy(const DigitalEnergyParams& p);

}  // namespace accel::analog
