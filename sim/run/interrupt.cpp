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

void on_interrupt(int signal) {
    // A progress bar may hold the terminal's line: clear it so that the note stands alone.
    if (::isatty(STDERR_FILENO) == 1) write_all("\r\033[K", 4);
    static const char head[] = "accel: interrupted: ";
    write_all(head, sizeof head - 1);
    const char* note = notes[published.load(std::memory_order_acquire)];
    write_all(note, length(note));
    write_all("\n", 1);
    ::_exit(128 + signal);
}

}  // namespace

void set_interrupt_note(std::string_view note) {
    const int next = 1 - published.load(std::memory_order_relaxed);
    const std::size_t n = std::min(note.size(), note_capacity - 1);
    std::copy_n(note.data(), n, notes[next]);
    notes[next][n] = '\0';
    published.store(next, std::memory_order_release);
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
