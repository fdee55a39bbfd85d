#include "accel/sim/cli/progress.hpp"

#include <algorithm>
#include <cmath>

#include <sys/ioctl.h>
#include <unistd.h>

namespace accel::sim {
namespace {

constexpr auto redraw_interval = std::chrono::milliseconds(200);

int terminal_width(std::FILE* stream) {
    winsize w{};
    if (::ioctl(::fileno(stream), TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
    return 80;
}

}  // namespace

ProgressBar::ProgressBar(std::FILE* stream, bool enabled)
    : stream_(stream), active_(enabled && stream != nullptr && ::isatty(::fileno(stream)) == 1) {}

ProgressBar::~ProgressBar() { clear(); }

std::string ProgressBar::format_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long s = std::lround(seconds);
    char text[32];
    if (s < 60) std::snprintf(text, sizeof text, "%ld s", s);
    else if (s < 3600) std::snprintf(text, sizeof text, "%ld min %02ld s", s / 60, s % 60);
    else std::snprintf(text, sizeof text, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
    return text;
}

std::string ProgressBar::render(const ProgressState& st, int width) {
    char numbers[160];
    const double left_s = st.images_per_s > 0 && st.total >= st.done ? static_cast<double>(st.total - st.done) / st.images_per_s : -1.0;
    if (st.has_loss)
        std::snprintf(numbers, sizeof numbers, " %zu/%zu  loss %.4f  acc %.1f %%  %.0f img/s  ETA %s", st.done, st.total, st.loss,
                      100.0 * st.accuracy, st.images_per_s, format_duration(left_s).c_str());
    else
        std::snprintf(numbers, sizeof numbers, " %zu/%zu  %.0f img/s  ETA %s", st.done, st.total, st.images_per_s,
                      format_duration(left_s).c_str());
    const std::string tail = numbers;
    // The bar takes whatever the label and the numbers leave, between 10 and 30 cells.
    const int room = width - 1 - static_cast<int>(st.label.size()) - static_cast<int>(tail.size()) - 3;
    std::string line = st.label;
    if (room >= 10) {
        const int cells = std::min(room, 30);
        const double fraction = st.total > 0 ? std::clamp(static_cast<double>(st.done) / static_cast<double>(st.total), 0.0, 1.0) : 0.0;
        const int filled = static_cast<int>(fraction * cells);
        line += " [" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(cells - filled), '.') + "]";
    }
    line += tail;
    if (static_cast<int>(line.size()) > width - 1) line.resize(static_cast<std::size_t>(std::max(width - 1, 0)));
    return line;
}

void ProgressBar::update(const ProgressState& state) {
    if (!active_) return;
    const auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < redraw_interval && state.done < state.total) return;
    last_draw_ = now;
    const std::string line = render(state, terminal_width(stream_));
    std::fprintf(stream_, "\r\033[K%s", line.c_str());  // return, erase to the end of the line, draw
    std::fflush(stream_);
    drawn_ = true;
}

void ProgressBar::clear() {
    if (!active_ || !drawn_) return;
    std::fprintf(stream_, "\r\033[K");
    std::fflush(stream_);
    drawn_ = false;
}

}  // namespace accel::sim
