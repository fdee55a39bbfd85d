#include "accel/sim/run/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstddef>

namespace accel::sim {
namespace {

// Two fixed buffers, one published: a handler may not allocate or lock, so the run writes the
// next note into the buffer not in use and then publishes it with one atomic store.
constexpr std::size_t note_capacity = 2048;
char notes[2][note_capacity] = {};
std::atomic<int> published{0};
// Set while a DeferredInterrupts scope lives; a signal then only records itself in `pending`.
std::atomic<bool> deferring{false};
std::atomic<int> pending{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free, "the handler needs lock-free atomics");

void write_all(const char* text, std::size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(STDERR_FILENO, text, n);
        if (w <= 0) return;
        text += w;
        n -= static_cast<std::size_t>(w);
    }
}

std::size_t length(const char* text) {
    std::size_t n = 0;
    while (text[n] != '\0') ++n;
    return n;
}

[[noreturn]] void report_and_exit(int signal) {
    // A progress bar may hold the terminal's line: clear it so that the note stands alone.
    if (::isatty(STDERR_FILENO) == 1) write_all("\r\033[K", 4);
    static const char head[] = "accel: interrupted: ";
    write_all(head, sizeof head - 1);
    const char* note = notes[published.load(std::memory_order_acquire)];
    write_all(note, length(note));
    write_all("\n", 1);
    ::_exit(128 + signal);
}

void on_interrupt(int signal) {
    if (deferring.load(std::memory_order_acquire)) {
        pending.store(signal, std::memory_order_release);
        return;
    }
    report_and_exit(signal);
}

}  // namespace

void set_interrupt_note(std::string_view note) {
    const int next = 1 - published.load(std::memory_order_relaxed);
    const std::size_t n = std::min(note.size(), note_capacity - 1);
    std::copy_n(note.data(), n, notes[next]);
    notes[next][n] = '\0';
    published.store(next, std::memory_order_release);
}

DeferredInterrupts::DeferredInterrupts() { deferring.store(true, std::memory_order_release); }

DeferredInterrupts::~DeferredInterrupts() {
    deferring.store(false, std::memory_order_release);
    // A signal that came while deferring is acted on now; one that comes from here on finds
    // `deferring` false and is acted on by the handler itself.
    if (const int signal = pending.exchange(0, std::memory_order_acq_rel); signal != 0) report_and_exit(signal);
}

void install_interrupt_handler() {
    set_interrupt_note("nothing was written");
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    for (const int signal : {SIGINT, SIGTERM}) {
        // A signal the parent chose to ignore stays ignored (a shell's background job ignores
        // SIGINT, so that Ctrl-C at the terminal leaves it running).
        struct sigaction before {};
        if (::sigaction(signal, nullptr, &before) == 0 && before.sa_handler == SIG_IGN) continue;
        ::sigaction(signal, &action, nullptr);
    }
}

}  // namespace accel::sim
