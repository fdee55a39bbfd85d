#pragma once
// What is checked before a long run, beyond the configuration's own consistency (which
// describe_run checks): the sampling of every propagation and of the class regions (these
// checks propagate test fields on the design's grid), and the memory the design needs.

#include <string>
#include <vector>

#include "accel/sim/config/run_description.hpp"

namespace accel::sim {

// The sampling of every propagation (optics::check_transfer_function, optics::check_wrap_around)
// and of the all-optical read-out's class regions. Returns the warnings (one line each) for
// the caller to print; errors throw InputError.
[[nodiscard]] std::vector<std::string> preflight_checks(const RunDescription& run);

// A lower estimate of a simulation's peak memory (bytes) from the grid, the number of planes,
// the threads and the parameter count, and the InputError when it exceeds the machine's
// physical memory: a design that cannot fit is reported before a long run starts.
[[nodiscard]] double estimated_memory_bytes(const RunDescription& run);
void check_memory(const RunDescription& run);

}  // namespace accel::sim
