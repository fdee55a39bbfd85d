// The named-tolerance helper itself: limits combine, NaN and infinity fail, precision selects.

#include <catch2/catch.hpp>

#include <limits>
#include <sstream>

#include "tolerances.hpp"

using accel::test::PrecisionTolerance;
using accel::test::Tolerance;
using accel::test::within;

TEST_CASE("Named tolerances combine limits and fail on NaN", "[unit][tolerance]") {
    constexpr Tolerance tol{"example", 1e-3, 1e-2, "test of the helper"};
    CHECK(static_cast<bool>(within(tol, 1e-3 + 1e-2 * 5.0, 5.0)));          // exactly at abs + rel·ref
    CHECK_FALSE(static_cast<bool>(within(tol, 1.1e-3 + 1e-2 * 5.0, 5.0)));
    CHECK(static_cast<bool>(within(tol, 0.02, -2.0)));                       // |reference| is used
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    constexpr double inf = std::numeric_limits<double>::infinity();
    CHECK_FALSE(static_cast<bool>(within(tol, nan, 1.0)));
    CHECK_FALSE(static_cast<bool>(within(tol, 0.0, nan)));
    CHECK_FALSE(static_cast<bool>(within(tol, inf, 1.0)));
    CHECK_FALSE(static_cast<bool>(within(tol, 0.0, inf)));

    std::ostringstream text;
    text << within(tol, 2.0, 1.0);
    CHECK_THAT(text.str(), Catch::Matchers::Contains("example") && Catch::Matchers::Contains("EXCEEDS") &&
                               Catch::Matchers::Contains("test of the helper"));

    constexpr PrecisionTolerance by_type{{"f", 0.0, 1e-3, "float"}, {"d", 0.0, 1e-9, "double"}};
    CHECK(by_type.get<float>().name == "f");
    CHECK(by_type.get<double>().rel == 1e-9);
}
