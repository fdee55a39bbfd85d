// The operating point from the layout: the computing line's parasitic capacitance from the
// comb routing over the array, and the comparator offset from Pelgrom's law, against numbers
// worked out by hand in analog/operating_point.hpp.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "accel/analog/operating_point.hpp"

using namespace accel::analog;

TEST_CASE("a computing line over ACCEL's 32×32 array at 35 µm is 36.96 mm and 7.90 pF before its integration capacitor",
          "[unit][analog]") {
    const LineLayout accel;  // the defaults are ACCEL's array
    CHECK(line_length_m(accel) == Approx(36.96e-3).epsilon(1e-12));
    // 0.2 fF/µm × 36,960 µm + 1024 × 0.5 fF = 7392 fF + 512 fF.
    CHECK(parasitic_line_capacitance_F(accel) == Approx(7.904e-12).epsilon(1e-12));
}

TEST_CASE("the parasitic line capacitance grows with the wire and with one switch per photodiode", "[unit][analog]") {
    LineLayout a;
    a.rows = 16;
    a.cols = 8;
    a.pitch_m = 10e-6;
    a.wire_capacitance_F_per_m = 0.1e-9;
    a.switch_capacitance_F = 0.0;
    CHECK(line_length_m(a) == Approx(16.0 * 8.0 * 10e-6 + 16.0 * 10e-6).epsilon(1e-12));
    const double wire_only = parasitic_line_capacitance_F(a);
    CHECK(wire_only == Approx(0.1e-9 * line_length_m(a)).epsilon(1e-12));
    a.switch_capacitance_F = 1e-15;
    CHECK(parasitic_line_capacitance_F(a) - wire_only == Approx(128e-15).epsilon(1e-9));
    a.pitch_m *= 2.0;  // twice the pitch: twice the wire, the same switches
    CHECK(parasitic_line_capacitance_F(a) == Approx(2.0 * wire_only + 128e-15).epsilon(1e-12));
}

TEST_CASE("Pelgrom's law: the offset falls as one over the square root of the input pair's area", "[unit][analog]") {
    const InputPair nominal;  // 5 mV·µm over 4 µm × 1 µm
    CHECK(offset_sigma_V(nominal) == Approx(2.5e-3).epsilon(1e-12));
    InputPair large = nominal;
    large.width_m *= 4.0;
    CHECK(offset_sigma_V(large) == Approx(offset_sigma_V(nominal) / 2.0).epsilon(1e-12));
    InputPair ideal = nominal;
    ideal.a_vt_V_m = 0.0;
    CHECK(offset_sigma_V(ideal) == 0.0);
}

TEST_CASE("a layout or an input pair outside the physical range is rejected", "[unit][analog]") {
    LineLayout bad_pitch;
    bad_pitch.pitch_m = 0.0;
    CHECK_THROWS_AS(line_length_m(bad_pitch), std::invalid_argument);
    LineLayout bad_array;
    bad_array.rows = 0;
    CHECK_THROWS_AS(parasitic_line_capacitance_F(bad_array), std::invalid_argument);
    LineLayout bad_switch;
    bad_switch.switch_capacitance_F = -1e-15;
    CHECK_THROWS_AS(parasitic_line_capacitance_F(bad_switch), std::invalid_argument);
    InputPair bad_area;
    bad_area.length_m = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(offset_sigma_V(bad_area), std::invalid_argument);
    InputPair bad_avt;
    bad_avt.a_vt_V_m = -1e-9;
    CHECK_THROWS_AS(offset_sigma_V(bad_avt), std::invalid_argument);
}
