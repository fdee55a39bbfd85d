#include "accel/sim/io/provenance.hpp"

#include <chrono>
#include <ctime>

#include "accel/optics/fft.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel_version.hpp"

namespace accel::sim {

std::string utc_now_iso8601() {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);  // reentrant, unlike std::gmtime
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string shell_command_line(int argc, const char* const* argv) {
    std::string line;
    for (int k = 0; k < argc; ++k) {
        const std::string arg = argv[k] ? argv[k] : "";
        const bool plain = !arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                                 "0123456789-_./=:,+@%") == std::string::npos;
        if (k) line += ' ';
        if (plain) {
            line += arg;
            continue;
        }
        line += '\'';
        for (const char c : arg) line += (c == '\'') ? std::string("'\\''") : std::string(1, c);
        line += '\'';
    }
    return line;
}

Provenance make_provenance(std::string command_line, std::string config_toml, std::uint64_t seed, int threads) {
    Provenance p;
    p.accel_version = accel::version;
    p.git_commit = accel::git_commit;
    p.created_utc = utc_now_iso8601();
    p.command_line = std::move(command_line);
    p.config_toml = std::move(config_toml);
    p.seed = seed;
    p.threads = threads;
    p.fftw_version = optics::fftw_library_version();
    p.hdf5_version = h5::hdf5_library_version();
    return p;
}

void write_provenance(h5::Group& root, const Provenance& p) {
    root.set_attribute("accel_version", p.accel_version);
    root.set_attribute("git_commit", p.git_commit);
    root.set_attribute("created_utc", p.created_utc);
    root.set_attribute("command_line", p.command_line);
    root.set_attribute("config_toml", p.config_toml);
    root.set_attribute("seed", p.seed);
    root.set_attribute("threads", p.threads);
    root.set_attribute("fftw_version", p.fftw_version);
    root.set_attribute("hdf5_version", p.hdf5_version);
}

}  // namespace accel::sim
