#pragma once
// Sampling checks, run before any propagation. Each finding states the criterion, the
// numbers that violate it and what to change.

#include <complex>
#include <string>
#include <vector>

#include "optics/detector.hpp"
#include "optics/field.hpp"
#include "optics/propagator.hpp"

namespace accel::optics {

enum class Severity { warning, error };

struct SamplingFinding {
    Severity severity;
    std::string check;    // "transfer_function_aliasing", "window_spread", "detector_outside_window"
    std::string message;  // one line: criterion, numbers, remedy
};

// Transfer-function aliasing. The phase of H, sampled at Δf = 1/L, aliases beyond
// f_lim (Matsushima & Shimobaba 2009). With the band limit on, H is zero there and nothing
// aliases; with it off, f_lim inside the grid's band min(1/(2·pitch), 1/λ) is an error.
std::vector<SamplingFinding> check_transfer_function(const PropagationGeometry& g);

// Window too small for the diffraction spread: the fraction of the input's power whose
// spatial frequencies lie beyond what the padded window can carry to distance z (|fx| or
// |fy| > min(f_lim, 1/λ)). That light would leave the padded window before reaching the
// output plane. Above `error_fraction` it is an error, above `warning_fraction` a warning.
template <class Real>
std::vector<SamplingFinding> check_window_spread(const PropagationGeometry& g, const Field<Real>& input,
                                                 double error_fraction = 1e-2, double warning_fraction = 1e-4);

// Detector areas that extend beyond the grid window.
std::vector<SamplingFinding> check_detectors(const Grid& grid, const std::vector<DetectorArea>& areas);

[[nodiscard]] bool has_error(const std::vector<SamplingFinding>& findings);

}  // namespace accel::optics
