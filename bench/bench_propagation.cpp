// Propagation benchmark: accel's pruned band-limited angular-spectrum propagation against a
// plain FFTW forward+inverse pair over the full padded grid, in the same binary and sitting.
//
//   build/accel_bench --benchmark_filter=Propagation --benchmark_repetitions=5
//
// Geometry as in the PyTorch peer: an N×N complex-float field padded by N/2 px per side to
// 2N×2N, 532 nm, 36 µm pitch, 0.3 m. Arguments: threads, N. BM_PropagationAccel and the
// plain FFTW pair run N = 200 (the peer's 400×400 grid) and N = 400 (800×800);
// BM_PropagationScaling runs N = 128 … 2048 on one thread for the N² log N fit
// (bench/scaling.sh).

#include <benchmark/benchmark.h>
#include <fftw3.h>
#include <omp.h>

#include <complex>
#include <random>
#include <vector>

#include "accel/optics/propagator.hpp"

namespace {

using accel::optics::Grid;
using accel::optics::PropagationCache;
using accel::optics::PropagationGeometry;
using accel::optics::Propagator;

constexpr double pitch_m = 36e-6, wavelength_m = 532e-9, distance_m = 0.3;

std::vector<std::complex<float>> random_field(int size) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<std::complex<float>> f(static_cast<std::size_t>(size) * size);
    for (auto& v : f) v = {u(rng), u(rng)};
    return f;
}

void BM_PropagationAccel(benchmark::State& state) {
    const int t = static_cast<int>(state.range(0));
    const int n = static_cast<int>(state.range(1));
    PropagationCache<float> cache;
    Propagator<float> prop(PropagationGeometry{Grid{n, pitch_m}, wavelength_m, distance_m, n / 2}, cache, t);
    auto ws = prop.make_workspace();
    auto in = random_field(n);
    std::vector<std::complex<float>> out(in.size());
    for (auto _ : state) {
        prop.forward(in.data(), out.data(), ws);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations());
}

// Baseline: what FFTW alone costs for one forward and one inverse transform of the padded
// 2N×2N grid with FFTW's own threading, excluding padding, the product with H and the crop.
void BM_PropagationPlainFftwPair(benchmark::State& state) {
    const int t = static_cast<int>(state.range(0));
    const int m = 2 * static_cast<int>(state.range(1));
    fftwf_init_threads();
    fftwf_plan_with_nthreads(t);
    auto* buf = fftwf_alloc_complex(static_cast<std::size_t>(m) * m);
    fftwf_plan fwd = fftwf_plan_dft_2d(m, m, buf, buf, FFTW_FORWARD, FFTW_MEASURE);
    fftwf_plan inv = fftwf_plan_dft_2d(m, m, buf, buf, FFTW_BACKWARD, FFTW_MEASURE);
    fftwf_plan_with_nthreads(1);  // leave the planner as accel expects it
    auto in = random_field(m);
    std::copy(in.begin(), in.end(), reinterpret_cast<std::complex<float>*>(buf));
    for (auto _ : state) {
        fftwf_execute(fwd);
        fftwf_execute(inv);
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(state.iterations());
    fftwf_destroy_plan(fwd);
    fftwf_destroy_plan(inv);
    fftwf_free(buf);
}

}  // namespace

BENCHMARK(BM_PropagationAccel)->ArgsProduct({{1, 2}, {200, 400}})->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_PropagationPlainFftwPair)->ArgsProduct({{1, 2}, {200, 400}})->Unit(benchmark::kMicrosecond)->UseRealTime();
// The scaling series: one thread, so that the fit sees the transforms and not the threading.
BENCHMARK(BM_PropagationAccel)
    ->Name("BM_PropagationScaling")
    ->ArgsProduct({{1}, {128, 256, 512, 1024, 2048}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

