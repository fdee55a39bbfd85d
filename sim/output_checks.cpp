#include "sim/output_checks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sim/errors.hpp"

namespace accel::sim {

void check_folder_writable(const std::string& path, std::string_view who) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    const fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    // Creating a file is the only reliable test: permission bits, read-only mounts, quotas and
    // root's exemption from the permission bits all decide it, and access(2) sees only some.
    const fs::path probe = folder / (".accel-write-test-" + std::to_string(::getpid()));
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int err = errno;
        throw InputError(std::string(who) + ": cannot write in folder '" + folder.string() + "' of '" + path + "': " + std::strerror(err));
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

}  // namespace accel::sim
