#include "accel/sim/sweep/sweep_mpi.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "accel/core/errors.hpp"

#ifdef ACCEL_MPI
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <span>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#endif

namespace accel::sim::mpi {

bool built_with_mpi() {
#ifdef ACCEL_MPI
    return true;
#else
    return false;
#endif
}

namespace {

// The single-process case: compute in order, hand over each result.
void distribute_serially(const std::vector<std::size_t>& todo, const std::function<PointResult(std::size_t)>& compute,
                         const std::function<void(PointResult)>& on_result) {
    for (const std::size_t p : todo) on_result(compute(p));
}


}  // namespace

#ifndef ACCEL_MPI

Session::Session() = default;
Session::~Session() = default;
void broadcast(const Session&, std::vector<double>&) {}
void distribute(const Session&, const std::vector<std::size_t>& todo, const std::function<PointResult(std::size_t)>& compute,
                const std::function<void(PointResult)>& on_result, const std::function<void(const std::string&)>&) {
    distribute_serially(todo, compute, on_result);
}
void abort_all(const Session&, int exit_code) { std::exit(exit_code); }

#else

namespace {

// Message tags: a worker's result (or its first "ready", an empty message), the next point
// for a worker (-1: no more work).
constexpr int tag_result = 1;
constexpr int tag_work = 2;

void check(int rc, const char* what) {
    if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}

int exit_code_of(const std::exception& e) {
    return dynamic_cast<const InputError*>(&e) != nullptr ? 2 : 1;  // as the command line maps them
}

// A batch of points for a worker; empty: no more work.
void send_work(int rank, const std::vector<long long>& points) {
    check(MPI_Send(points.data(), static_cast<int>(points.size()), MPI_LONG_LONG, rank, tag_work, MPI_COMM_WORLD), "send");
}

// Ranks ≥ 1: ask for work, compute the batch, send its results (with the seconds a point
// took, which sizes the next batch), until told to stop. A result message is
// [seconds per point, (packed length, packed result)...]; an empty one asks for the first batch.
void work(const std::function<PointResult(std::size_t)>& compute) {
    std::vector<double> message;
    std::vector<long long> batch;
    for (;;) {
        check(MPI_Send(message.data(), static_cast<int>(message.size()), MPI_DOUBLE, 0, tag_result, MPI_COMM_WORLD), "send");
        MPI_Status status;
        check(MPI_Probe(0, tag_work, MPI_COMM_WORLD, &status), "probe");
        int count = 0;
        check(MPI_Get_count(&status, MPI_LONG_LONG, &count), "count");
        batch.resize(static_cast<std::size_t>(count));
        check(MPI_Recv(batch.data(), count, MPI_LONG_LONG, 0, tag_work, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
        if (batch.empty()) return;
        const auto start = std::chrono::steady_clock::now();
        message.assign(1, 0.0);
        for (const long long point : batch) {
            const std::vector<double> packed = pack(compute(static_cast<std::size_t>(point)));
            message.push_back(static_cast<double>(packed.size()));
            message.insert(message.end(), packed.begin(), packed.end());
        }
        message[0] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / static_cast<double>(batch.size());
    }
}

// How many points a worker gets at once: one while nothing is known of their cost, then as
// many as take about batch_seconds, but never more than a share of what is left, so that
// slow points (training) still go out one at a time and the last points spread over ranks.
constexpr double batch_seconds = 0.1;
std::size_t batch_size(double seconds_per_point, std::size_t queued, int ranks) {
    if (!(seconds_per_point > 0.0)) return 1;
    const double by_time = batch_seconds / seconds_per_point;
    const std::size_t share = std::max<std::size_t>(1, queued / (4 * static_cast<std::size_t>(ranks)));
    return std::clamp<std::size_t>(by_time < 1.0 ? 1 : static_cast<std::size_t>(by_time), 1, share);
}

// Rank 0's queue of points, shared by its serving thread (batches for the other ranks) and
// its computing thread (one point at a time), with the results the computing thread made.
class SharedQueue {
public:
    explicit SharedQueue(const std::vector<std::size_t>& todo) : queue_(todo.begin(), todo.end()) {}

    // The next point for this rank's computing thread; -1 when none is left.
    long long next() {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) return -1;
        const std::size_t p = queue_.front();
        queue_.pop_front();
        return static_cast<long long>(p);
    }
    // The next batch for another rank (batch_size); empty when none is left.
    std::vector<long long> next_batch(double seconds_per_point, int ranks) {
        std::lock_guard lock(mutex_);
        std::vector<long long> batch;
        const std::size_t n = std::min(queue_.size(), batch_size(seconds_per_point, queue_.size(), ranks));
        for (std::size_t k = 0; k < n; ++k) {
            batch.push_back(static_cast<long long>(queue_.front()));
            queue_.pop_front();
        }
        return batch;
    }
    void clear() {
        std::lock_guard lock(mutex_);
        queue_.clear();
    }
    void add_local_result(PointResult r) {
        std::lock_guard lock(mutex_);
        local_results_.push_back(std::move(r));
    }
    // The computing thread's error: no more work is handed out.
    void fail(std::exception_ptr error) {
        std::lock_guard lock(mutex_);
        local_error_ = std::move(error);
        queue_.clear();
    }
    [[nodiscard]] std::exception_ptr local_error() {
        std::lock_guard lock(mutex_);
        return local_error_;
    }
    // The computing thread's results so far, taken out of the queue.
    std::deque<PointResult> take_local_results() {
        std::deque<PointResult> ready;
        std::lock_guard lock(mutex_);
        ready.swap(local_results_);
        return ready;
    }

private:
    std::mutex mutex_;
    std::deque<std::size_t> queue_;
    std::deque<PointResult> local_results_;
    std::exception_ptr local_error_;
};

// Serves the other ranks until each has been told there is no more work and the computing
// thread is done: hands out batches as results come in, and passes on every result, the
// computing thread's included.
void serve(const Session& s, SharedQueue& shared, const std::atomic<bool>& local_done, const std::function<void(PointResult)>& on_result) {
    int active_workers = s.size() - 1;
    const auto drain_local = [&] {
        for (auto& r : shared.take_local_results()) on_result(std::move(r));
    };
    while (active_workers > 0 || !local_done) {
        int flag = 0;
        MPI_Status status;
        check(MPI_Iprobe(MPI_ANY_SOURCE, tag_result, MPI_COMM_WORLD, &flag, &status), "probe");
        if (flag) {
            int count = 0;
            check(MPI_Get_count(&status, MPI_DOUBLE, &count), "count");
            std::vector<double> message(static_cast<std::size_t>(count));
            check(MPI_Recv(message.data(), count, MPI_DOUBLE, status.MPI_SOURCE, tag_result, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
                  "receive");
            const std::vector<long long> batch = shared.next_batch(message.empty() ? 0.0 : message[0], s.size());
            send_work(status.MPI_SOURCE, batch);
            if (batch.empty()) --active_workers;
            for (std::size_t k = 1; k < message.size();) {
                const auto n = static_cast<std::size_t>(message[k]);
                if (n > message.size() - k - 1) throw std::runtime_error("sweep: malformed point result message");
                on_result(unpack(std::span<const double>(message).subspan(k + 1, n)));
                k += 1 + n;
            }
        } else {
            drain_local();
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    drain_local();
}

// Rank 0: serve the queue to the other ranks from this thread while a second thread computes
// from the same queue; results of both reach `on_result` here.
void coordinate(const Session& s, const std::vector<std::size_t>& todo, const std::function<PointResult(std::size_t)>& compute,
                const std::function<void(PointResult)>& on_result) {
    SharedQueue shared(todo);
    std::atomic<bool> local_done = false;
    std::thread local([&] {
        try {
            for (long long p = shared.next(); p >= 0; p = shared.next()) shared.add_local_result(compute(static_cast<std::size_t>(p)));
        } catch (...) {
            shared.fail(std::current_exception());  // stop handing out work
        }
        local_done = true;
    });
    try {
        serve(s, shared, local_done, on_result);
    } catch (...) {
        shared.clear();
        local.join();
        throw;
    }
    local.join();
    if (const std::exception_ptr error = shared.local_error()) std::rethrow_exception(error);
}

}  // namespace

namespace {

// Whether an MPI launcher (mpirun/mpiexec of Open MPI or MPICH, srun with PMI or PMIx) started
// this process. Started any other way, the process is a world of one and does not initialise
// MPI at all: Open MPI's singleton start-up spawns a helper server, is slow, and fails where
// its shared-memory files cannot be created, none of which a serial sweep needs.
bool started_by_mpi_launcher() {
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(name)) return true;
    return false;
}

}  // namespace

Session::Session() {
    if (!started_by_mpi_launcher()) return;
    int already = 0;
    MPI_Initialized(&already);
    if (!already) {
        int provided = 0;
        check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "init");
        initialised_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() {
    if (initialised_) MPI_Finalize();
}

void broadcast(const Session& s, std::vector<double>& values) {
    if (s.size() == 1) return;
    long long n = static_cast<long long>(values.size());
    check(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD), "broadcast");
    values.resize(static_cast<std::size_t>(n));
    if (n > 0) check(MPI_Bcast(values.data(), static_cast<int>(n), MPI_DOUBLE, 0, MPI_COMM_WORLD), "broadcast");
}

void distribute(const Session& s, const std::vector<std::size_t>& todo, const std::function<PointResult(std::size_t)>& compute,
                const std::function<void(PointResult)>& on_result, const std::function<void(const std::string&)>& report_error) {
    if (s.size() == 1) return distribute_serially(todo, compute, on_result);
    if (s.rank() == 0) return coordinate(s, todo, compute, on_result);
    try {
        work(compute);
    } catch (const std::exception& e) {
        report_error("rank " + std::to_string(s.rank()) + ": " + e.what());
        abort_all(s, exit_code_of(e));
    }
}

void abort_all(const Session& s, int exit_code) {
    std::fflush(stdout);
    std::fflush(stderr);
    if (s.size() > 1) MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::exit(exit_code);
}

#endif

}  // namespace accel::sim::mpi
