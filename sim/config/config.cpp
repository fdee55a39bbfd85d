#include "accel/sim/config/config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <toml.hpp>

#include "accel/core/errors.hpp"
#include "accel/sim/config/embedded_presets.hpp"
#include "accel/sim/config/text_file.hpp"
#include "accel/sim/config/toml_text.hpp"

namespace accel::sim {
namespace {

std::string type_name(ValueType t) {
    switch (t) {
        case ValueType::real: return "a number";
        case ValueType::integer: return "an integer";
        case ValueType::boolean: return "true or false";
        case ValueType::string: return "a string";
        case ValueType::real_list: return "a list of numbers";
    }
    return "?";
}

}  // namespace

std::string toml_value_text(const ConfigValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, double>) return toml_float_text(x);
            else if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
            else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::string>) return toml_string_text(x);
            else {
                std::string s = "[";
                for (std::size_t i = 0; i < x.size(); ++i) s += (i ? ", " : "") + toml_float_text(x[i]);
                return s + "]";
            }
        },
        v);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

namespace {

std::string value_text(const ConfigValue& v) { return toml_value_text(v); }


std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

// Converts a parsed TOML value to the schema type; nullopt if the type does not fit.
std::optional<ConfigValue> convert(const toml::value& v, ValueType type) {
    switch (type) {
        case ValueType::real:
            if (v.is_floating()) return v.as_floating();
            if (v.is_integer()) return static_cast<double>(v.as_integer());
            return std::nullopt;
        case ValueType::integer:
            if (v.is_integer()) return static_cast<std::int64_t>(v.as_integer());
            return std::nullopt;
        case ValueType::boolean:
            if (v.is_boolean()) return v.as_boolean();
            return std::nullopt;
        case ValueType::string:
            if (v.is_string()) return v.as_string().str;
            return std::nullopt;
        case ValueType::real_list: {
            if (!v.is_array()) return std::nullopt;
            std::vector<double> out;
            for (const auto& e : v.as_array()) {
                if (e.is_floating()) out.push_back(e.as_floating());
                else if (e.is_integer()) out.push_back(static_cast<double>(e.as_integer()));
                else return std::nullopt;
            }
            return out;
        }
    }
    return std::nullopt;
}

toml::value parse_toml(std::string_view text, std::string_view origin) { return parse_toml_text(text, std::string(origin)); }

}  // namespace

std::string KeySpec::range_text() const {
    if (!choices.empty()) {
        std::string s = "one of ";
        for (std::size_t i = 0; i < choices.size(); ++i) s += (i ? ", " : "") + choices[i];
        return s;
    }
    if (type == ValueType::boolean) return "true or false";
    if (type == ValueType::string) return "a string";
    const bool lo = std::isfinite(min), hi = std::isfinite(max);
    if (!lo && !hi) return "any finite number";
    const bool whole = type == ValueType::integer;
    const auto bound = [whole](double v) { return whole ? std::to_string(static_cast<long long>(v)) : toml_float_text(v); };
    std::string s = lo ? (min_exclusive ? "(" : "[") + bound(min) : "(-inf";
    s += ", ";
    s += hi ? bound(max) + (max_exclusive ? ")" : "]") : (max_exclusive ? "inf)" : "inf]");
    return whole ? "an integer in " + s : s;
}

Schema::Schema(std::vector<KeySpec> keys) : keys_(std::move(keys)) {}

const KeySpec* Schema::find(std::string_view key) const {
    for (const auto& k : keys_)
        if (k.key == key) return &k;
    return nullptr;
}

std::string Schema::nearest(std::string_view key) const {
    std::string best;
    std::size_t best_d = std::string::npos;
    for (const auto& k : keys_) {
        // Compare with the whole key and with its name alone, so "pitch_um" finds "detector.pitch_um".
        const std::string_view name = std::string_view(k.key).substr(k.key.find('.') + 1);
        const std::size_t d = std::min(edit_distance(key, k.key), edit_distance(key, name) + 1);
        if (d < best_d) best_d = d, best = k.key;
    }
    return best;
}

Config::Config(const Schema& schema) : schema_(&schema) {
    for (const auto& k : schema.keys()) values_.emplace(k.key, k.default_value);
}

Config Config::defaults(const Schema& schema) { return Config(schema); }

Config Config::load(const Schema& schema, const ConfigSources& sources) {
    Config c(schema);
    if (sources.preset) {
        c.merge_toml(preset_text(*sources.preset), "preset '" + *sources.preset + "'");
        c.applied_.push_back("preset " + *sources.preset);
    }
    if (sources.file) {
        const std::string where = "config file '" + sources.file->string() + "'";
        c.merge_toml(read_text_file(*sources.file, where), where);
        c.applied_.push_back("file " + sources.file->string());
    }
    for (const auto& o : sources.overrides) {
        c.set(o, set_origin(o));
        c.applied_.push_back("set " + o);
    }
    return c;
}

void Config::assign(const KeySpec& spec, ConfigValue value, std::string_view origin) {
    const auto check = [&](double x) {
        const bool below = spec.min_exclusive ? !(x > spec.min) : !(x >= spec.min);
        const bool above = spec.max_exclusive ? !(x < spec.max) : !(x <= spec.max);
        // +inf is a value only where the range is open to it (a resistance of inf: none).
        const bool allowed_inf = x > 0 && std::isinf(x) && std::isinf(spec.max) && !spec.max_exclusive;
        if ((!std::isfinite(x) && !allowed_inf) || below || above)
            throw InputError(std::string(origin) + ": " + spec.key + " = " + toml_float_text(x) + " is out of range; allowed: " +
                             spec.range_text());
    };
    if (auto* d = std::get_if<double>(&value)) check(*d);
    if (auto* i = std::get_if<std::int64_t>(&value)) check(static_cast<double>(*i));
    if (auto* l = std::get_if<std::vector<double>>(&value)) {
        if (l->empty()) throw InputError(std::string(origin) + ": " + spec.key + " must not be empty");
        for (double x : *l) check(x);
    }
    if (auto* s = std::get_if<std::string>(&value); s && !spec.choices.empty() &&
                                                    std::find(spec.choices.begin(), spec.choices.end(), *s) == spec.choices.end())
        throw InputError(std::string(origin) + ": " + spec.key + " = \"" + *s + "\" is not allowed; allowed: " + spec.range_text());
    values_[spec.key] = std::move(value);
}

void Config::merge_toml(std::string_view toml_text, std::string_view origin) {
    const toml::value root = parse_toml(toml_text, origin);
    for (const auto& [section, table] : root.as_table()) {
        if (!table.is_table())
            throw InputError(std::string(origin) + ": key '" + section + "' must be inside a [section]; did you mean '" +
                             schema_->nearest(section) + "'?");
        for (const auto& [name, v] : table.as_table()) {
            const std::string key = section + "." + name;
            const KeySpec* spec = schema_->find(key);
            if (!spec)
                throw InputError(std::string(origin) + ": unknown key '" + key + "'; did you mean '" + schema_->nearest(key) + "'?");
            auto converted = convert(v, spec->type);
            if (!converted)
                throw InputError(std::string(origin) + ": " + key + " must be " + type_name(spec->type) + " (" + spec->range_text() + ")");
            assign(*spec, std::move(*converted), origin);
        }
    }
}

std::string Config::set_origin(std::string_view assignment) {
    constexpr std::size_t shown = 80;
    std::string out = "--set ";
    for (std::size_t i = 0; i < assignment.size() && i < shown; ++i) {
        if (assignment[i] == '\n') out += "\\n";
        else if (assignment[i] == '\r') out += "\\r";
        else out += assignment[i];
    }
    if (assignment.size() > shown) out += "… (" + std::to_string(assignment.size()) + " characters)";
    return out;
}

void Config::set(std::string_view assignment, std::string_view origin) {
    // One --set sets one key to one value: a line break would let the TOML reader take further
    // lines (a table header, other keys) and drop them without a word.
    if (assignment.find_first_of("\n\r") != std::string_view::npos)
        throw InputError(std::string(origin) + ": the assignment holds a line break; one --set sets one key to one value on one line");
    const auto eq = assignment.find('=');
    if (eq == std::string_view::npos)
        throw InputError(std::string(origin) + ": expected section.key=value");
    const std::string key = trim(assignment.substr(0, eq));
    const std::string text = trim(assignment.substr(eq + 1));
    const KeySpec* spec = schema_->find(key);
    if (!spec) throw InputError(std::string(origin) + ": unknown key '" + key + "'; did you mean '" + schema_->nearest(key) + "'?");
    if (text.empty()) throw InputError(std::string(origin) + ": no value given for " + key);
    const std::string assignment_text = "v = " + text;
    check_toml_bounds(assignment_text, std::string(origin));
    std::optional<ConfigValue> value;
    try {
        std::istringstream in(assignment_text);
        value = convert(toml::find(toml::parse(in, std::string(origin)), "v"), spec->type);
    } catch (const std::exception&) {
        // Not a TOML value: a bare word is taken as a string (--set eac.weights=ternary).
        if (spec->type == ValueType::string) value = text;
    }
    if (!value)
        throw InputError(std::string(origin) + ": " + key + " must be " + type_name(spec->type) + " (" + spec->range_text() + ")");
    assign(*spec, std::move(*value), origin);
}

const ConfigValue& Config::value(std::string_view key) const {
    if (!schema_->find(key)) throw std::logic_error("config key '" + std::string(key) + "' not in the schema");
    return values_.find(key)->second;
}

const ConfigValue& Config::at(std::string_view key, ValueType type) const {
    const KeySpec* spec = schema_->find(key);
    if (!spec || spec->type != type) throw std::logic_error("config key '" + std::string(key) + "' not in the schema with this type");
    return values_.find(key)->second;
}

double Config::real(std::string_view key) const { return std::get<double>(at(key, ValueType::real)); }
std::int64_t Config::integer(std::string_view key) const { return std::get<std::int64_t>(at(key, ValueType::integer)); }
bool Config::boolean(std::string_view key) const { return std::get<bool>(at(key, ValueType::boolean)); }
const std::string& Config::string(std::string_view key) const { return std::get<std::string>(at(key, ValueType::string)); }
const std::vector<double>& Config::reals(std::string_view key) const {
    return std::get<std::vector<double>>(at(key, ValueType::real_list));
}

std::string Config::to_toml() const {
    std::ostringstream out;
    std::string section;
    for (const auto& spec : schema_->keys()) {
        const std::string sec = spec.key.substr(0, spec.key.find('.'));
        if (sec != section) {
            out << (section.empty() ? "" : "\n") << "[" << sec << "]\n";
            section = sec;
        }
        out << spec.key.substr(spec.key.find('.') + 1) << " = " << value_text(values_.find(spec.key)->second) << "\n";
    }
    return out.str();
}

std::vector<std::string> preset_names() {
    std::vector<std::string> names;
    for (const auto& p : embedded_presets()) names.emplace_back(p.name);
    return names;
}

std::string preset_text(std::string_view name) {
    for (const auto& p : embedded_presets())
        if (p.name == name) return std::string(p.toml);
    std::string list;
    for (const auto& n : preset_names()) list += (list.empty() ? "" : ", ") + n;
    throw InputError("unknown preset '" + std::string(name) + "'; available: " + list);
}

}  // namespace accel::sim
