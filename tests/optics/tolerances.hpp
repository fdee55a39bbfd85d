#pragma once
// Named test tolerances (DESIGN.md §5): every numerical check has a name, an absolute and a
// relative limit that combine as  |error| ≤ abs + rel·|reference|, a one-line reason, and
// fails on NaN or infinity. Precision-dependent checks hold one tolerance per type.
//
// Use:  CHECK(within(tol, error, reference));  the check prints its name, the measured error,
// the limit and the reason, so `accel_tests -s` lists every measured value.

#include <cmath>
#include <ostream>
#include <string_view>
#include <type_traits>

namespace accel::test {

struct Tolerance {
    std::string_view name;
    double abs = 0.0;
    double rel = 0.0;
    std::string_view reason;

    [[nodiscard]] double limit(double reference) const { return abs + rel * std::abs(reference); }
};

// One tolerance per floating-point type under test.
struct PrecisionTolerance {
    Tolerance single;
    Tolerance dbl;

    template <class Real>
    [[nodiscard]] const Tolerance& get() const {
        static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>);
        if constexpr (std::is_same_v<Real, float>)
            return single;
        else
            return dbl;
    }
};

// Outcome of one comparison. Converts to bool for CHECK and streams itself for Catch's report.
struct ToleranceCheck {
    Tolerance tol;
    double error = 0.0;
    double reference = 0.0;
    double limit = 0.0;
    bool pass = false;

    explicit operator bool() const { return pass; }
};

inline std::ostream& operator<<(std::ostream& os, const ToleranceCheck& c) {
    os << c.tol.name << ": error " << c.error;
    if (c.reference != 0.0) os << " (relative " << c.error / std::abs(c.reference) << " of " << c.reference << ")";
    os << (c.pass ? " <= " : " EXCEEDS ") << "limit " << c.limit << " [abs " << c.tol.abs << ", rel " << c.tol.rel << "; "
       << c.tol.reason << "]";
    return os;
}

// `error` is a non-negative error measure (e.g. ‖a − b‖), `reference` the scale a relative
// limit refers to (e.g. ‖b‖). NaN or infinity in either fails.
inline ToleranceCheck within(const Tolerance& tol, double error, double reference) {
    const double limit = tol.limit(reference);
    const bool pass = std::isfinite(error) && std::isfinite(reference) && std::abs(error) <= limit;
    return {tol, error, reference, limit, pass};
}

}  // namespace accel::test
