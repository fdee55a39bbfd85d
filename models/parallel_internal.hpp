#pragma once
// The loop the trainer and the adaptation share: body(i, thread) for i in [0, count) over
// `threads` OpenMP threads. An exception in any iteration is rethrown after the parallel
// region (none may escape it).

#include <omp.h>

#include <exception>

namespace accel::models {

template <class Body>
void parallel_for(int count, int threads, Body&& body) {
    std::exception_ptr error;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (int i = 0; i < count; ++i) {
        try {
            body(i, omp_get_thread_num());
        } catch (...) {
#pragma omp critical(accel_models_parallel_error)
            if (!error) error = std::current_exception();
        }
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace accel::models
