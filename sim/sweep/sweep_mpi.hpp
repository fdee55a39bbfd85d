#pragma once
// Distributing sweep points over MPI ranks (built with -DACCEL_MPI=ON; without it every
// function here is the single-process case and the build has no MPI dependency).
//
// Scheme: rank 0 coordinates and also computes. Its main thread hands out point indices to
// whichever rank asks next (so uneven point costs balance themselves): one at a time until a
// rank has reported what a point costs it, then batches of about 0.1 s of work (never more
// than a share of what is left), so that cheap points (run = energy) are not held up by one
// message round trip each while slow ones still go out one at a time. It receives
// the results and passes them to the caller, which writes the file; a second thread of
// rank 0 computes points like any other rank. Only rank 0's main thread calls MPI
// (MPI_THREAD_FUNNELED). A point's result does not depend on the rank that computed it,
// so the file equals the serial run's.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "accel/sim/sweep/sweep_file.hpp"

namespace accel::sim::mpi {

// Initialises MPI (when built with it) for the lifetime of the object; a process started
// without an MPI launcher (mpirun, mpiexec, srun) is a world of one and leaves MPI alone.
class Session {
public:
    Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    [[nodiscard]] int rank() const { return rank_; }
    [[nodiscard]] int size() const { return size_; }

private:
    int rank_ = 0;
    int size_ = 1;
    bool initialised_ = false;
};

// Whether this build can distribute (ACCEL_MPI).
[[nodiscard]] bool built_with_mpi();

// Rank 0's vector to every rank (collective).
void broadcast(const Session& s, std::vector<double>& values);

// Computes every point of `todo` on some rank (collective). On rank 0, `on_result` receives
// each result, in the order they complete, from rank 0's calling thread; on other ranks it is
// never called. An exception from `compute` on rank 0 propagates; on another rank it goes to
// `report_error` ("rank 3: <message>") and the job aborts with exit code 2 (bad input) or 1.
void distribute(const Session& s, const std::vector<std::size_t>& todo, const std::function<PointResult(std::size_t)>& compute,
                const std::function<void(PointResult)>& on_result, const std::function<void(const std::string&)>& report_error);

// Ends every rank with `exit_code` (MPI_Abort in a world of several; std::exit otherwise).
[[noreturn]] void abort_all(const Session& s, int exit_code);

}  // namespace accel::sim::mpi
