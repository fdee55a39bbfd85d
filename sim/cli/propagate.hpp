#pragma once
// `accel propagate`: the physics workbench. Propagates a named source or a field read from
// HDF5 over a distance with the band-limited angular spectrum method and writes the input
// and output fields (plus provenance) to HDF5, optionally the output intensity as PNG.

#include <string>

#include <CLI/CLI.hpp>

#include "accel/sim/cli/app.hpp"

namespace accel::sim::cli {

struct PropagateOptions {
    // Input: a named source on an n×n grid, or a field file.
    std::string source;        // "gaussian" | "aperture"; empty with --input
    std::string input_path;    // dataset /field (compound {r,i}) with attributes pitch_m, wavelength_m
    int n = 512;
    double pitch_m = 2e-6;
    double wavelength_m = 532e-9;
    double power_W = 1e-3;
    double waist_m = 50e-6;    // gaussian
    double side_m = 200e-6;    // aperture
    double tilt_x_rad = 0.0;   // aperture
    double tilt_y_rad = 0.0;   // aperture
    bool waist_given = false;  // source-specific options given explicitly (checked against --source)
    bool side_given = false;
    bool tilt_given = false;

    // Optics.
    std::string mask_path;  // dataset /phase_rad (n×n, rad), applied at the input plane
    double distance_m = 0.0;
    int pad_px = -1;  // −1: n/2 per side
    bool no_band_limit = false;  // the Matsushima–Shimobaba band limit is on by default
    std::string precision = "double";
    bool allow_sampling_errors = false;
    int threads = 0;  // 0: OpenMP default

    // Output.
    std::string output_path;
    std::string png_path;
    double png_gamma = 1.0;
    bool force = false;
    bool quiet = false;
};

// Registers the subcommand; it runs run_propagate when selected.
void add_propagate(CLI::App& app, const Invocation& invocation);

// Throws InputError (or std::invalid_argument from the library) on bad input.
void run_propagate(const PropagateOptions& options, const Invocation& invocation);

}  // namespace accel::sim::cli
