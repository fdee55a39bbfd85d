#pragma once
// A time limit on one call into the HDF5 library. HDF5 1.10 can loop forever on some damaged
// files (fuzzing found a corrupt global heap that does so while a string attribute is read),
// and no error ever comes back; with the watchdog the process ends after the limit with exit
// code 2 and one line saying so, as for any other unusable input file.

#include <ctime>
#include <string_view>
#include <signal.h>

namespace accel::sim {

class IoWatchdog {
public:
    // Seconds a guarded call may take: ACCEL_IO_TIMEOUT_S from the environment when set to a
    // positive number, else 60 (a read of a healthy result file takes milliseconds).
    [[nodiscard]] static double limit_s();

    // `file` names the file the guarded call works on, for the message if it loops or faults
    // (empty: a file being written, whose name is not the input's).
    explicit IoWatchdog(std::string_view file = {});
    ~IoWatchdog();
    IoWatchdog(const IoWatchdog&) = delete;
    IoWatchdog& operator=(const IoWatchdog&) = delete;

private:
    timer_t timer_{};
    bool armed_ = false;
};

// Turns a crash inside a guarded HDF5 call into exit code 2 with one line: the library (1.10,
// as Debian ships it) also copies out of bounds on some damaged files (fuzzing found a
// corrupt global heap that makes it memcpy petabytes). A fault anywhere else goes to the
// handler that was there before (the default, or a sanitizer's), exactly as without this.
// For the command line's main(); call once.
void install_hdf5_crash_handler();

}  // namespace accel::sim
