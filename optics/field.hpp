#pragma once
// A monochromatic scalar field sampled on a Grid: complex amplitude in sqrt(W)/m
// (so that Σ|u|²·pitch² is the power in W), with its vacuum wavelength.

#include <complex>
#include <vector>

#include "accel/optics/grid.hpp"

namespace accel::optics {

template <class Real>
struct Field {
    using value_type = std::complex<Real>;

    Grid grid;
    double wavelength_m = 0.0;
    std::vector<value_type> samples;  // row-major, grid.size() entries

    Field() = default;
    Field(Grid g, double wavelength) : grid(g), wavelength_m(wavelength), samples(g.size()) {}

    value_type& operator()(int row, int col) { return samples[grid.index(row, col)]; }
    const value_type& operator()(int row, int col) const { return samples[grid.index(row, col)]; }

    // Σ|u|²·pitch²: the power through the plane (W) for amplitudes in sqrt(W)/m.
    [[nodiscard]] double power_W() const {
        double s = 0.0;
        for (const auto& v : samples) s += std::norm(std::complex<double>(v));
        return s * grid.pitch_m * grid.pitch_m;
    }
};

using FieldF = Field<float>;
using FieldD = Field<double>;

// Precision conversion (the float path trains and evaluates; double validates).
template <class To, class From>
Field<To> field_cast(const Field<From>& in) {
    Field<To> out(in.grid, in.wavelength_m);
    for (std::size_t i = 0; i < in.samples.size(); ++i) out.samples[i] = std::complex<To>(in.samples[i]);
    return out;
}

}  // namespace accel::optics
