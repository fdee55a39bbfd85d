#include "accel/analog/operating_point.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace accel::analog {
namespace {

void require_positive(double value, const char* what) {
    if (!(value > 0.0) || !std::isfinite(value)) throw std::invalid_argument(std::string(what) + " must be finite and > 0");
}

}  // namespace

void validate(const LineLayout& layout) {
    if (layout.rows < 1 || layout.cols < 1) throw std::invalid_argument("line layout: the array must have at least 1×1 photodiodes");
    require_positive(layout.pitch_m, "line layout: pitch");
    require_positive(layout.wire_capacitance_F_per_m, "line layout: wire capacitance per length");
    if (!(layout.switch_capacitance_F >= 0.0) || !std::isfinite(layout.switch_capacitance_F))
        throw std::invalid_argument("line layout: switch capacitance must be finite and ≥ 0");
}

void validate(const InputPair& pair) {
    if (!(pair.a_vt_V_m >= 0.0) || !std::isfinite(pair.a_vt_V_m)) throw std::invalid_argument("input pair: A_VT must be finite and ≥ 0");
    require_positive(pair.width_m, "input pair: gate width");
    require_positive(pair.length_m, "input pair: gate length");
}

double line_length_m(const LineLayout& layout) {
    validate(layout);
    const double rows = layout.rows, cols = layout.cols;
    return rows * cols * layout.pitch_m + rows * layout.pitch_m;  // fingers along every row, and the spine
}

double parasitic_line_capacitance_F(const LineLayout& layout) {
    const double photodiodes = static_cast<double>(layout.rows) * layout.cols;
    return layout.wire_capacitance_F_per_m * line_length_m(layout) + photodiodes * layout.switch_capacitance_F;
}

double offset_sigma_V(const InputPair& pair) {
    validate(pair);
    return pair.a_vt_V_m / std::sqrt(pair.width_m * pair.length_m);  // Pelgrom et al. 1989
}

}  // namespace accel::analog
