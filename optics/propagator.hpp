#pragma once
// Band-limited angular-spectrum propagation (Matsushima & Shimobaba, Opt. Express 17,
// 19662, 2009) between parallel planes, in free space or through homogeneous slabs.
//
//   U_z = crop( F⁻¹[ H · F[pad(U_0)] ] ),  H(fx,fy) = exp(i·2π·z·sqrt(1/λ² − fx² − fy²))
//
// H is zero for evanescent components and outside the band limit
// f_lim = 1/(λ·sqrt((2z/L)² + 1)), L the padded window width; inside the cropped window
// the result then equals the linear convolution with the band-limited kernel (no
// wrap-around), provided the padding is at least N/2 per side (padded window ≥ 2N).
//
// A gap may hold homogeneous slabs parallel to the planes (a glass plate before the
// sensor): slab i of thickness t_i and index n_i, the rest of the gap, z − Σt_i, in vacuum
// (n = 1; air's 1.0003 is neglected). A plane wave's transverse frequency is conserved across
// each interface, so the transfer functions multiply (and commute, so the slabs' order in the
// gap does not matter): H = Π_i exp(i·2π·t_i·sqrt(n_i²/λ² − f²)). Fresnel reflection at the
// interfaces is neglected (3.5 % per face at normal incidence for n = 1.46; an
// anti-reflection coating is assumed). The band limit follows the same sampling criterion:
// the kernel's lateral walk-off Σ_i t_i·f/sqrt(n_i²/λ² − f²) stays within L/2, solved for
// f_lim by bisection (with one layer in vacuum it is the closed form above).

#include <complex>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "accel/optics/fft.hpp"
#include "accel/optics/field.hpp"
#include "accel/optics/grid.hpp"

namespace accel::optics {

// Largest padded grid side the propagator takes (px): 32768² complex doubles are 16 GiB per plane.
inline constexpr int max_padded_grid_px = 32768;

// A homogeneous layer within a gap.
struct Slab {
    double thickness_m = 0;
    double refractive_index = 1;  // at the propagation's wavelength
    auto operator<=>(const Slab&) const = default;
};

// Everything that determines a transfer function.
struct PropagationGeometry {
    Grid grid;                 // the n×n plane (input and output)
    double wavelength_m = 0;   // vacuum wavelength
    double distance_m = 0;     // plane separation, > 0
    int pad_px = -1;           // zero padding per side; −1 means the default n/2 (padded window 2N)
    bool band_limit = true;    // Matsushima–Shimobaba band limit; off only to study aliasing
    std::vector<Slab> slabs = {};  // within distance_m (their thicknesses sum to at most it); the rest is vacuum

    [[nodiscard]] double vacuum_thickness_m() const;

    [[nodiscard]] int padding_px() const { return pad_px < 0 ? (grid.n + 1) / 2 : pad_px; }
    [[nodiscard]] int padded_n() const { return grid.n + 2 * padding_px(); }
    [[nodiscard]] double padded_width_m() const { return padded_n() * grid.pitch_m; }
    // f_lim of the band limit, cycles per metre.
    [[nodiscard]] double band_limit_per_m() const;

    auto key() const { return std::make_tuple(grid.n, grid.pitch_m, wavelength_m, distance_m, padding_px(), band_limit, slabs); }
};

// Throws std::invalid_argument naming the bad quantity (distance ≤ 0, non-finite, ...).
void validate(const PropagationGeometry& g);

// H on the m×m padded frequency grid, already scaled by 1/m² so that unnormalised
// forward and backward FFTs give a correctly normalised propagation.
// Stored column-major (index fx_index·m + fy_index), the order in which it is applied.
template <class Real>
struct TransferFunction {
    PropagationGeometry geometry;
    int m = 0;
    std::vector<std::complex<Real>> h_scaled;
};

template <class Real>
TransferFunction<Real> band_limited_transfer(const PropagationGeometry& g);

// Transfer functions and FFT plans shared between propagators: built once per
// (grid, λ, z, padding) and per padded size respectively. Thread-safe. Owned by whoever
// composes a model; there is no global instance.
template <class Real>
class PropagationCache {
public:
    std::shared_ptr<const TransferFunction<Real>> transfer(const PropagationGeometry& g);

    struct Plans {
        FftBatch<Real> row_forward, row_backward;        // one row of length m, out of place
        FftBatch<Real> block_forward, block_backward;    // column_block columns, stored as rows, out of place
        int column_block;
    };
    std::shared_ptr<const Plans> plans(int m);

    [[nodiscard]] std::size_t transfer_count() const;

private:
    mutable std::mutex mutex_;
    std::map<decltype(PropagationGeometry{}.key()), std::shared_ptr<const TransferFunction<Real>>> transfers_;
    std::map<int, std::shared_ptr<const Plans>> plans_;
};

// Scratch memory for one propagation at a time; one per thread when propagating in parallel.
template <class Real>
class PropagationWorkspace {
public:
    PropagationWorkspace(int n, int m, int threads);

private:
    template <class> friend class Propagator;
    AlignedBuffer<Real> rows_;     // n rows × row_stride
    AlignedBuffer<Real> columns_;  // threads × 2 × column_block rows × row_stride
    int threads_;
};

template <class Real>
class Propagator {
public:
    using complex_type = std::complex<Real>;

    // `threads` > 1 splits one propagation over OpenMP threads; use 1 when the caller
    // parallelises over images instead.
    Propagator(const PropagationGeometry& g, PropagationCache<Real>& cache, int threads = 1);

    [[nodiscard]] const PropagationGeometry& geometry() const { return tf_->geometry; }
    [[nodiscard]] PropagationWorkspace<Real> make_workspace() const;

    // n×n row-major in → n×n out; `in` and `out` may be the same array. No allocation.
    void forward(const complex_type* in, complex_type* out, PropagationWorkspace<Real>& ws) const;
    // The exact adjoint P† of forward (conj(H), pad and crop swapped): ⟨P u, v⟩ = ⟨u, P† v⟩.
    void adjoint(const complex_type* in, complex_type* out, PropagationWorkspace<Real>& ws) const;

    // Convenience for one-off use: allocates a workspace and the output.
    [[nodiscard]] Field<Real> propagate(const Field<Real>& in) const;

private:
    void apply(const complex_type* in, complex_type* out, PropagationWorkspace<Real>& ws, bool conjugate) const;

    std::shared_ptr<const TransferFunction<Real>> tf_;
    std::shared_ptr<const typename PropagationCache<Real>::Plans> plans_;
    int threads_;
};

}  // namespace accel::optics
