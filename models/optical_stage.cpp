#include "accel/models/optical_stage.hpp"

#include <cmath>
#include <stdexcept>

namespace accel::models {

optics::PropagationGeometry OpticalStageSpec::gap(int layer) const {
    const auto l = static_cast<std::size_t>(layer);
    optics::PropagationGeometry g{grid, wavelength_m, distances_m.at(l), pad_px, band_limit};
    if (!slabs.empty()) g.slabs = slabs.at(l);
    return g;
}
namespace {

// Written out: std::complex's operator* handles inf/NaN (Annex G) through a library call.
template <class Real>
std::complex<Real> multiply(std::complex<Real> a, std::complex<Real> b) {
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

}  // namespace

template <class Real>
OpticalStage<Real>::OpticalStage(const OpticalStageSpec& spec, optics::PropagationCache<Real>& cache) : spec_(spec) {
    if (spec.distances_m.empty()) throw std::invalid_argument("optical stage needs at least one mask");
    if (!spec.slabs.empty() && spec.slabs.size() != spec.distances_m.size())
        throw std::invalid_argument("optical stage: slabs are given for " + std::to_string(spec.slabs.size()) + " gaps, the stage has " +
                                    std::to_string(spec.distances_m.size()));
    for (int l = 0; l < static_cast<int>(spec.distances_m.size()); ++l) propagators_.emplace_back(spec.gap(l), cache, 1);
    if (spec.input_distance_m < 0.0) throw std::invalid_argument("optical stage: the input distance must be ≥ 0");
    if (spec.input_distance_m > 0.0)
        input_propagator_.emplace(optics::PropagationGeometry{spec.grid, spec.wavelength_m, spec.input_distance_m, spec.pad_px, spec.band_limit},
                                  cache, 1);
}

template <class Real>
typename OpticalStage<Real>::Workspace OpticalStage<Real>::make_workspace() const {
    Workspace ws;
    const std::size_t size = spec_.grid.size();
    ws.v.assign(propagators_.size(), std::vector<complex_type>(size));
    ws.field.resize(size);
    ws.scratch.resize(size);
    for (const auto& p : propagators_) ws.propagation.push_back(p.make_workspace());
    if (input_propagator_) {
        ws.at_first_mask.resize(size);
        ws.input_propagation.emplace(input_propagator_->make_workspace());
    }
    return ws;
}

template <class Real>
void OpticalStage<Real>::forward(std::span<const complex_type> input, std::span<const std::vector<complex_type>> masks,
                                 Workspace& ws) const {
    const std::size_t size = spec_.grid.size();
    const complex_type* u = input.data();
    if (input_propagator_) {
        input_propagator_->forward(u, ws.at_first_mask.data(), *ws.input_propagation);
        u = ws.at_first_mask.data();
    }
    for (std::size_t l = 0; l < propagators_.size(); ++l) {
        complex_type* v = ws.v[l].data();
        const complex_type* t = masks[l].data();
        for (std::size_t i = 0; i < size; ++i) v[i] = multiply(u[i], t[i]);
        propagators_[l].forward(v, ws.field.data(), ws.propagation[l]);
        u = ws.field.data();
    }
}

template <class Real>
void OpticalStage<Real>::backward(std::span<const complex_type> detector_gradient, std::span<const std::vector<complex_type>> masks,
                                  Workspace& ws, std::span<std::vector<double>> phase_gradients) const {
    const std::size_t size = spec_.grid.size();
    std::copy(detector_gradient.begin(), detector_gradient.end(), ws.scratch.begin());
    for (std::size_t l = propagators_.size(); l-- > 0;) {
        // g_v = P† g_u(l+1), in place in scratch.
        propagators_[l].adjoint(ws.scratch.data(), ws.scratch.data(), ws.propagation[l]);
        const complex_type* v = ws.v[l].data();
        const complex_type* t = masks[l].data();
        double* grad = phase_gradients[l].data();
        complex_type* g = ws.scratch.data();
        for (std::size_t i = 0; i < size; ++i) {
            // v = t·u with t = e^{iφ}: δv = i·v·δφ, so ∂L/∂φ = Re(conj(g_v)·i·v) = Im(g_v·conj(v)).
            grad[i] += static_cast<double>(g[i].imag() * v[i].real() - g[i].real() * v[i].imag());
            // g_u = conj(t)·g_v, the gradient at the plane before this mask.
            if (l > 0) g[i] = multiply(g[i], std::conj(t[i]));
        }
    }
}

template class OpticalStage<float>;
template class OpticalStage<double>;

}  // namespace accel::models
