#include "accel/optics/fft.hpp"

#include <fftw3.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

namespace accel::optics {
namespace {

// Buffers from this size on are placed on 2 MiB boundaries and offered to the kernel as
// transparent huge pages: a block of columns of a large grid touches one line in every row,
// each row on its own 4 KiB page, and the page-table walks that costs dominate otherwise.
constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;
constexpr std::size_t huge_buffer_bytes = 2 * huge_page_bytes;

void* allocate_samples(std::size_t bytes) {
    if (bytes < huge_buffer_bytes) return fftw_malloc(bytes);
    const std::size_t rounded = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    void* p = std::aligned_alloc(huge_page_bytes, rounded);
    if (p) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: without huge pages it still works
    return p;
}

void free_samples(void* p, std::size_t bytes) {
    if (bytes < huge_buffer_bytes)
        fftw_free(p);
    else
        std::free(p);
}

// FFTW's planner is not re-entrant (everything but fftw_execute* touches its global state),
// so planning is serialised through this one mutex; execution needs no lock.
std::mutex& planner_mutex() {
    static std::mutex m;
    return m;
}

template <class Real>
struct Api;

template <>
struct Api<float> {
    using plan = fftwf_plan;
    using complex = fftwf_complex;
    static plan plan_many(int rank, const int* n, int howmany, complex* in, const int* inembed, int istride, int idist,
                          complex* out, const int* onembed, int ostride, int odist, int sign, unsigned flags) {
        return fftwf_plan_many_dft(rank, n, howmany, in, inembed, istride, idist, out, onembed, ostride, odist, sign, flags);
    }
    static void execute(plan p, complex* in, complex* out) { fftwf_execute_dft(p, in, out); }
    static void destroy(plan p) { fftwf_destroy_plan(p); }
};

template <>
struct Api<double> {
    using plan = fftw_plan;
    using complex = fftw_complex;
    static plan plan_many(int rank, const int* n, int howmany, complex* in, const int* inembed, int istride, int idist,
                          complex* out, const int* onembed, int ostride, int odist, int sign, unsigned flags) {
        return fftw_plan_many_dft(rank, n, howmany, in, inembed, istride, idist, out, onembed, ostride, odist, sign, flags);
    }
    static void execute(plan p, complex* in, complex* out) { fftw_execute_dft(p, in, out); }
    static void destroy(plan p) { fftw_destroy_plan(p); }
};

}  // namespace

template <class Real>
AlignedBuffer<Real>::AlignedBuffer(std::size_t count) : size_(count) {
    if (count == 0) return;
    data_ = static_cast<std::complex<Real>*>(allocate_samples(count * sizeof(std::complex<Real>)));
    if (!data_) throw std::bad_alloc();
    std::memset(static_cast<void*>(data_), 0, count * sizeof(std::complex<Real>));
}

template <class Real>
AlignedBuffer<Real>& AlignedBuffer<Real>::operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
        if (data_) free_samples(data_, size_ * sizeof(std::complex<Real>));
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
    }
    return *this;
}

template <class Real>
AlignedBuffer<Real>::~AlignedBuffer() {
    if (data_) free_samples(data_, size_ * sizeof(std::complex<Real>));
}

template <class Real>
struct FftBatch<Real>::Impl {
    typename Api<Real>::plan plan = nullptr;
    Placement placement = Placement::in_place;
    ~Impl() {
        if (plan) {
            std::lock_guard lock(planner_mutex());
            Api<Real>::destroy(plan);
        }
    }
};

template <class Real>
FftBatch<Real>::FftBatch(int m, int howmany, std::size_t distance, Direction dir, Placement placement) : impl_(std::make_unique<Impl>()) {
    if (m < 1 || howmany < 1 || distance < static_cast<std::size_t>(m))
        throw std::invalid_argument("FftBatch: need m ≥ 1, howmany ≥ 1 and distance ≥ m");
    impl_->placement = placement;
    // FFTW_ESTIMATE, not FFTW_MEASURE: a measured plan depends on timings, so two processes
    // could pick different algorithms and round differently, and a resumed run or a
    // re-evaluation would no longer reproduce its file bit for bit. The plan is made on
    // memory of the same alignment as the buffers it will later run on.
    const std::size_t size = distance * static_cast<std::size_t>(howmany);
    AlignedBuffer<Real> scratch(size);
    AlignedBuffer<Real> target(placement == Placement::out_of_place ? size : 0);
    auto* in = reinterpret_cast<typename Api<Real>::complex*>(scratch.data());
    auto* out = placement == Placement::out_of_place ? reinterpret_cast<typename Api<Real>::complex*>(target.data()) : in;
    const int dist = static_cast<int>(distance);
    const int sign = dir == Direction::forward ? FFTW_FORWARD : FFTW_BACKWARD;
    std::lock_guard lock(planner_mutex());
    impl_->plan = Api<Real>::plan_many(1, &m, howmany, in, nullptr, 1, dist, out, nullptr, 1, dist, sign, FFTW_ESTIMATE);
    if (!impl_->plan) throw std::runtime_error("FFTW could not create a plan of length " + std::to_string(m));
}

template <class Real>
FftBatch<Real>::FftBatch(FftBatch&&) noexcept = default;
template <class Real>
FftBatch<Real>& FftBatch<Real>::operator=(FftBatch&&) noexcept = default;
template <class Real>
FftBatch<Real>::~FftBatch() = default;

template <class Real>
void FftBatch<Real>::execute(std::complex<Real>* data) const {
    if (impl_->placement != Placement::in_place) throw std::logic_error("FftBatch: an out-of-place plan needs two arrays");
    auto* d = reinterpret_cast<typename Api<Real>::complex*>(data);
    Api<Real>::execute(impl_->plan, d, d);
}

template <class Real>
void FftBatch<Real>::execute(const std::complex<Real>* in, std::complex<Real>* out) const {
    if (impl_->placement != Placement::out_of_place || in == out)
        throw std::logic_error("FftBatch: an in-place plan runs on one array");
    // FFTW's execute takes a non-const input; the plan was made without FFTW_DESTROY_INPUT,
    // so an out-of-place complex transform leaves it unchanged.
    auto* i = reinterpret_cast<typename Api<Real>::complex*>(const_cast<std::complex<Real>*>(in));
    Api<Real>::execute(impl_->plan, i, reinterpret_cast<typename Api<Real>::complex*>(out));
}

std::string fftw_library_version() { return fftw_version; }

template class AlignedBuffer<float>;
template class AlignedBuffer<double>;
template class FftBatch<float>;
template class FftBatch<double>;

}  // namespace accel::optics
