#pragma once
// The optical path of a diffractive classifier, from the image to the detector powers and
// back:
//
//   image ──encoder──> u_0 ──OpticalStage (masks t_l, free-space propagation)──> u_L
//         ──detectors──> P_k = Σ_p A_kp·|u_L,p|²
//
// and the backward pass from ∂L/∂P_k to ∂L/∂φ_l of every mask (adjoint method; docs/physics.md,
// "Gradients, by hand"). This is the one place where the light enters a model: forward() and
// backward() are where a light model with several independent coherent problems plugs in
// (see forward()).

#include <complex>
#include <span>
#include <vector>

#include "accel/datasets/encoding.hpp"
#include "accel/models/diffractive_spec.hpp"
#include "accel/models/optical_stage.hpp"
#include "accel/optics/detector.hpp"

namespace accel::models {

template <class Real>
class DiffractiveOptics {
public:
    using complex_type = std::complex<Real>;

    // One image in flight: what forward() keeps for backward(), and backward()'s results.
    struct Workspace {
        std::vector<complex_type> input;                  // the encoded image on the mask grid
        typename OpticalStage<Real>::Workspace stage;     // fields at each mask; ends with the detector-plane field
        std::vector<double> power_W;                      // detector powers of the last forward()
        std::vector<double> dloss_dintensity;             // ∂L/∂|u_p|², scratch of backward()
        std::vector<complex_type> gradient_field;         // 2·∂L/∂u* at the detector plane, scratch of backward()
        std::vector<std::vector<double>> phase_gradient;  // ∂L/∂φ_l per mask, written by backward()
    };

    // `detectors`: the photodiodes or class regions on the detector plane, in read-out order.
    DiffractiveOptics(const DiffractiveSpec& spec, std::vector<optics::DetectorArea> detectors, optics::PropagationCache<Real>& cache);

    [[nodiscard]] const OpticalStage<Real>& stage() const { return stage_; }
    [[nodiscard]] const optics::DetectorIntegrator& detectors() const { return detectors_; }
    [[nodiscard]] Workspace make_workspace() const;

    // Detector powers (W) of one image into ws.power_W, through masks of transmission
    // `masks[l]`; the image carries `frame_energy_J` at the input (0: unit amplitude scale).
    void forward(std::span<const float> image, double frame_energy_J, std::span<const std::vector<complex_type>> masks,
                 Workspace& ws) const;

    // Given ∂L/∂P_k of the powers of the last forward() on `ws`, writes ∂L/∂φ_l of every mask
    // into ws.phase_gradient.
    void backward(std::span<const double> dloss_dpower, std::span<const std::vector<complex_type>> masks, Workspace& ws) const;

private:
    OpticalStage<Real> stage_;
    optics::DetectorIntegrator detectors_;
    datasets::ImageEncoder encoder_;
    datasets::Encoding encoding_;
    double frame_time_s_;  // the time over which the frame energy arrives: the photodiodes' integration time
};

}  // namespace accel::models
