#include "accel/optics/phase_mask.hpp"

#include <stdexcept>
#include <string>

namespace accel::optics {

PhaseMask PhaseMask::from_parameter(const Grid& g, std::span<const double> parameter) {
    validate(g);
    if (parameter.size() != g.size())
        throw std::invalid_argument("phase parameter has " + std::to_string(parameter.size()) + " values for a grid of " +
                                    std::to_string(g.size()));
    PhaseMask mask{g, std::vector<double>(parameter.size())};
    for (std::size_t i = 0; i < parameter.size(); ++i) mask.phase_rad[i] = wrap_phase(parameter[i]);
    return mask;
}

void quantise_phase(std::span<double> phase_rad, int bits) {
    if (bits < 1 || bits > 16) throw std::invalid_argument("phase quantisation needs 1..16 bits, got " + std::to_string(bits));
    const double levels = static_cast<double>(1 << bits);
    const double step = two_pi / levels;
    for (double& p : phase_rad) {
        double k = std::round(wrap_phase(p) / step);
        if (k >= levels) k = 0;  // the top level is 2π ≡ 0
        p = k * step;
    }
}

std::vector<int> misalignment_source(const Grid& grid, const PlaneMisalignment& m) {
    std::vector<int> source(grid.size(), -1);
    const double c = std::cos(m.rotation_rad), s = std::sin(m.rotation_rad);
    const double centre = 0.5 * (grid.n - 1);
    for (int r = 0; r < grid.n; ++r) {
        for (int col = 0; col < grid.n; ++col) {
            // Grid point in pixel units about the centre, taken back through the shift and
            // the rotation into the mask's own frame.
            const double x = col - centre - m.shift_x_px;
            const double y = r - centre - m.shift_y_px;
            const double mx = c * x + s * y;
            const double my = -s * x + c * y;
            const long mc = std::lround(mx + centre);
            const long mr = std::lround(my + centre);
            if (mc < 0 || mr < 0 || mc >= grid.n || mr >= grid.n) continue;
            source[grid.index(r, col)] = static_cast<int>(grid.index(static_cast<int>(mr), static_cast<int>(mc)));
        }
    }
    return source;
}

std::vector<double> misalign(const Grid& grid, std::span<const double> phase_rad, const PlaneMisalignment& m) {
    if (phase_rad.size() != grid.size()) throw std::invalid_argument("misalign: phase map does not match the grid");
    if (m.is_identity()) return {phase_rad.begin(), phase_rad.end()};
    const std::vector<int> source = misalignment_source(grid, m);
    std::vector<double> out(grid.size(), 0.0);
    for (std::size_t i = 0; i < out.size(); ++i)
        if (source[i] >= 0) out[i] = phase_rad[static_cast<std::size_t>(source[i])];
    return out;
}

}  // namespace accel::optics
