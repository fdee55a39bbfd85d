#pragma once
// `accel sweep`: runs every point of a sweep definition and keeps the results in one HDF5
// file that survives crashes (sweep_file.hpp) and resumes without recomputing a finished
// point; distributes points over MPI ranks when started under mpirun (sweep_mpi.hpp).
//
// The base configuration: for run = eval with a model file, the model file's own
// configuration with the sweep's `set` applied (preset and config are then errors: the model
// was trained with what its file says); otherwise the preset, config file and `set` of the
// definition. Every point is checked before the first one runs.
//
// The sweep writes nothing to the terminal: it tells a SweepObserver what happens, and the
// command line (sim/cli/sweep.cpp) decides what to print.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "accel/models/trainer.hpp"
#include "accel/sim/sweep/sweep_file.hpp"
#include "accel/sim/sweep/sweep_spec.hpp"

namespace accel::sim {

struct SweepOptions {
    std::string definition_path;
    std::string output_path;
    bool resume = false;    // continue the sweep in output_path
    bool force = false;     // replace an existing output_path
    bool dry_run = false;   // list the points and stop
    int threads = 0;        // OpenMP threads per process; 0: the default
    std::string command_line;
};

// --dry-run: the sweep's points, every one checked.
struct SweepListing {
    const std::string& definition_path;
    const std::vector<SweepPoint>& points;
    SweepRun run;
    SweepCombine combine;
    const std::string& fingerprint;
};

// The points are known and computing starts.
struct SweepStart {
    const std::string& definition_path;
    std::size_t points = 0;
    SweepRun run;
    SweepCombine combine;
    std::size_t to_compute = 0;
    std::size_t already_done = 0;  // in the file or its journal (a resumed sweep)
    int ranks = 1;                 // MPI processes sharing the points
};

// One point finished and saved.
struct PointReport {
    const PointResult& result;  // without its model parameters
    const SweepPoint& point;
    std::size_t done = 0, total = 0;  // points finished in all, including those of earlier sessions
    std::size_t done_this_session = 0;
    double session_seconds = 0.0;     // since this session started computing points
};

// What a running sweep reports. Only the coordinating process (MPI rank 0) is told, except
// for error(), which every process reports for itself. Progress within a base training or a
// point is reported only by a sweep in one process: ranks computing at once have no single
// line to show it on.
class SweepObserver {
public:
    virtual ~SweepObserver() = default;

    // A problem that does not stop the sweep (a finding of the point checks, a journal cut short).
    virtual void warning(const std::string& message) = 0;
    // --dry-run: nothing is computed after this.
    virtual void points_listed(const SweepListing& listing) = 0;

    // The base model of an eval sweep without a model file, trained before the points.
    virtual void base_training_started(const std::string& architecture) = 0;
    virtual void base_training_progress(const std::string& label, const models::Progress& progress) = 0;
    // After the checkpoint of every epoch.
    virtual void base_epoch_finished(int epoch, double validation_accuracy) = 0;
    virtual void base_training_finished() = 0;

    virtual void points_started(const SweepStart& start) = 0;
    // Whether point_progress is wanted at all: reporting it costs a little in every point.
    [[nodiscard]] virtual bool wants_point_progress() const = 0;
    virtual void point_progress(const std::string& label, const models::Progress& progress) = 0;
    virtual void point_finished(const PointReport& report) = 0;
    // Every point is in `output`, which holds `points` rows; its journal is gone.
    virtual void sweep_finished(const std::filesystem::path& output, std::size_t points) = 0;

    // Under mpirun: an error that ends every process, reported before they are ended.
    virtual void error(const std::string& message) = 0;
};

// Returns normally on success; InputError for bad input. Under mpirun an error ends every
// process (exit code 2 for bad input, 1 otherwise) after `observer` was told.
void run_sweep(const SweepOptions& options, SweepObserver& observer);

}  // namespace accel::sim
