#pragma once
// The diffractive stack: an input field passes L phase masks, each followed by free-space
// propagation to the next plane (the last to the detector plane):
//
//   u_0 = P_in input,  v_l = t_l ⊙ u_l,  u_{l+1} = P_l v_l,  t_l = exp(i·φ_l),  l = 0 … L−1,
//
// where P_in, the propagation from the input plane to the first mask, is the identity when
// the image is written on the first mask (input distance 0). The input is not trained, so
// the backward pass stops at the first mask and never needs P_in†.
//
// The backward pass follows the adjoint method with the convention g = 2·∂L/∂u* (so that
// δL = Re Σ conj(g)·δu for a real loss L): g_v = P† g_{u_{l+1}}, g_{u_l} = conj(t_l) ⊙ g_v,
// and ∂L/∂φ_l = Re(conj(g_v)·i·v_l) = Im(g_v·conj(v_l)). The masks enter as transmissions
// t_l, computed once per optimisation step by the model, not per image.

#include <complex>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "accel/optics/propagator.hpp"

namespace accel::models {

struct OpticalStageSpec {
    optics::Grid grid;                 // mask grid: every plane is sampled on it
    double wavelength_m = 532e-9;
    std::vector<double> distances_m;   // after each mask; one mask per entry
    double input_distance_m = 0.0;     // input plane to the first mask; 0: the input lies on it
    int pad_px = -1;
    bool band_limit = true;
    // Homogeneous slabs in the gap after each mask (a glass plate before the sensor); empty,
    // or one list per entry of distances_m, each within its gap.
    std::vector<std::vector<optics::Slab>> slabs;

    // The propagation of gap `layer` (after mask `layer`).
    [[nodiscard]] optics::PropagationGeometry gap(int layer) const;
};

template <class Real>
class OpticalStage {
public:
    using complex_type = std::complex<Real>;

    // Workspace of one image in flight: the fields at each mask (kept for the backward pass).
    struct Workspace {
        std::vector<std::vector<complex_type>> v;  // v_l = t_l ⊙ u_l, per layer
        std::vector<complex_type> field;           // current field (n²)
        std::vector<complex_type> scratch;
        std::vector<complex_type> at_first_mask;  // P_in input (used only with an input distance)
        std::vector<optics::PropagationWorkspace<Real>> propagation;
        std::optional<optics::PropagationWorkspace<Real>> input_propagation;
    };

    OpticalStage(const OpticalStageSpec& spec, optics::PropagationCache<Real>& cache);

    [[nodiscard]] const OpticalStageSpec& spec() const { return spec_; }
    [[nodiscard]] int layers() const { return static_cast<int>(propagators_.size()); }
    [[nodiscard]] int n() const { return spec_.grid.n; }
    [[nodiscard]] Workspace make_workspace() const;

    // Propagates `input` (n²) through the masks of transmission `masks[l]` (n² each,
    // exp(i·φ_l)); the detector-plane field ends in ws.field.
    void forward(std::span<const complex_type> input, std::span<const std::vector<complex_type>> masks, Workspace& ws) const;

    // Given g at the detector plane (n², 2·∂L/∂u*), adds ∂L/∂φ_l to phase_gradients[l].
    // Uses the fields stored by the last forward on the same workspace.
    void backward(std::span<const complex_type> detector_gradient, std::span<const std::vector<complex_type>> masks,
                  Workspace& ws, std::span<std::vector<double>> phase_gradients) const;

private:
    OpticalStageSpec spec_;
    std::vector<optics::Propagator<Real>> propagators_;
    std::optional<optics::Propagator<Real>> input_propagator_;
};

}  // namespace accel::models
