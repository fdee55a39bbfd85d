#pragma once
// Shared helpers of the optics tests: norms of complex arrays (accumulated in double),
// the analytic paraxial Gaussian beam, and seeded random fields.

#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <vector>

#include "accel/optics/field.hpp"
#include "accel/optics/grid.hpp"

namespace accel::test {

// ‖a − b‖₂ and ‖b‖₂ over equally long arrays; b is the reference.
struct L2Difference {
    double error = 0.0;
    double reference = 0.0;
    [[nodiscard]] double relative() const { return error / reference; }
};

template <class A, class B>
L2Difference l2_difference(std::span<const std::complex<A>> a, std::span<const std::complex<B>> b) {
    double e = 0.0, r = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::complex<double> bi(b[i]);
        e += std::norm(std::complex<double>(a[i]) - bi);
        r += std::norm(bi);
    }
    return {std::sqrt(e), std::sqrt(r)};
}

template <class A, class B>
L2Difference l2_difference(const std::vector<std::complex<A>>& a, const std::vector<std::complex<B>>& b) {
    return l2_difference(std::span<const std::complex<A>>(a), std::span<const std::complex<B>>(b));
}

inline double l2_norm(std::span<const std::complex<double>> a) {
    double s = 0.0;
    for (const auto& v : a) s += std::norm(v);
    return std::sqrt(s);
}

// ⟨a, b⟩ = Σ conj(a)·b.
inline std::complex<double> inner(std::span<const std::complex<double>> a, std::span<const std::complex<double>> b) {
    std::complex<double> s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += std::conj(a[i]) * b[i];
    return s;
}

// exp(i·2π·cycles), reducing `cycles` modulo 1 first so that large optical path lengths
// (z/λ ≈ 10⁵) keep their phase to ~1e-11 rad.
inline std::complex<double> phase_cycles(double cycles) {
    const double frac = cycles - std::floor(cycles);
    return std::polar(1.0, 2.0 * std::numbers::pi * frac);
}

// Paraxial Gaussian beam of waist w0 at z = 0, unit amplitude on axis at the waist, for the
// e^{−iωt} convention (forward wave e^{+ikz}): the exact solution of the paraxial wave
// equation 2ik·∂u/∂z + ∇⊥²u = 0 (Siegman, "Lasers" (1986) ch. 16, with i → −i for this convention)
//   u(r, z) = (q0/q) · e^{ikz} · e^{ik r²/(2q)},  q = z − i·zR,  q0 = −i·zR,  zR = π·w0²/λ;
// q0/q = e^{−i·atan(z/zR)}/sqrt(1 + (z/zR)²) carries the Gouy phase.
inline std::complex<double> gaussian_beam(double x, double y, double z, double waist_m, double wavelength_m) {
    const double k = 2.0 * std::numbers::pi / wavelength_m;
    const double z_r = std::numbers::pi * waist_m * waist_m / wavelength_m;
    const std::complex<double> q(z, -z_r);
    const std::complex<double> q0(0.0, -z_r);
    const std::complex<double> i(0.0, 1.0);
    return q0 / q * phase_cycles(z / wavelength_m) * std::exp(i * k * (x * x + y * y) / (2.0 * q));
}

template <class Real, class F>
optics::Field<Real> sample_field(const optics::Grid& g, double wavelength_m, F&& f) {
    optics::Field<Real> field(g, wavelength_m);
    for (int r = 0; r < g.n; ++r)
        for (int c = 0; c < g.n; ++c) field(r, c) = std::complex<Real>(f(g.x_m(c), g.y_m(r)));
    return field;
}

// Independent standard complex normal samples (white spectrum), reproducible from `seed`.
template <class Real>
std::vector<std::complex<Real>> random_complex(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<std::complex<Real>> out(count);
    for (auto& v : out) {
        const double re = normal(rng);
        const double im = normal(rng);
        v = std::complex<Real>(static_cast<Real>(re), static_cast<Real>(im));
    }
    return out;
}

}  // namespace accel::test
