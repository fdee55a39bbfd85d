#pragma once
// TOML text in and out.
//
// Writing: every TOML value accel writes (the effective configuration, the `config_toml` of a
// result file, sweep points and tables) goes through toml_float_text and toml_string_text, so
// that it reads back to the same value, whatever characters a string holds.
//
// Reading: parsing TOML text from outside (config and sweep files, --set values, the
// configuration stored in a result file) with bounds checked before the parser runs. The TOML
// reader (toml11 3.7) descends recursively into nested arrays, inline tables and dotted keys,
// so deep nesting overflows the stack (a 20 KB file of 5,000 nested inline tables is a
// segmentation fault), and its time grows faster than linearly with the number of values
// (120,000 values in one array: 9 s). A real configuration nests three levels and holds a
// few hundred values.

#include <cstddef>
#include <string>
#include <string_view>

#include <toml.hpp>

namespace accel::sim {

// Nesting levels: each part of a [table] header and of a (dotted) key, and each array and
// inline table, count one. accel's deepest value is [section] key = [list] (3).
inline constexpr std::size_t max_toml_nesting = 32;
// Values and keys in one text: a sweep over a thousand listed values is 1,000; the reader
// takes about 0.3 s for this many.
inline constexpr std::size_t max_toml_items = 16384;

// What the bounds are checked on: the deepest nesting and the number of keys and values,
// found by a lexical scan that skips strings and comments (linear in the text).
struct TomlShape {
    std::size_t max_nesting = 0;
    std::size_t items = 0;
};
[[nodiscard]] TomlShape scan_toml_shape(std::string_view text);

// InputError starting with `what` if `text` is not valid UTF-8, exceeds the size of a config
// file, nests deeper than max_toml_nesting or holds more than max_toml_items; the message
// gives the depth or count found and the limit.
void check_toml_bounds(std::string_view text, const std::string& what);

// check_toml_bounds, then the parse; a syntax error is an InputError starting with `what`
// (the reader's own messages name `source_name`, by default `what`).
[[nodiscard]] toml::value parse_toml_text(std::string_view text, const std::string& what, const std::string& source_name = {});

// A real as a TOML float in its shortest round-trip form: "10.0" (never "10", an integer),
// "0.03", "1e-08", "inf", "-inf", "nan".
[[nodiscard]] std::string toml_float_text(double value);
// A TOML basic string (TOML 1.0, "String"): quoted, with " and \ escaped, the control
// characters as \b \t \n \f \r or \u00XX (DEL as \u007F); other bytes, UTF-8 included,
// as they are. The text has no line break, so it fits on one line of a file or one --set.
[[nodiscard]] std::string toml_string_text(std::string_view value);

}  // namespace accel::sim
