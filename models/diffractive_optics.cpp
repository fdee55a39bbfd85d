#include "accel/models/diffractive_optics.hpp"

#include <algorithm>
#include <utility>

namespace accel::models {

template <class Real>
DiffractiveOptics<Real>::DiffractiveOptics(const DiffractiveSpec& spec, std::vector<optics::DetectorArea> detectors,
                                           optics::PropagationCache<Real>& cache)
    : stage_(spec.optics, cache),
      detectors_(spec.optics.grid, std::move(detectors)),
      encoder_(spec.image_rows, spec.image_cols, spec.input_window_px > 0 ? spec.input_window_px : spec.optics.grid.n, spec.optics.grid.n),
      encoding_(spec.encoding),
      frame_time_s_(spec.photodiode.integration_time_s) {}

template <class Real>
typename DiffractiveOptics<Real>::Workspace DiffractiveOptics<Real>::make_workspace() const {
    Workspace ws;
    const std::size_t n2 = stage_.spec().grid.size();
    ws.input.resize(n2);
    ws.stage = stage_.make_workspace();
    ws.power_W.resize(static_cast<std::size_t>(detectors_.count()));
    ws.dloss_dintensity.resize(n2);
    ws.gradient_field.resize(n2);
    ws.phase_gradient.assign(static_cast<std::size_t>(stage_.layers()), std::vector<double>(n2));
    return ws;
}

template <class Real>
void DiffractiveOptics<Real>::forward(std::span<const float> image, double frame_energy_J,
                                      std::span<const std::vector<complex_type>> masks, Workspace& ws) const {
    // One coherent problem: a laser line, spatially coherent (the default light). A source
    // with a spectrum or with partial spatial coherence is a sum of independent coherent
    // problems (wavelength samples weighted by the spectrum and the photodiodes' quantum
    // efficiency; coherent modes or random-phase realisations of a partially coherent source):
    // this is where they loop, each encoded with its own amplitude, sent through this same
    // stage (at its own wavelength) with its own stage workspace kept for backward(), and
    // their detector powers added, since independent problems add in power, not in field.
    // backward() then loops over the same problems and adds their phase gradients.
    const auto& o = stage_.spec();
    if (frame_energy_J > 0.0) {
        datasets::encode_at_light_level<Real>(encoder_, image, ws.input, o.grid.pitch_m, o.wavelength_m, frame_time_s_,
                                              {datasets::LightLevel::total_energy_J, frame_energy_J}, encoding_);
    } else {
        encoder_.encode<Real>(image, ws.input, 1.0, encoding_);
    }
    stage_.forward(ws.input, masks, ws.stage);
    detectors_.integrate(ws.stage.field.data(), ws.power_W.data());
}

template <class Real>
void DiffractiveOptics<Real>::backward(std::span<const double> dloss_dpower, std::span<const std::vector<complex_type>> masks,
                                       Workspace& ws) const {
    // P_k = Σ_p A_kp·|u_p|²  →  g_u = 2·(Σ_k A_kp·∂L/∂P_k)·u_p at the detector plane; then
    // back through the stage to the masks. With several coherent problems (see forward()),
    // these two calls run once per problem after the zeroing, each adding its share to
    // ws.phase_gradient, since the powers of the problems add.
    detectors_.intensity_backward<Real>(ws.stage.field, dloss_dpower, ws.dloss_dintensity, ws.gradient_field);
    for (auto& pg : ws.phase_gradient) std::fill(pg.begin(), pg.end(), 0.0);
    stage_.backward(ws.gradient_field, masks, ws.stage, ws.phase_gradient);
}

template class DiffractiveOptics<float>;
template class DiffractiveOptics<double>;

}  // namespace accel::models
