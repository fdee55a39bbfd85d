#pragma once
// Checks made on an output location before any computation, so that a long run never ends
// unable to save its result.

#include <filesystem>
#include <string>
#include <string_view>

namespace accel::sim {

// InputError naming `who` (an option, a command) unless a new file can be created in the
// folder of `path`: results are written to a temporary file beside their final name and
// renamed over it, so that folder must take new files even when `path` itself exists.
// The name is tried with the suffix of the temporary (temporary_name), so that an output name
// too long for the file system with it is found before the run.
void check_folder_writable(const std::string& path, std::string_view who);

// Whether `a` and `b` name one file: compared normalised and absolute, then as files (hard
// and symbolic links, other spellings); a path that does not exist yet names the file it
// would create.
[[nodiscard]] bool same_file(const std::string& a, const std::string& b);

// "<path>.tmp-<pid>": the temporary a result is written to before it is renamed to `path`.
[[nodiscard]] std::string temporary_name(const std::string& path);

// Removes the temporaries "<path>.tmp-<pid>" beside `path` whose process no longer exists or
// is a zombie: what a process killed while writing (SIGKILL, power loss) leaves behind. Files of live
// processes are left alone, so two runs in one folder never delete each other's work.
void remove_stale_temporaries(const std::filesystem::path& path);

}  // namespace accel::sim
