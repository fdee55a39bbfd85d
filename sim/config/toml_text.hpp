#pragma once
// Parsing TOML text from outside (config and sweep files, --set values, the configuration
// stored in a result file) with bounds checked before the parser runs. The TOML reader
// (toml11 3.7) descends recursively into nested arrays, inline tables and dotted keys, so
// deep nesting overflows the stack (a 20 KB file of 5,000 nested inline tables is a
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

}  // namespace accel::sim
