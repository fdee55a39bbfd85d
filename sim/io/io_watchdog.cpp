#include "accel/sim/io/io_watchdog.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace accel::sim {

namespace {

// Guarded HDF5 calls in progress (IoWatchdog objects alive), read by the fault handler.
std::atomic<int> hdf5_calls_in_progress{0};
// The file of the outermost guarded call in progress, NUL-terminated, for the messages: the
// fault handler may not allocate, so the name lives in a fixed buffer (cut at its size).
// Written only while no guarded call is in progress, by the thread that starts one.
char guarded_file[4096] = {};

// "accel: error: " + `what` + " '" + file + "'" + `rest`, with write(2) only (async-signal-safe).
void write_error(const char* what, const char* rest) {
    const auto put = [](const char* text) {
        std::size_t n = 0;
        while (text[n] != '\0') ++n;
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, text, n);
    };
    put("accel: error: ");
    put(what);
    if (guarded_file[0] != '\0') {
        put(" '");
        put(guarded_file);
        put("'");
    }
    put(rest);
}
struct sigaction previous_segv {}, previous_bus {};

void on_fault(int signal, siginfo_t*, void*) {
    if (hdf5_calls_in_progress.load(std::memory_order_relaxed) > 0) {
        write_error("the HDF5 library crashed reading the damaged file", " (it cannot detect this damage itself)\n");
        ::_exit(2);
    }
    // Not ours to explain: put the previous handler back and let the fault happen again.
    ::sigaction(signal, signal == SIGSEGV ? &previous_segv : &previous_bus, nullptr);
}

// Set by the first timer that expires. Nested guarded calls arm one timer each, and timers
// armed together expire together, each on its own thread: only the first writes the message
// and ends the process; the others wait for that end (two threads writing at once made one
// message and the start of another).
std::atomic_flag expiry_started = ATOMIC_FLAG_INIT;

// Runs on a timer thread while the guarded call is still inside HDF5: nothing can be
// unwound from there, so the process ends, with the message the CLI gives bad input.
void expired(union sigval) {
    if (expiry_started.test_and_set()) {
        for (;;) ::pause();  // the first expiry is ending the process
    }
    std::fflush(stdout);
    char rest[256];
    std::snprintf(rest, sizeof rest,
                  " did not finish within %g s: the file is damaged in a way the HDF5 library cannot detect (it loops); "
                  "ACCEL_IO_TIMEOUT_S sets the limit\n",
                  IoWatchdog::limit_s());
    write_error("an HDF5 operation on", rest);
    ::_exit(2);
}

}  // namespace

double IoWatchdog::limit_s() {
    if (const char* text = std::getenv("ACCEL_IO_TIMEOUT_S")) {
        char* end = nullptr;
        const double v = std::strtod(text, &end);
        if (end != text && *end == '\0' && std::isfinite(v) && v > 0.0) return v;
    }
    return 60.0;
}

void install_hdf5_crash_handler() {
    struct sigaction action {};
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGSEGV, &action, &previous_segv);
    ::sigaction(SIGBUS, &action, &previous_bus);
}

IoWatchdog::IoWatchdog(std::string_view file) {
    if (hdf5_calls_in_progress.load(std::memory_order_relaxed) == 0) {
        const std::size_t n = std::min(file.size(), sizeof guarded_file - 1);
        std::copy_n(file.data(), n, guarded_file);
        guarded_file[n] = '\0';
    }
    hdf5_calls_in_progress.fetch_add(1, std::memory_order_relaxed);
    struct sigevent event {};
    event.sigev_notify = SIGEV_THREAD;
    event.sigev_notify_function = expired;
    if (::timer_create(CLOCK_MONOTONIC, &event, &timer_) != 0) return;  // unguarded, as before, if the system has no timers left
    const double limit = limit_s();
    struct itimerspec when {};
    when.it_value.tv_sec = static_cast<time_t>(limit);
    when.it_value.tv_nsec = static_cast<long>((limit - std::floor(limit)) * 1e9);
    armed_ = ::timer_settime(timer_, 0, &when, nullptr) == 0;
    if (!armed_) ::timer_delete(timer_);
}

IoWatchdog::~IoWatchdog() {
    if (armed_) ::timer_delete(timer_);
    hdf5_calls_in_progress.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace accel::sim
