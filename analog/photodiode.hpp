#pragma once
// Photodiode: photocurrent I = R·P + I_dark with R = q·η·λ/(h·c), integrated over the
// integration time into a charge, counted in electrons. Noise is drawn on that charge, never
// on optical power: photon shot noise and dark-current shot noise as Poisson counts of
// electrons, and Johnson noise of a shunt resistance where one exists.

#include <cmath>
#include <limits>
#include <span>

#include "accel/core/random_stream.hpp"

namespace accel::analog {

struct PhotodiodeParams {
    double wavelength_m = 532e-9;
    double quantum_efficiency = 0.6;   // electrons per incident photon, in (0, 1]
    double dark_current_A = 1e-15;
    double integration_time_s = 62e-9;
    double capacitance_F = 10e-15;     // junction capacitance, reset every frame
    double shunt_resistance_ohm = std::numeric_limits<double>::infinity();  // ∞: no resistor, no Johnson noise
    double temperature_K = 300.0;
};

// std::invalid_argument naming the member and its allowed range.
void validate(const PhotodiodeParams& p);

// Which non-idealities a read-out has. Per frame: drawn afresh at every integration. Per
// chip: drawn once per simulated chip (mismatch, offsets). Clipping is no noise but the
// lines' range: off, a line integrates without bound (the photon limit's ideal electronics).
struct NoiseSwitches {
    bool shot = true;     // photon shot noise
    bool dark = true;     // dark current (mean and its shot noise)
    bool thermal = true;  // Johnson noise of the shunt resistance
    bool reset = true;    // kT/C reset noise of the computing lines
    bool pixel_gain = true;         // per-chip photodiode gain mismatch
    bool weight_path = true;        // per-chip mismatch of each weight switch path
    bool line_capacitance = true;   // per-chip mismatch of the computing lines' capacitance
    bool comparator_offset = true;  // per-chip comparator offsets
    bool clipping = true;           // lines clip at the supply
    double gaussian_above_e = 1e6;  // Poisson counts above this mean use the normal approximation

    // No noise and no mismatch; the lines still clip (the chip's range is no noise).
    static NoiseSwitches none() {
        NoiseSwitches n;
        n.shot = n.dark = n.thermal = n.reset = false;
        n.pixel_gain = n.weight_path = n.line_capacitance = n.comparator_offset = false;
        return n;
    }
    // The photon limit: photon shot noise alone, on lines that never clip.
    static NoiseSwitches photon_limit() {
        NoiseSwitches n = none();
        n.shot = true;
        n.clipping = false;
        return n;
    }
};

// R = q·η·λ/(h·c), A/W.
[[nodiscard]] double responsivity_A_per_W(const PhotodiodeParams& p);
// Mean photo-electrons collected in one integration from optical power P (W).
[[nodiscard]] double mean_signal_e(const PhotodiodeParams& p, double power_W);
// Mean dark electrons in one integration.
[[nodiscard]] double mean_dark_e(const PhotodiodeParams& p);
// Standard deviation of the integrated Johnson-noise charge, electrons:
// Var Q = (S_I/2)·t with the one-sided current noise density S_I = 4kT/R, so σ = sqrt(2kTt/R)/q.
[[nodiscard]] double thermal_sigma_e(const PhotodiodeParams& p);

// What a frame's photodiode values are: the optical power (W) the optics deliver, or the
// mean photo-electrons of one integration, mean_signal_e of that power (dark electrons
// excluded; a lab's measured charges averaged over repeated integrations of the image). Noise
// is drawn on either in the same way; measured-frames files (docs/hdf5-schema.md) hold the latter.
enum class FrameUnit { power_W, signal_e };

// One integration of one photodiode: the collected charge in electrons, with the noise terms
// `noise` switches on, drawn from the frame stream; from its power, or from its mean signal
// electrons (the first is the second of mean_signal_e(p, power_W)).
[[nodiscard]] double photodiode_charge_e(const PhotodiodeParams& p, double power_W, const NoiseSwitches& noise,
                                         core::RandomStream& frame);
[[nodiscard]] double photodiode_charge_from_signal_e(const PhotodiodeParams& p, double signal_e, const NoiseSwitches& noise,
                                                     core::RandomStream& frame);

// The charge of one integration in the reparameterised (Gaussian) form that noise-aware
// training differentiates through: Q = μ + sqrt(μ)·ε with ε ~ N(0, 1) when shot noise is on
// (μ = the mean signal plus dark electrons), else Q = μ + sqrt(μ_dark)·ε (the dark current's
// own shot noise, which NoiseSwitches::dark switches with the dark current), plus the thermal
// charge when it is on. `dcharge_dmean` is ∂Q/∂μ for the backward pass (Kingma & Welling,
// "Auto-encoding variational Bayes", ICLR 2014, for the reparameterisation).
struct ReparameterisedCharge {
    double charge_e = 0.0;
    double dcharge_dmean = 1.0;
};
[[nodiscard]] ReparameterisedCharge reparameterised_charge_e(const PhotodiodeParams& p, double mean_e, double dark_e,
                                                             const NoiseSwitches& noise, core::RandomStream& frame);

// How the charges of a frame are drawn: the noise-free means (no draw), exact counts
// (photodiode_charge_e, as the chip integrates), or the reparameterised Gaussian form
// (reparameterised_charge_e, which noise-aware training differentiates through).
enum class ChargeSampling { noise_free, exact, reparameterised };

// The charges (electrons) of one frame's photodiodes or detector regions from their powers
// (W), drawn from `frame` in that order; `dcharge_dmean` gets ∂Q/∂μ (1 unless
// reparameterised), with the mean μ_k = κ·P_k + μ_dark, κ = mean_signal_e(p, 1 W) and the
// dark electrons only when drawing with `noise.dark` on. The read-outs of the diffractive
// models all take their charges from here, so they share one noise model. With
// FrameUnit::signal_e the values are the mean signal electrons s_k and μ_k = s_k + μ_dark.
void frame_charges_e(const PhotodiodeParams& p, const NoiseSwitches& noise, ChargeSampling sampling, std::span<const double> power_W,
                     core::RandomStream& frame, std::span<double> charge_e, std::span<double> dcharge_dmean);
void frame_charges_e(const PhotodiodeParams& p, const NoiseSwitches& noise, ChargeSampling sampling, std::span<const double> values,
                     FrameUnit unit, core::RandomStream& frame, std::span<double> charge_e, std::span<double> dcharge_dmean);

}  // namespace accel::analog
