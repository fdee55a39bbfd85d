#pragma once
// FFTW plans for the padded, pruned 2-D transform used by angular-spectrum propagation.
// FFTW's header stays in fft.cpp; callers see plain complex pointers.
//
// Layout: a field of n×n samples is propagated on an m×m padded grid (m ≥ n). The data sit
// in the first n rows and n columns of the padded grid (zero elsewhere); because the
// propagation is a circular convolution, this is equivalent to centring them and saves index
// arithmetic. Rows are stored with a leading dimension `row_stride` ≥ m chosen so that every
// row is aligned for SIMD, which lets one plan execute on any row (new-array execute).

#include <complex>
#include <cstddef>
#include <memory>
#include <string>

namespace accel::optics {

// 64-byte aligned buffer of complex samples, allocated with fftw_malloc.
template <class Real>
class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t count);
    AlignedBuffer(AlignedBuffer&& o) noexcept : data_(o.data_), size_(o.size_) { o.data_ = nullptr; o.size_ = 0; }
    AlignedBuffer& operator=(AlignedBuffer&& o) noexcept;
    AlignedBuffer(const AlignedBuffer&) = delete;
    AlignedBuffer& operator=(const AlignedBuffer&) = delete;
    ~AlignedBuffer();

    std::complex<Real>* data() { return data_; }
    const std::complex<Real>* data() const { return data_; }
    [[nodiscard]] std::size_t size() const { return size_; }

private:
    std::complex<Real>* data_ = nullptr;
    std::size_t size_ = 0;
};

// A batch of `howmany` contiguous 1-D complex transforms of length m whose starts are
// `distance` elements apart, forward (e^{-i}) or backward (e^{+i}), unnormalised, in place or
// from one array into another. Plans are made once (FFTW_ESTIMATE: deterministic across
// processes) and executed with new-array execute, which FFTW guarantees to be thread-safe;
// only planning is serialised. Out of place is faster: FFTW runs an in-place plan of these
// sizes as a copy into a buffer, the out-of-place algorithm, and a copy back.
template <class Real>
class FftBatch {
public:
    enum class Direction { forward, backward };
    enum class Placement { in_place, out_of_place };
    FftBatch(int m, int howmany, std::size_t distance, Direction dir, Placement placement = Placement::in_place);
    FftBatch(FftBatch&&) noexcept;
    FftBatch& operator=(FftBatch&&) noexcept;
    ~FftBatch();

    // In-place plans. `data` must be aligned like AlignedBuffer and hold howmany rows at the
    // planned distance.
    void execute(std::complex<Real>* data) const;
    // Out-of-place plans: `in` and `out` distinct, each aligned and laid out like `data`
    // above; `in` is left unchanged.
    void execute(const std::complex<Real>* in, std::complex<Real>* out) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Leading dimension for rows of m complex samples: m rounded up to a multiple of 8, so that
// every row starts on a 64-byte boundary in float and double, plus 8 more for long rows
// (m ≥ 2048) when that is a multiple of 64. Reading a block of columns touches one line per
// row; with such a stride (every large power-of-two grid) those lines fall into a few cache
// sets and evict each other, which made a 4096² grid a third slower per sample than the
// N² log N cost of its transforms (bench/scaling.sh). Shorter rows measured faster unpadded.
inline std::size_t aligned_row_stride(int m) {
    const std::size_t rounded = (static_cast<std::size_t>(m) + 7u) / 8u * 8u;
    return rounded >= 2048u && rounded % 64u == 0 ? rounded + 8u : rounded;
}

// Version string of the FFTW library in use (for provenance records).
std::string fftw_library_version();

}  // namespace accel::optics
