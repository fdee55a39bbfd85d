#pragma once
// A one-line progress display for long runs on stderr: what is running, images done of the
// total, running loss and accuracy, images per second and the time left. Redrawn in place
// (carriage return) at most a few times a second, and only when the stream is a terminal:
// logs and pipes get nothing from it (epoch summaries belong on stdout). Silent when disabled.

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

namespace accel::sim {

struct ProgressState {
    std::string label;            // "epoch 2/5", "test (chip 3/10)", ...
    std::size_t done = 0, total = 0;
    double images_per_s = 0.0;
    bool has_loss = false;        // training: running loss and accuracy
    double loss = 0.0, accuracy = 0.0;
};

class ProgressBar {
public:
    // Draws on `stream` only when `enabled` and the stream is a terminal.
    ProgressBar(std::FILE* stream, bool enabled);
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    ~ProgressBar();  // clears a line left on the terminal

    [[nodiscard]] bool active() const { return active_; }
    // Redraws if enough time has passed since the last draw, or the task is complete.
    void update(const ProgressState& state);
    // Erases the line, so that ordinary output can follow.
    void clear();

    // "12 s", "3 min 05 s", "1 h 02 min".
    static std::string format_duration(double seconds);
    // The line as drawn (without the carriage return), for a given terminal width.
    static std::string render(const ProgressState& state, int width);

private:
    std::FILE* stream_;
    bool active_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace accel::sim
