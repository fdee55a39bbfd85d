#pragma once
// The provenance block every result file carries as root attributes (DESIGN.md §4): enough
// to tell which build, libraries, command and configuration produced the numbers.

#include <cstdint>
#include <string>

namespace accel::sim {

namespace h5 {
class Group;
}

struct Provenance {
    std::string accel_version;
    std::string git_commit;
    std::string created_utc;   // ISO 8601, e.g. "2024-05-01T12:34:56Z"
    std::string command_line;  // shell-quoted argv
    std::string config_toml;   // the full effective configuration
    std::uint64_t seed = 0;    // 0 when the run draws no random numbers
    int threads = 1;
    std::string fftw_version;
    std::string hdf5_version;
};

// Fills the build and library fields and the creation time (now) around the run's own.
Provenance make_provenance(std::string command_line, std::string config_toml, std::uint64_t seed, int threads);

// Writes every field as a root attribute of the same name.
void write_provenance(h5::Group& root, const Provenance& p);

// The current time as ISO 8601 UTC with a Z suffix, to the second.
std::string utc_now_iso8601();

// argv joined with spaces, each argument single-quoted when the shell would need it, so
// the recorded line can be pasted back into a shell.
std::string shell_command_line(int argc, const char* const* argv);

}  // namespace accel::sim
