#pragma once
// The error types every layer may raise. Bad input is its own type, raised where input enters
// (config loading, file readers, command-line parsing); the command line maps it to exit code
// 2 and anything else that escapes to an internal error (exit code 1), so that a programming
// error is never reported to a user as a mistake of theirs.

#include <stdexcept>

namespace accel {

// Bad user input: a config value, a file's content, a command-line argument. The message is
// one line naming the culprit (file, dataset, key or option) and the allowed range; the
// CLI prints it as `accel: error: <message>` and exits with code 2.
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace accel
