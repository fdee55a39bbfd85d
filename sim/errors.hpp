#pragma once
// Error types shared by the file readers, config loading and the command line.

#include <stdexcept>

namespace accel::sim {

// Bad user input: a config value, a file's content, a command-line argument. The message is
// one line naming the culprit (file, dataset, key or option) and the allowed range; the
// CLI prints it as `accel: error: <message>` and exits with code 2. Anything else that
// escapes is an internal error (exit code 1).
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace accel::sim
