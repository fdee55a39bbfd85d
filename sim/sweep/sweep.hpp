#pragma once
// `accel sweep`: runs every point of a sweep definition and keeps the results in one HDF5
// file that survives crashes (sweep_file.hpp) and resumes without recomputing a finished
// point; distributes points over MPI ranks when started under mpirun (sweep_mpi.hpp).
//
// The base configuration: for run = eval with a model file, the model file's own
// configuration with the sweep's `set` applied (preset and config are then errors: the model
// was trained with what its file says); otherwise the preset, config file and `set` of the
// definition. Every point is checked before the first one runs.

#include <string>

namespace accel::sim {

struct SweepOptions {
    std::string definition_path;
    std::string output_path;
    bool resume = false;    // continue the sweep in output_path
    bool force = false;     // replace an existing output_path
    bool dry_run = false;   // list the points and stop
    bool quiet = false;
    int threads = 0;        // OpenMP threads per process; 0: the default
    std::string command_line;
};

// Returns normally on success; InputError for bad input.
void run_sweep(const SweepOptions& options);

}  // namespace accel::sim
