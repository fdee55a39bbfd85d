#pragma once
// Sampling grid of a square optical plane. Everything is in SI units.

#include <cstddef>
#include <stdexcept>
#include <string>

namespace accel::optics {

// An n×n grid of square pixels of side pitch_m, centred on the optical axis.
// Pixel (row, col) has its centre at x = (col − (n−1)/2)·pitch, y = (row − (n−1)/2)·pitch;
// rows run along y, columns along x, storage is row-major.
struct Grid {
    int n = 0;
    double pitch_m = 0.0;

    [[nodiscard]] std::size_t size() const { return static_cast<std::size_t>(n) * static_cast<std::size_t>(n); }
    [[nodiscard]] double width_m() const { return n * pitch_m; }
    [[nodiscard]] double x_m(int col) const { return (col - 0.5 * (n - 1)) * pitch_m; }
    [[nodiscard]] double y_m(int row) const { return (row - 0.5 * (n - 1)) * pitch_m; }
    [[nodiscard]] std::size_t index(int row, int col) const {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(n) + static_cast<std::size_t>(col);
    }
    // Nyquist frequency of the grid, 1/(2·pitch), in cycles per metre.
    [[nodiscard]] double nyquist_per_m() const { return 0.5 / pitch_m; }

    bool operator==(const Grid&) const = default;
};

// Throws std::invalid_argument naming the bad member; library code calls it on entry.
inline void validate(const Grid& g) {
    if (g.n < 1) throw std::invalid_argument("grid size n must be at least 1, got " + std::to_string(g.n));
    if (!(g.pitch_m > 0.0) || !(g.pitch_m < 1.0))
        throw std::invalid_argument("grid pitch must be in (0, 1) m, got " + std::to_string(g.pitch_m));
}

}  // namespace accel::optics
