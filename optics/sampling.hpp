#pragma once
// Sampling checks, run before any propagation. Each finding states the criterion, the
// numbers that violate it and what to change.

#include <complex>
#include <string>
#include <vector>

#include "accel/optics/detector.hpp"
#include "accel/optics/field.hpp"
#include "accel/optics/propagator.hpp"

namespace accel::optics {

enum class Severity { warning, error };

struct SamplingFinding {
    Severity severity;
    std::string check;    // "transfer_function_aliasing", "window_spread", "wrap_around", "detector_outside_window"
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

// Wrap-around of the periodic padded window. The FFT makes the padded window periodic with
// period m = n + 2·pad pixels, so light that walks more than 2·pad pixels (plus its distance
// to the edge) beyond one edge of the window over z re-enters it from the opposite edge. The
// band limit caps the walk-off at L/2 (L = m·pitch), so a padding of n/2 per side or more
// rules this out; below it, a field near an edge or tilted towards it wraps.
//
// The estimate is geometric, in phase space: a plane-wave component (fx, fy) walks
// sideways by z·λ·fx / sqrt(1 − λ²(fx² + fy²)) (its direction cosines), and the Wigner
// distribution of a field is carried along these rays in free space (Bastiaans, JOSA 69,
// 1710, 1979: W_z(x, f) = W_0(x − λz·f, f) paraxially). W_0 is replaced by the product of
// its marginals, the power per column |u(x)|² and the angular spectrum |U(f)|²; that is
// exact for a tilted Gaussian at its waist, an estimate for fields whose local spectrum
// depends on position (hard edges, curved wavefronts). Per axis the wrapped fraction is the
// power whose landing column c + s, taken modulo m, lies in the window while c + s itself
// does not; the two axes are combined as independent events (w = wx + wy − wx·wy).
// Frequencies the band limit removes or that are evanescent carry nothing and count as not
// wrapping. Walk-offs are split linearly between the two nearest whole pixels.
struct WrapAroundEstimate {
    double wrapped_fraction = 0.0;  // of the input power
    int padding_px_needed = -1;     // smallest padding per side estimated to bring it to the tolerated
                                    // fraction; −1 if none up to 4n (band limit off, walk-off too large)
};

template <class Real>
WrapAroundEstimate estimate_wrap_around(const PropagationGeometry& g, const Field<Real>& input,
                                        double tolerated_fraction = 1e-4);

// Without a field (the preflight of a model, before any image exists): light filling the
// grid window evenly with a flat angular spectrum over the whole grid band, which is what a
// mask of independent random phases at the grid pitch sends on. An upper estimate for
// trained masks, which usually scatter into a narrower cone.
WrapAroundEstimate estimate_wrap_around(const PropagationGeometry& g, double tolerated_fraction = 1e-4);

// Warnings (never errors: a periodic field such as a grating wants the wrap-around, with
// padding 0) when the estimated wrapped fraction exceeds `warning_fraction`. Silent without
// the band limit, where check_window_spread already counts all the light beyond the
// wrap-free angle (an error above 1 %).
template <class Real>
std::vector<SamplingFinding> check_wrap_around(const PropagationGeometry& g, const Field<Real>& input,
                                               double warning_fraction = 1e-4);
std::vector<SamplingFinding> check_wrap_around(const PropagationGeometry& g, double warning_fraction = 1e-4);

// Detector areas that extend beyond the grid window.
std::vector<SamplingFinding> check_detectors(const Grid& grid, const std::vector<DetectorArea>& areas);

[[nodiscard]] bool has_error(const std::vector<SamplingFinding>& findings);

}  // namespace accel::optics
