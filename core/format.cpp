#include "accel/core/format.hpp"

#include <algorithm>
#include <charconv>

namespace accel::core {

// std::to_chars formats as printf does in the "C" locale, whatever the process's locale.

std::string shortest_text(double value) {
    char text[64];  // the longest shortest form, "-2.2250738585072014e-308", has 24 characters
    const auto result = std::to_chars(text, text + sizeof text, value);
    return std::string(text, result.ptr);
}

std::string general_text(double value, int significant_digits) {
    // 17 significant digits tell every double apart; more would spell out its binary
    // expansion (hundreds of digits), which no message needs.
    const int digits = std::clamp(significant_digits, 1, 17);
    char text[64];
    const auto result = std::to_chars(text, text + sizeof text, value, std::chars_format::general, digits);
    return std::string(text, result.ptr);
}

}  // namespace accel::core
