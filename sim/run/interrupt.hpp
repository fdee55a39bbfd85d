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

}  // namespace accel::sim
