#include "accel/sim/config/toml_text.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
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

// The walk of scan_toml_shape. Levels: the parts of the current [table] header, the parts of
// each key on the way to the current position, and each array and inline table around it. A
// position's depth is their sum, so `[optics]` `distances_mm = [1.0]` is 3 at the 1.0.
class ShapeScanner {
public:
    explicit ShapeScanner(std::string_view text) : text_(text) {}

    TomlShape scan() {
        for (std::size_t i = 0; i < text_.size();) {
            const char c = text_[i];
            if (c == '"' || c == '\'') {
                string_at(i);
                continue;
            }
            if (c == '#') {
                while (i < text_.size() && text_[i] != '\n') ++i;
                continue;
            }
            ++i;
            if (c == '\n') {
                if (open_.empty() && !in_header_) start_key();
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') continue;
            if (in_header_) header_char(c, i);
            else if (in_key_) key_char(c, i);
            else value_char(c);
        }
        return shape_;
    }

private:
    enum class Open { array, inline_table };
    struct Level {
        Open kind;
        std::size_t key_parts;  // of the key this container is the value of (inline tables)
    };

    void note_depth() {
        shape_.max_nesting = std::max(shape_.max_nesting, (in_header_ ? 0 : table_parts_) + outer_parts_ + key_parts_ + open_.size());
    }
    void start_key() {
        in_key_ = true;
        key_parts_ = 0;
    }
    // A quoted key part, or a string value; `i` at its opening quote, moved past its end.
    void string_at(std::size_t& i) {
        if ((in_key_ || in_header_) && key_parts_ == 0) key_parts_ = 1, note_depth();
        i = skip_string(text_, i);
        if (!in_key_ && !in_header_) ++shape_.items;
    }
    // Inside [a.b] or [[a.b]]; `i` is past `c`.
    void header_char(char c, std::size_t& i) {
        if (c == '.') {
            ++key_parts_;
            note_depth();
        } else if (c == ']') {
            in_header_ = false;
            table_parts_ = key_parts_;
            key_parts_ = 0;
            in_key_ = false;  // until the line ends
            if (i < text_.size() && text_[i] == ']') ++i;
        }
    }
    // Where a key (or a [header]) may be; `i` is past `c`.
    void key_char(char c, std::size_t& i) {
        if (c == '[' && open_.empty()) {
            in_header_ = true;
            key_parts_ = 1;
            if (i < text_.size() && text_[i] == '[') ++i;  // [[array of tables]]
            note_depth();
        } else if (c == '=') {
            in_key_ = false;
            ++shape_.items;
        } else if (c == '}' && !open_.empty()) {  // {} or a trailing comma
            outer_parts_ -= open_.back().key_parts;
            key_parts_ = open_.back().key_parts;
            open_.pop_back();
            in_key_ = false;
        } else {
            if (c == '.') ++key_parts_;
            else if (key_parts_ == 0) key_parts_ = 1;
            note_depth();
        }
    }
    // Inside a value.
    void value_char(char c) {
        switch (c) {
            case '[':
                open_.push_back({Open::array, 0});
                ++shape_.items;
                break;
            case '{':
                open_.push_back({Open::inline_table, key_parts_});
                outer_parts_ += key_parts_;
                ++shape_.items;
                start_key();
                break;
            case ']':
            case '}':
                if (!open_.empty()) {
                    if (open_.back().kind == Open::inline_table) {
                        outer_parts_ -= open_.back().key_parts;
                        key_parts_ = open_.back().key_parts;
                    }
                    open_.pop_back();
                }
                break;
            case ',':
                ++shape_.items;
                if (!open_.empty() && open_.back().kind == Open::inline_table) start_key();
                break;
            default:
                break;
        }
        note_depth();
    }

    std::string_view text_;
    std::vector<Level> open_;     // arrays and inline tables around the current position
    std::size_t table_parts_ = 0; // of the current [table] header
    std::size_t outer_parts_ = 0; // key parts of the keys holding the open inline tables
    std::size_t key_parts_ = 0;   // of the key being read, or holding the value being read
    bool in_key_ = true;          // a key (or a [header]) may start here
    bool in_header_ = false;      // inside [a.b] or [[a.b]]
    TomlShape shape_;
};

}  // namespace

TomlShape scan_toml_shape(std::string_view text) { return ShapeScanner(text).scan(); }

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

std::string toml_float_text(double value) {
    std::string text = core::shortest_text(value);
    if (text.find_first_of(".eEn") == std::string::npos) text += ".0";  // "n": inf and nan are floats as they are
    return text;
}

std::string toml_string_text(std::string_view value) {
    std::string out = "\"";
    for (const char c : value) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (const auto byte = static_cast<unsigned char>(c); byte < 0x20 || byte == 0x7F) {
                    constexpr char hex[] = "0123456789ABCDEF";
                    out += "\\u00";
                    out += hex[byte >> 4];
                    out += hex[byte & 0xF];
                } else {
                    out += c;  // UTF-8 sequences pass as they are
                }
        }
    }
    return out + "\"";
}

}  // namespace accel::sim
