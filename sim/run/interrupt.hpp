#pragma once
// Ctrl-C (SIGINT) and SIGTERM end a run with one line saying what was kept and how to go on,
// then exit code 130 (SIGTERM: 143), as a shell reports a process ended by that signal.
// Nothing needs saving at that moment: every result file is written whole and renamed into
// place (sim/hdf5_file.hpp), so the last checkpoint on disk is complete; a run only tells the
// handler, as it goes, what that checkpoint holds.

#include <string_view>

namespace accel::sim {

// Installs the handler for SIGINT and SIGTERM (each unless inherited as ignored), with the
// note "nothing was written". For main(); call once.
void install_interrupt_handler();

// The note printed after "accel: interrupted: " from now on (cut at 2,000 bytes). Called from
// one thread at a time (the run's own), never from the handler.
void set_interrupt_note(std::string_view note);

// Holds SIGINT and SIGTERM back while it lives: a signal that arrives meanwhile is acted on
// (note printed, exit) when the scope ends. A run writes a checkpoint and sets the note that
// names it inside one scope, so that the note printed always describes the file on disk (a
// signal between the rename and the new note used to print the previous note).
class DeferredInterrupts {
public:
    DeferredInterrupts();
    ~DeferredInterrupts();
    DeferredInterrupts(const DeferredInterrupts&) = delete;
    DeferredInterrupts& operator=(const DeferredInterrupts&) = delete;
};

}  // namespace accel::sim
