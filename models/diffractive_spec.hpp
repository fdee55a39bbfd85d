#pragma once
// What every diffractive classifier has in common, whatever its read-out: how the image is
// written onto the first plane, the optical stage, the phase masks, and the photodiodes that
// turn detector power into charge. The ACCEL and D2NN specs extend it with their read-out.

#include "accel/analog/photodiode.hpp"
#include "accel/datasets/encoding.hpp"
#include "accel/models/optical_stage.hpp"

namespace accel::models {

struct DiffractiveSpec {
    OpticalStageSpec optics;
    int image_rows = 28, image_cols = 28;
    int input_window_px = 0;  // side of the image window on the mask grid; 0: the whole grid
    datasets::Encoding encoding = datasets::Encoding::amplitude;
    int phase_bits = 0;       // 0: continuous phase
    analog::PhotodiodeParams photodiode;  // converts detector power to charge
    analog::NoiseSwitches noise;          // which terms `Conditions::noise` switches on
    // Learning-rate scale of the phase blocks relative to the optimiser's rate.
    double phase_learning_rate_scale = 1.0;
    bool zero_initial_phase = false;  // start from flat masks instead of uniform random phases
};

}  // namespace accel::models
