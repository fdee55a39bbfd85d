// Ctrl-C and SIGTERM print the note of what was kept. A run writes its checkpoint and then
// sets the note that names it; a signal between the two printed the note of the previous
// state (seen once in the SIGINT train test: "nothing was written yet" beside a checkpoint).
// Inside a DeferredInterrupts scope a signal waits until the scope ends, so that the note
// printed is the one set last in it.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>

#include "accel/sim/run/interrupt.hpp"

namespace {

struct ChildResult {
    int exit_code = -1;
    std::string err;
};

// Runs `body` in a child process with the handler installed; returns its exit code (128 +
// signal when a signal ended it without the handler) and what it wrote to stderr.
template <typename Body>
ChildResult run_child(Body body) {
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(pipe_fds[1], STDERR_FILENO);
        ::close(pipe_fds[0]);
        accel::sim::install_interrupt_handler();
        body();
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    ChildResult r;
    char buffer[512];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) r.err.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

}  // namespace

TEST_CASE("A signal during a checkpoint's write prints the note of the checkpoint written, not the one before", "[sim]") {
    const ChildResult r = run_child([] {
        accel::sim::set_interrupt_note("nothing was written yet");
        {
            const accel::sim::DeferredInterrupts checkpointing;
            ::raise(SIGINT);  // arrives after the file's rename, before its note
            accel::sim::set_interrupt_note("the checkpoint holds 1 epoch");
        }
        ::_exit(7);  // not reached: the deferred signal ends the process as the scope ends
    });
    CHECK(r.exit_code == 130);
    CHECK(r.err == "accel: interrupted: the checkpoint holds 1 epoch\n");
}

TEST_CASE("Outside a deferring scope a signal ends the run at once, SIGTERM with 143", "[sim]") {
    const ChildResult r = run_child([] {
        accel::sim::set_interrupt_note("first");
        ::raise(SIGTERM);
        accel::sim::set_interrupt_note("second");
        ::_exit(7);
    });
    CHECK(r.exit_code == 143);
    CHECK(r.err == "accel: interrupted: first\n");
}

TEST_CASE("A scope without a signal leaves the run going, and later signals are acted on at once", "[sim]") {
    const ChildResult r = run_child([] {
        { const accel::sim::DeferredInterrupts quiet; }
        accel::sim::set_interrupt_note("after");
        ::raise(SIGINT);
        ::_exit(7);
    });
    CHECK(r.exit_code == 130);
    CHECK(r.err == "accel: interrupted: after\n");
}
