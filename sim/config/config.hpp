#pragma once
// Configuration: a typed, range-checked set of keys "section.name_unit", each with a
// default and the source of that default. The effective configuration is built, in order,
// from the schema defaults, a preset, a TOML file and `--set section.key=value` overrides;
// every value is validated once, here, and unknown keys are rejected with the nearest valid
// key suggested. Physics code never sees TOML: sim/ converts a Config into parameter structs.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace accel::sim {

enum class ValueType { real, integer, boolean, string, real_list };

using ConfigValue = std::variant<double, std::int64_t, bool, std::string, std::vector<double>>;

// One key of the schema. Ranges apply to reals, integers and every element of a real list.
struct KeySpec {
    std::string key;  // "section.name_unit"
    ValueType type = ValueType::real;
    ConfigValue default_value;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool min_exclusive = false;
    bool max_exclusive = false;
    std::vector<std::string> choices;  // allowed strings, when not empty
    std::string description;           // what it is, with its unit
    std::string source;                // where the default comes from

    [[nodiscard]] std::string range_text() const;  // "(0, 1]", "one of binary, ternary", ...
};

class Schema {
public:
    explicit Schema(std::vector<KeySpec> keys);
    [[nodiscard]] const KeySpec* find(std::string_view key) const;
    [[nodiscard]] const std::vector<KeySpec>& keys() const { return keys_; }
    // The valid key closest to `key` by edit distance (for "did you mean").
    [[nodiscard]] std::string nearest(std::string_view key) const;

private:
    std::vector<KeySpec> keys_;
};

// Where a configuration comes from; applied in this order over the schema defaults.
struct ConfigSources {
    std::optional<std::string> preset;            // name of an embedded preset (configs/NAME.toml)
    std::optional<std::filesystem::path> file;    // -c FILE.toml
    std::vector<std::string> overrides;           // --set section.key=value, in order
};

class Config {
public:
    // Throws InputError naming the preset, file, key or override at fault.
    static Config load(const Schema& schema, const ConfigSources& sources);
    // The schema defaults alone.
    static Config defaults(const Schema& schema);

    [[nodiscard]] double real(std::string_view key) const;
    [[nodiscard]] std::int64_t integer(std::string_view key) const;
    [[nodiscard]] bool boolean(std::string_view key) const;
    [[nodiscard]] const std::string& string(std::string_view key) const;
    [[nodiscard]] const std::vector<double>& reals(std::string_view key) const;
    // The value of any schema key, whatever its type.
    [[nodiscard]] const ConfigValue& value(std::string_view key) const;

    // Applies "section.key=value" (value in TOML syntax; a bare word is taken as a string).
    // `origin` names where it came from in error messages.
    void set(std::string_view assignment, std::string_view origin);
    // The origin of a --set in messages: "--set " and the assignment, cut after 80 characters
    // and with line breaks shown as \n, so that the message stays one readable line.
    [[nodiscard]] static std::string set_origin(std::string_view assignment);
    // Applies every key of a TOML document (tables are sections).
    void merge_toml(std::string_view toml_text, std::string_view origin);

    // The effective configuration as TOML, one table per section, keys in schema order.
    [[nodiscard]] std::string to_toml() const;
    [[nodiscard]] const Schema& schema() const { return *schema_; }
    [[nodiscard]] const std::vector<std::string>& applied() const { return applied_; }  // preset / file / overrides used

private:
    explicit Config(const Schema& schema);
    void assign(const KeySpec& spec, ConfigValue value, std::string_view origin);
    [[nodiscard]] const ConfigValue& at(std::string_view key, ValueType type) const;

    const Schema* schema_;
    std::map<std::string, ConfigValue, std::less<>> values_;
    std::vector<std::string> applied_;
};

// A value as TOML text (toml_text.hpp): reals in their shortest round-trip form with a decimal
// point or exponent ("10.0", "1e-08"), strings quoted with TOML's escapes (a path holding " or
// \ survives), lists bracketed. Config::set and merge_toml read it back to the same value.
[[nodiscard]] std::string toml_value_text(const ConfigValue& v);

// Levenshtein distance, for the "did you mean" of unknown keys.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

// Embedded presets (configs/*.toml compiled into the binary, so it needs no data files).
[[nodiscard]] std::vector<std::string> preset_names();
// The TOML text of a preset; InputError listing the available ones if it does not exist.
[[nodiscard]] std::string preset_text(std::string_view name);

}  // namespace accel::sim
