#pragma once
// Small model geometries for gradient and training tests: a 32×32 grid (or so) of 8 µm
// pixels, short distances, a few photodiodes, so a forward pass takes well under a millisecond.

#include "accel/models/accel_model.hpp"

namespace accel::test {

inline models::AccelModelSpec tiny_accel_spec(int layers = 2) {
    models::AccelModelSpec s;
    s.optics.grid = {32, 8e-6};
    s.optics.wavelength_m = 532e-9;
    s.optics.distances_m.assign(static_cast<std::size_t>(layers), 5e-3);
    s.image_rows = 8;
    s.image_cols = 8;
    s.input_window_px = 16;
    s.phase_bits = 0;
    s.detector = {4, 4, 40e-6, 0.5, 0.0, 0.0};
    s.photodiode.integration_time_s = 62e-9;
    s.eac.inputs = 16;
    s.eac.outputs = 3;
    s.eac.output_lines = 3;
    s.eac.line_capacitance_F = 20e-15;
    s.binarise_weights = false;
    return s;
}

}  // namespace accel::test
