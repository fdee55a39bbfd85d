// The I/O watchdog ends a process whose guarded HDF5 call does not return, with exit code 2
// and one line. Guarded calls nest (a file opened, then an attribute read), and each arms
// its own timer: when several expire together, one message must be written, not one and
// the start of another (seen as a second line "accel: error: " under load).

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "accel/sim/io/io_watchdog.hpp"

namespace {

struct ChildResult {
    int exit_code = -1;
    std::string err;
};

// Runs `nested` guarded calls that never return in a child process; returns its exit code
// and what it wrote to stderr.
ChildResult run_stuck_child(int nested) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(pipe_fds[1], STDERR_FILENO);
        ::close(pipe_fds[0]);
        ::setenv("ACCEL_IO_TIMEOUT_S", "0.2", 1);
        std::vector<std::unique_ptr<accel::sim::IoWatchdog>> guards;
        for (int i = 0; i < nested; ++i) guards.push_back(std::make_unique<accel::sim::IoWatchdog>("stuck.h5"));
        std::this_thread::sleep_for(std::chrono::seconds(5));  // the guarded call that never returns
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    ChildResult r;
    char buffer[512];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) r.err.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace

TEST_CASE("Nested guarded calls that expire together end the process with one line", "[unit][io]") {
    for (int attempt = 0; attempt < 20; ++attempt) {
        const ChildResult r = run_stuck_child(16);
        INFO("attempt " << attempt << ", stderr: " << r.err);
        CHECK(r.exit_code == 2);
        REQUIRE(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK(r.err.rfind("accel: error: an HDF5 operation on 'stuck.h5' did not finish within 0.2 s", 0) == 0);
    }
}
