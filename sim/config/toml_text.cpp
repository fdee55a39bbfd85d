#include "accel/sim/config/toml_text.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/sim/config/text_file.hpp"

namespace accel::sim {
namespace {

// The reader's message without its "[error] " tag and source excerpt.
std::string first_line_of(const std::string& s) {
    std::string line = s.substr(0, s.find('\n'));
    if (line.rfind("[error] ", 0) == 0) line = line.substr(8);
    return line;
}

// The end of the string that starts at `i` (at its opening quote), past its closing quote;
// text.size() for an unterminated one (the parser then reports it). TOML 1.0 section 2:
// basic "…" with backslash escapes, literal '…', and their multi-line forms """…""", '''…'''.
std::size_t skip_string(std::string_view text, std::size_t i) {
    const char quote = text[i];
    const bool basic = quote == '"';
    const bool multi = text.substr(i, 3) == std::string(3, quote);
    i += multi ? 3 : 1;
    while (i < text.size()) {
        const char c = text[i];
        if (basic && c == '\\') {
            i += 2;
            continue;
        }
        if (c == quote && (!multi || text.substr(i, 3) == std::string(3, quote))) {
            i += multi ? 3 : 1;
            // A multi-line string may end in up to two more quotes ("""a"""" is 'a"').
            while (multi && i < text.size() && text[i] == quote) ++i;
            return i;
        }
        if (!multi && c == '\n') return i;  // unterminated: let the parser say so
        ++i;
    }
    return i;
}

}  // namespace

TomlShape scan_toml_shape(std::string_view text) {
    // Levels: the parts of the current [table] header, the parts of each key on the way to
    // the current position, and each array and inline table around it. A position's depth is
    // their sum, so `[optics]` `distances_mm = [1.0]` is 3 at the 1.0.
    enum class Open { array, inline_table };
    struct Level {
        Open kind;
        std::size_t key_parts;  // of the key this container is the value of (inline tables)
    };
    std::vector<Level> open;     // arrays and inline tables around the current position
    std::size_t table_parts = 0; // of the current [table] header
    std::size_t outer_parts = 0; // key parts of the keys holding the open inline tables
    std::size_t key_parts = 0;   // of the key being read, or holding the value being read
    bool in_key = true;          // a key (or a [header]) may start here
    bool in_header = false;      // inside [a.b] or [[a.b]]
    TomlShape shape;
    const auto note_depth = [&] {
        shape.max_nesting = std::max(shape.max_nesting, (in_header ? 0 : table_parts) + outer_parts + key_parts + open.size());
    };
    const auto start_key = [&] {
        in_key = true;
        key_parts = 0;
    };
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == '"' || c == '\'') {
            if ((in_key || in_header) && key_parts == 0) key_parts = 1, note_depth();
            i = skip_string(text, i);
            if (!in_key && !in_header) ++shape.items;
            continue;
        }
        if (c == '#') {
            while (i < text.size() && text[i] != '\n') ++i;
            continue;
        }
        ++i;
        if (c == '\n') {
            if (open.empty() && !in_header) start_key();
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') continue;
        if (in_header) {
            if (c == '.') {
                ++key_parts;
                note_depth();
            } else if (c == ']') {
                in_header = false;
                table_parts = key_parts;
                key_parts = 0;
                in_key = false;  // until the line ends
                if (i < text.size() && text[i] == ']') ++i;
            }
            continue;
        }
        if (in_key) {
            if (c == '[' && open.empty()) {
                in_header = true;
                key_parts = 1;
                if (i < text.size() && text[i] == '[') ++i;  // [[array of tables]]
                note_depth();
            } else if (c == '=') {
                in_key = false;
                ++shape.items;
            } else if (c == '}' && !open.empty()) {  // {} or a trailing comma
                outer_parts -= open.back().key_parts;
                key_parts = open.back().key_parts;
                open.pop_back();
                in_key = false;
            } else {
                if (c == '.') ++key_parts;
                else if (key_parts == 0) key_parts = 1;
                note_depth();
            }
            continue;
        }
        // A value.
        switch (c) {
            case '[':
                open.push_back({Open::array, 0});
                ++shape.items;
                break;
            case '{':
                open.push_back({Open::inline_table, key_parts});
                outer_parts += key_parts;
                ++shape.items;
                start_key();
                break;
            case ']':
            case '}':
                if (!open.empty()) {
                    if (open.back().kind == Open::inline_table) {
                        outer_parts -= open.back().key_parts;
                        key_parts = open.back().key_parts;
                    }
                    open.pop_back();
                }
                break;
            case ',':
                ++shape.items;
                if (!open.empty() && open.back().kind == Open::inline_table) start_key();
                break;
            default:
                break;
        }
        note_depth();
    }
    return shape;
}

void check_toml_bounds(std::string_view text, const std::string& what) {
    check_utf8(text, what);
    if (text.size() > max_text_file_bytes)
        throw InputError(what + " has " + std::to_string(text.size()) + " bytes of TOML; a configuration has at most " +
                         std::to_string(max_text_file_bytes));
    const TomlShape shape = scan_toml_shape(text);
    if (shape.max_nesting > max_toml_nesting)
        throw InputError(what + " nests " + std::to_string(shape.max_nesting) + " levels deep (table and key parts, arrays, inline tables); " +
                         "a configuration nests at most " + std::to_string(max_toml_nesting));
    if (shape.items > max_toml_items)
        throw InputError(what + " holds about " + std::to_string(shape.items) + " keys and values; a configuration holds at most " +
                         std::to_string(max_toml_items));
}

toml::value parse_toml_text(std::string_view text, const std::string& what, const std::string& source_name) {
    check_toml_bounds(text, what);
    std::istringstream in{std::string(text)};
    try {
        return toml::parse(in, source_name.empty() ? what : source_name);
    } catch (const std::exception& e) {
        throw InputError(what + ": not valid TOML: " + first_line_of(e.what()));
    }
}

}  // namespace accel::sim
