#include "accel/sim/io/output_checks.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "accel/core/errors.hpp"

namespace accel::sim {

void check_folder_writable(const std::string& path, std::string_view who) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    const fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    // Creating a file is the only reliable test: permission bits, read-only mounts, quotas and
    // root's exemption from the permission bits all decide it, and access(2) sees only some.
    // The probe has the name of the temporary that results are first written to, so a name
    // that fits the file system only without that suffix fails now, not at the first save.
    const std::string probe = temporary_name(path);
    remove_stale_temporaries(p);  // a probe or temporary of a process killed before it removed it
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int err = errno;
        if (err == EEXIST) return;  // a temporary of this process's number: the name is usable
        if (err == ENAMETOOLONG)
            throw InputError(std::string(who) + ": the name '" + p.filename().string() + "' is too long: results are first written to '" +
                             fs::path(probe).filename().string() + "', which the file system of '" + folder.string() + "' does not take");
        throw InputError(std::string(who) + ": cannot write in folder '" + folder.string() + "' of '" + path + "': " + std::strerror(err));
    }
    ::close(fd);
    ::unlink(probe.c_str());
}

bool same_file(const std::string& a, const std::string& b) {
    namespace fs = std::filesystem;
    if (a.empty() || b.empty()) return false;
    std::error_code ec;
    const auto normal = [](const std::string& p) {
        std::error_code e;
        const fs::path absolute = fs::absolute(fs::path(p), e);
        return (e ? fs::path(p) : absolute).lexically_normal();
    };
    if (normal(a) == normal(b)) return true;
    if (fs::equivalent(a, b, ec)) return true;  // hard links, symbolic links, other spellings
    const fs::path ca = fs::weakly_canonical(a, ec);
    if (ec) return false;
    const fs::path cb = fs::weakly_canonical(b, ec);
    return !ec && ca == cb;
}

std::string temporary_name(const std::string& path) { return path + ".tmp-" + std::to_string(::getpid()); }

namespace {

// Whether process `pid` can still write: it exists and is not a zombie. A process killed
// with SIGKILL stays a zombie until its parent reaps it; when its parent died too (timeout
// -s KILL kills its own process group) it waits for PID 1, which in a container may never
// reap it, and kill(pid, 0) keeps answering that it exists. Its state in /proc says what it is.
bool can_still_write(pid_t pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;  // no /proc: assume it lives, as before
    const auto name_end = line.rfind(')');        // "pid (name) state ...", the name may hold anything
    return name_end == std::string::npos || name_end + 2 >= line.size() || line[name_end + 2] != 'Z';
}

}  // namespace

void remove_stale_temporaries(const std::filesystem::path& path) {
    const std::filesystem::path folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    const std::string prefix = path.filename().string() + ".tmp-";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || can_still_write(pid)) continue;
        std::error_code ignored;
        std::filesystem::remove(entry.path(), ignored);
    }
}

}  // namespace accel::sim
