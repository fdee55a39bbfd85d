#pragma once
// Checks made on an output location before any computation, so that a long run never ends
// unable to save its result.

#include <string>
#include <string_view>

namespace accel::sim {

// InputError naming `who` (an option, a command) unless a new file can be created in the
// folder of `path`: results are written to a temporary file beside their final name and
// renamed over it, so that folder must take new files even when `path` itself exists.
void check_folder_writable(const std::string& path, std::string_view who);

}  // namespace accel::sim
