#include "accel/optics/propagator.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "accel/core/format.hpp"

namespace accel::optics {
namespace {

// Columns are transformed in blocks of this many, copied into contiguous rows: the forward
// column FFT, the product with H and the inverse column FFT then run on data in cache, and
// the padded rows (which are zero on input and discarded on output) are never touched.
constexpr int column_block = 8;

// Spatial frequency of FFT bin k on an m-point grid of width L, in cycles per metre.
double fft_frequency(int k, int m, double width_m) { return (k < (m + 1) / 2 ? k : k - m) / width_m; }

// a[i] *= (re h[i], sign·im h[i]), written out: std::complex's operator* checks for
// inf/NaN (Annex G) through a library call per element, which dominates the product.
template <class Real>
void multiply(std::complex<Real>* a, const std::complex<Real>* h, int count, Real sign) {
    for (int i = 0; i < count; ++i) {
        const Real ar = a[i].real(), ai = a[i].imag();
        const Real hr = h[i].real(), hi = sign * h[i].imag();
        a[i] = std::complex<Real>(ar * hr - ai * hi, ar * hi + ai * hr);
    }
}

}  // namespace

double PropagationGeometry::vacuum_thickness_m() const {
    double slab_m = 0.0;
    for (const Slab& s : slabs) slab_m += s.thickness_m;
    return slabs.empty() ? distance_m : std::max(0.0, distance_m - slab_m);
}

double PropagationGeometry::band_limit_per_m() const {
    if (slabs.empty()) {
        const double ratio = 2.0 * distance_m / padded_width_m();
        return 1.0 / (wavelength_m * std::sqrt(ratio * ratio + 1.0));
    }
    // The walk-off Σ t·f/sqrt(k² − f²) (k = n/λ) grows monotonically in f up to the smallest
    // k, where it diverges: bisect for the f at which it reaches L/2.
    std::vector<Slab> layers = slabs;
    layers.push_back({vacuum_thickness_m(), 1.0});
    double k_min = 1.0 / wavelength_m;
    for (const Slab& s : layers)
        if (s.thickness_m > 0.0) k_min = std::min(k_min, s.refractive_index / wavelength_m);
    const auto walk_off = [&](double f) {
        double w = 0.0;
        for (const Slab& s : layers) {
            const double k = s.refractive_index / wavelength_m;
            if (s.thickness_m > 0.0) w += s.thickness_m * f / std::sqrt(k * k - f * f);
        }
        return w;
    };
    double lo = 0.0, hi = k_min;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * k_min; ++i) {
        const double mid = 0.5 * (lo + hi);
        (walk_off(mid) <= 0.5 * padded_width_m() ? lo : hi) = mid;
    }
    return lo;
}

void validate(const PropagationGeometry& g) {
    validate(g.grid);
    if (!std::isfinite(g.wavelength_m) || !(g.wavelength_m > 0.0) || g.wavelength_m > 1e-3)
        throw std::invalid_argument("wavelength must be in (0, 1e-3] m, got " + core::shortest_text(g.wavelength_m));
    if (!std::isfinite(g.distance_m) || !(g.distance_m > 0.0))
        throw std::invalid_argument("propagation distance must be finite and > 0 m, got " + core::shortest_text(g.distance_m));
    double slab_m = 0.0;
    for (const Slab& s : g.slabs) {
        if (!std::isfinite(s.thickness_m) || !(s.thickness_m >= 0.0))
            throw std::invalid_argument("slab thickness must be finite and ≥ 0 m, got " + core::shortest_text(s.thickness_m));
        if (!std::isfinite(s.refractive_index) || !(s.refractive_index >= 1.0) || s.refractive_index > 10.0)
            throw std::invalid_argument("slab refractive index must be in [1, 10], got " + core::shortest_text(s.refractive_index));
        slab_m += s.thickness_m;
    }
    if (slab_m > g.distance_m * (1.0 + 1e-12))
        throw std::invalid_argument("slabs of " + core::shortest_text(slab_m) + " m do not fit in a gap of " + core::shortest_text(g.distance_m) + " m");
    if (g.pad_px < -1) throw std::invalid_argument("padding must be ≥ 0 pixels per side, got " + std::to_string(g.pad_px));
    if (g.padded_n() > max_padded_grid_px)
        throw std::invalid_argument("padded grid of " + std::to_string(g.padded_n()) + " pixels per side exceeds " +
                                    std::to_string(max_padded_grid_px));
}

template <class Real>
TransferFunction<Real> band_limited_transfer(const PropagationGeometry& g) {
    validate(g);
    TransferFunction<Real> tf;
    tf.geometry = g;
    tf.m = g.padded_n();
    const int m = tf.m;
    const double width = g.padded_width_m();
    const double lambda = g.wavelength_m;
    const double f_lim = g.band_limit_per_m();
    const double scale = 1.0 / (static_cast<double>(m) * m);
    // The layers of the gap: vacuum first (the whole gap without slabs), then each slab.
    struct Layer {
        double index, kz, carrier;
    };
    std::vector<Layer> layers;
    const double vacuum_m = g.vacuum_thickness_m();
    std::vector<Slab> all{{vacuum_m, 1.0}};
    all.insert(all.end(), g.slabs.begin(), g.slabs.end());
    for (const Slab& s : all) {
        if (!(s.thickness_m > 0.0)) continue;
        // k·z is large (≈10⁶ rad at 0.1 m); split it as k·z·sqrt(1−s) = k·z − k·z·s/(1+sqrt(1−s))
        // and reduce each part modulo 2π so the small angular term keeps its precision.
        const double kz = 2.0 * std::numbers::pi * s.thickness_m * s.refractive_index / lambda;
        layers.push_back({s.refractive_index, kz, std::fmod(kz, 2.0 * std::numbers::pi)});
    }
    tf.h_scaled.assign(static_cast<std::size_t>(m) * m, std::complex<Real>(0));
    for (int jx = 0; jx < m; ++jx) {
        const double fx = fft_frequency(jx, m, width);
        if (g.band_limit && std::abs(fx) > f_lim) continue;
        for (int iy = 0; iy < m; ++iy) {
            const double fy = fft_frequency(iy, m, width);
            if (g.band_limit && std::abs(fy) > f_lim) continue;
            const double s0 = lambda * lambda * (fx * fx + fy * fy);
            double phase = 0.0;
            bool evanescent = false;
            for (std::size_t l = 0; l < layers.size(); ++l) {
                const Layer& layer = layers[l];
                const double s = s0 / (layer.index * layer.index);
                if (s >= 1.0) {
                    evanescent = true;
                    break;
                }
                const double delta = std::fmod(layer.kz * s / (1.0 + std::sqrt(1.0 - s)), 2.0 * std::numbers::pi);
                phase = l == 0 ? layer.carrier - delta : phase + (layer.carrier - delta);  // one layer: as without slabs, bit for bit
            }
            if (evanescent) continue;
            tf.h_scaled[static_cast<std::size_t>(jx) * m + iy] =
                std::complex<Real>(static_cast<Real>(scale * std::cos(phase)), static_cast<Real>(scale * std::sin(phase)));
        }
    }
    return tf;
}

template <class Real>
std::shared_ptr<const TransferFunction<Real>> PropagationCache<Real>::transfer(const PropagationGeometry& g) {
    validate(g);
    std::lock_guard lock(mutex_);
    auto& slot = transfers_[g.key()];
    if (!slot) slot = std::make_shared<const TransferFunction<Real>>(band_limited_transfer<Real>(g));
    return slot;
}

template <class Real>
std::shared_ptr<const typename PropagationCache<Real>::Plans> PropagationCache<Real>::plans(int m) {
    std::lock_guard lock(mutex_);
    auto& slot = plans_[m];
    if (!slot) {
        using Dir = typename FftBatch<Real>::Direction;
        constexpr auto apart = FftBatch<Real>::Placement::out_of_place;
        const std::size_t ld = aligned_row_stride(m);
        slot = std::make_shared<const Plans>(Plans{FftBatch<Real>(m, 1, ld, Dir::forward, apart), FftBatch<Real>(m, 1, ld, Dir::backward, apart),
                                                   FftBatch<Real>(m, column_block, ld, Dir::forward, apart),
                                                   FftBatch<Real>(m, column_block, ld, Dir::backward, apart), column_block});
    }
    return slot;
}

template <class Real>
std::size_t PropagationCache<Real>::transfer_count() const {
    std::lock_guard lock(mutex_);
    return transfers_.size();
}

template <class Real>
PropagationWorkspace<Real>::PropagationWorkspace(int n, int m, int threads)
    : rows_(static_cast<std::size_t>(n) * aligned_row_stride(m)),
      columns_(static_cast<std::size_t>(std::max(threads, 1)) * 2 * column_block * aligned_row_stride(m)),
      threads_(std::max(threads, 1)) {}

template <class Real>
Propagator<Real>::Propagator(const PropagationGeometry& g, PropagationCache<Real>& cache, int threads)
    : tf_(cache.transfer(g)), plans_(cache.plans(g.padded_n())), threads_(std::max(threads, 1)) {}

template <class Real>
PropagationWorkspace<Real> Propagator<Real>::make_workspace() const {
    return PropagationWorkspace<Real>(tf_->geometry.grid.n, tf_->m, threads_);
}

template <class Real>
void Propagator<Real>::forward(const complex_type* in, complex_type* out, PropagationWorkspace<Real>& ws) const {
    apply(in, out, ws, false);
}

template <class Real>
void Propagator<Real>::adjoint(const complex_type* in, complex_type* out, PropagationWorkspace<Real>& ws) const {
    apply(in, out, ws, true);
}

template <class Real>
void Propagator<Real>::apply(const complex_type* in, complex_type* out, PropagationWorkspace<Real>& ws, bool conjugate) const {
    const int n = tf_->geometry.grid.n;
    const int m = tf_->m;
    const std::size_t ld = aligned_row_stride(m);
    const int threads = std::min(threads_, ws.threads_);
    complex_type* rows = ws.rows_.data();
    complex_type* column_scratch = ws.columns_.data();
    const complex_type* h = tf_->h_scaled.data();
    const auto& plans = *plans_;
    const int block = plans.column_block;
    const int blocks = (m + block - 1) / block;

    // Each thread owns two blocks of scratch rows, a and b: the transforms run out of place
    // (from a into b and back), and row a[0] doubles as the padded row of steps 1 and 3.
    const auto scratch_of = [&](int thread) { return column_scratch + static_cast<std::size_t>(thread) * 2 * block * ld; };

    // 1. Pad each of the n data rows to m and transform it; rows n..m−1 of the padded grid are
    //    zero, so their transforms are zero and are never computed.
#pragma omp parallel num_threads(threads)
    {
        complex_type* padded = scratch_of(omp_get_thread_num());
        std::fill(padded + n, padded + m, complex_type(0));
#pragma omp for schedule(static)
        for (int r = 0; r < n; ++r) {
            std::copy_n(in + static_cast<std::size_t>(r) * n, n, padded);
            plans.row_forward.execute(padded, rows + static_cast<std::size_t>(r) * ld);
        }
    }

    // 2. Per block of columns: forward column FFT (input rows ≥ n are zero), multiply by H,
    //    inverse column FFT, keep only the n output rows that survive the crop.
#pragma omp parallel num_threads(threads)
    {
        complex_type* a = scratch_of(omp_get_thread_num());
        complex_type* b = a + static_cast<std::size_t>(block) * ld;
#pragma omp for schedule(static)
        for (int blk = 0; blk < blocks; ++blk) {
            const int j0 = blk * block;
            const int width = std::min(block, m - j0);
            for (int c = 0; c < block; ++c) {
                complex_type* col = a + static_cast<std::size_t>(c) * ld;
                std::fill(c < width ? col + n : col, col + m, complex_type(0));
            }
            for (int i = 0; i < n; ++i) {
                const complex_type* src = rows + static_cast<std::size_t>(i) * ld + j0;
                for (int c = 0; c < width; ++c) a[static_cast<std::size_t>(c) * ld + i] = src[c];
            }
            plans.block_forward.execute(a, b);
            for (int c = 0; c < width; ++c) {
                complex_type* col = b + static_cast<std::size_t>(c) * ld;
                const complex_type* hc = h + static_cast<std::size_t>(j0 + c) * m;
                if (conjugate)
                    multiply(col, hc, m, Real(-1));
                else
                    multiply(col, hc, m, Real(1));
            }
            plans.block_backward.execute(b, a);
            for (int i = 0; i < n; ++i) {
                complex_type* dst = rows + static_cast<std::size_t>(i) * ld + j0;
                for (int c = 0; c < width; ++c) dst[c] = a[static_cast<std::size_t>(c) * ld + i];
            }
        }
    }

    // 3. Inverse row transforms of the n kept rows, cropped to n columns.
#pragma omp parallel num_threads(threads)
    {
        complex_type* full = scratch_of(omp_get_thread_num());
#pragma omp for schedule(static)
        for (int r = 0; r < n; ++r) {
            plans.row_backward.execute(rows + static_cast<std::size_t>(r) * ld, full);
            std::copy_n(full, n, out + static_cast<std::size_t>(r) * n);
        }
    }
}

template <class Real>
Field<Real> Propagator<Real>::propagate(const Field<Real>& in) const {
    const auto& g = tf_->geometry;
    if (!(in.grid == g.grid))
        throw std::invalid_argument("field grid (" + std::to_string(in.grid.n) + " px at " + std::to_string(in.grid.pitch_m) +
                                    " m) differs from the propagator's");
    if (std::abs(in.wavelength_m - g.wavelength_m) > 1e-12 * g.wavelength_m)
        throw std::invalid_argument("field wavelength differs from the propagator's");
    if (in.samples.size() != g.grid.size()) throw std::invalid_argument("field has the wrong number of samples");
    Field<Real> out(in.grid, in.wavelength_m);
    auto ws = make_workspace();
    forward(in.samples.data(), out.samples.data(), ws);
    return out;
}

template struct TransferFunction<float>;
template struct TransferFunction<double>;
template TransferFunction<float> band_limited_transfer<float>(const PropagationGeometry&);
template TransferFunction<double> band_limited_transfer<double>(const PropagationGeometry&);
template class PropagationCache<float>;
template class PropagationCache<double>;
template class PropagationWorkspace<float>;
template class PropagationWorkspace<double>;
template class Propagator<float>;
template class Propagator<double>;

}  // namespace accel::optics
