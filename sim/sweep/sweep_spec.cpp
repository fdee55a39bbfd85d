#include "accel/sim/sweep/sweep_spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <toml.hpp>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/config/text_file.hpp"
#include "accel/sim/config/toml_text.hpp"
#include "accel/sim/io/digest.hpp"

namespace accel::sim {
namespace {

namespace fs = std::filesystem;

// More points than anyone can compute is a typo (a range of 1e9 points), not a sweep.
constexpr std::size_t max_points = 1'000'000;

const std::vector<std::string> sweep_keys = {"preset", "config", "set", "run", "model", "combine", "chips", "noise_free", "keep_models"};
const std::vector<std::string> axis_keys = {"key", "values", "range"};
const std::vector<std::string> range_keys = {"from", "to", "points", "scale"};

std::string nearest_of(std::string_view key, const std::vector<std::string>& valid) {
    return *std::min_element(valid.begin(), valid.end(),
                             [&](const auto& a, const auto& b) { return edit_distance(key, a) < edit_distance(key, b); });
}

void check_known_keys(const toml::table& table, const std::vector<std::string>& valid, const std::string& where) {
    for (const auto& [name, value] : table)
        if (std::find(valid.begin(), valid.end(), name) == valid.end())
            throw InputError(where + ": unknown key '" + name + "'; did you mean '" + nearest_of(name, valid) + "'?");
}

// 12 significant digits: log-spaced points land on 1e-07, not 9.99999999999e-08.
double tidy(double v) { return std::strtod(core::general_text(v, 12).c_str(), nullptr); }

template <class T>
T get(const toml::value& v, const std::string& where, const char* expected) {
    try {
        return toml::get<T>(v);
    } catch (const std::exception&) {
        throw InputError(where + " must be " + expected);
    }
}

double number(const toml::value& v, const std::string& where) {
    if (v.is_integer()) return static_cast<double>(v.as_integer());
    if (v.is_floating() && std::isfinite(v.as_floating())) return v.as_floating();
    throw InputError(where + " must be a finite number");
}

// The values of a `range = {from, to, points, scale}` of an axis on a key of type `type`.
std::vector<std::string> range_values(const toml::value& range, const KeySpec& spec, const std::string& where) {
    if (!range.is_table()) throw InputError(where + ": range must be a table {from, to, points, scale}");
    check_known_keys(range.as_table(), range_keys, where + ".range");
    for (const char* k : {"from", "to", "points"})
        if (!range.contains(k)) throw InputError(where + ".range: missing '" + k + "'");
    const double from = number(range.at("from"), where + ".range.from"), to = number(range.at("to"), where + ".range.to");
    const auto& points_value = range.at("points");
    if (!points_value.is_integer()) throw InputError(where + ".range.points must be an integer");
    const std::int64_t points = points_value.as_integer();
    if (points < 1) throw InputError(where + ".range: empty range (points = " + std::to_string(points) + "); at least 1 point");
    if (static_cast<std::size_t>(points) > max_points) throw InputError(where + ".range: " + std::to_string(points) + " points is too many");
    const std::string scale = range.contains("scale") ? get<std::string>(range.at("scale"), where + ".range.scale", "a string") : "linear";
    if (scale != "linear" && scale != "log")
        throw InputError(where + ".range.scale = \"" + scale + "\": must be \"linear\" or \"log\"");
    if (spec.type != ValueType::real && spec.type != ValueType::integer)
        throw InputError(where + ": a range needs a numeric key; " + spec.key + " takes " + spec.range_text() + " (use values = [...])");
    if (scale == "log" && !(from > 0 && to > 0))
        throw InputError(where + ".range: a log range must not reach or cross zero (from = " + toml_float_text(from) + ", to = " + toml_float_text(to) + ")");
    if (points == 1 && from != to) throw InputError(where + ".range: one point needs from = to");
    std::vector<std::string> out;
    std::set<std::int64_t> integers;
    for (std::int64_t k = 0; k < points; ++k) {
        const double t = points == 1 ? 0.0 : static_cast<double>(k) / static_cast<double>(points - 1);
        double v = scale == "log" ? std::exp(std::log(from) + t * (std::log(to) - std::log(from))) : from + t * (to - from);
        if (k == 0) v = from;  // the end points exactly as written
        if (k == points - 1) v = to;
        if (spec.type == ValueType::integer) {
            const auto i = static_cast<std::int64_t>(std::llround(v));
            if (!integers.insert(i).second)
                throw InputError(where + ".range: " + std::to_string(points) + " points between " + toml_float_text(from) + " and " + toml_float_text(to) +
                                 " repeat integer values of " + spec.key + "; use fewer points or values = [...]");
            out.push_back(std::to_string(i));
        } else {
            out.push_back(toml_float_text(tidy(v)));
        }
    }
    return out;
}

// A TOML value as text that Config::set reads back to the same value (reals in their
// shortest round-trip form: 0.03, not 0.029999999999999999).
std::string value_text(const toml::value& v, const std::string& where) {
    if (v.is_floating()) return toml_float_text(v.as_floating());
    if (v.is_integer()) return std::to_string(v.as_integer());
    if (v.is_boolean()) return v.as_boolean() ? "true" : "false";
    if (v.is_string()) return toml_string_text(v.as_string().str);
    if (v.is_array()) {
        std::string s = "[";
        bool first = true;
        for (const auto& e : v.as_array()) {
            s += (first ? "" : ", ") + value_text(e, where);
            first = false;
        }
        return s + "]";
    }
    throw InputError(where + ": values must be numbers, strings, booleans or lists of numbers");
}

std::vector<std::string> list_values(const toml::value& values, const std::string& where) {
    if (!values.is_array()) throw InputError(where + ".values must be a list");
    std::vector<std::string> out;
    for (const auto& v : values.as_array()) out.push_back(value_text(v, where));
    if (out.empty()) throw InputError(where + ": empty values list");
    if (out.size() > max_points) throw InputError(where + ": too many values");
    return out;
}

fs::path resolve(const fs::path& base_file, const std::string& relative) {
    const fs::path p(relative);
    return p.is_absolute() ? p : base_file.parent_path() / p;
}

}  // namespace

const char* to_string(SweepRun run) {
    switch (run) {
        case SweepRun::eval: return "eval";
        case SweepRun::train: return "train";
        case SweepRun::energy: return "energy";
    }
    return "?";
}

const char* to_string(SweepCombine combine) { return combine == SweepCombine::grid ? "grid" : "zip"; }

SweepSpec load_sweep_spec(const fs::path& file, const Schema& schema) {
    SweepSpec spec;
    spec.file = file;
    const std::string where = "sweep file '" + file.string() + "'";
    spec.text = read_text_file(file, where);
    const toml::value root = parse_toml_text(spec.text, where, file.string());
    check_known_keys(root.as_table(), {"sweep", "axis"}, where);
    if (!root.contains("sweep") || !root.at("sweep").is_table()) throw InputError(where + ": missing the [sweep] table");
    const toml::value& s = root.at("sweep");
    check_known_keys(s.as_table(), sweep_keys, where + ": [sweep]");
    const std::string ws = where + ": sweep.";

    if (s.contains("preset")) spec.base.preset = get<std::string>(s.at("preset"), ws + "preset", "a string");
    if (s.contains("config")) spec.base.file = resolve(file, get<std::string>(s.at("config"), ws + "config", "a string (a file name)"));
    if (s.contains("set")) spec.base.overrides = get<std::vector<std::string>>(s.at("set"), ws + "set", "a list of \"section.key=value\" strings");
    const std::string run = s.contains("run") ? get<std::string>(s.at("run"), ws + "run", "a string") : "eval";
    if (run == "eval") spec.run = SweepRun::eval;
    else if (run == "train") spec.run = SweepRun::train;
    else if (run == "energy") spec.run = SweepRun::energy;
    else throw InputError(ws + "run = \"" + run + "\": must be \"eval\", \"train\" or \"energy\"");
    if (s.contains("model")) {
        if (spec.run != SweepRun::eval) throw InputError(ws + "model: only run = \"eval\" evaluates a given model");
        spec.model = resolve(file, get<std::string>(s.at("model"), ws + "model", "a string (a file name)"));
    }
    const std::string combine = s.contains("combine") ? get<std::string>(s.at("combine"), ws + "combine", "a string") : "grid";
    if (combine == "grid") spec.combine = SweepCombine::grid;
    else if (combine == "zip") spec.combine = SweepCombine::zip;
    else throw InputError(ws + "combine = \"" + combine + "\": must be \"grid\" or \"zip\"");
    if (s.contains("chips")) {
        const auto chips = get<std::int64_t>(s.at("chips"), ws + "chips", "an integer");
        if (chips < 1 || chips > 100000) throw InputError(ws + "chips = " + std::to_string(chips) + " is out of range; allowed: 1 to 100000");
        spec.chips = static_cast<int>(chips);
    }
    if (s.contains("noise_free")) spec.noise_free = get<bool>(s.at("noise_free"), ws + "noise_free", "true or false");
    if (s.contains("keep_models")) spec.keep_models = get<bool>(s.at("keep_models"), ws + "keep_models", "true or false");
    if (spec.keep_models && spec.run != SweepRun::train) throw InputError(ws + "keep_models: only run = \"train\" makes a model per point");

    if (!root.contains("axis")) throw InputError(where + ": no [[axis]]; a sweep needs at least one axis");
    const toml::value& axes = root.at("axis");
    if (!axes.is_array()) throw InputError(where + ": axis must be an array of tables ([[axis]])");
    std::size_t a = 0;
    for (const auto& axis : axes.as_array()) {
        const std::string wa = where + ": axis " + std::to_string(++a);
        if (!axis.is_table()) throw InputError(wa + " must be a table ([[axis]])");
        check_known_keys(axis.as_table(), axis_keys, wa);
        if (!axis.contains("key")) throw InputError(wa + ": missing 'key' (the config key to vary)");
        SweepAxis out;
        out.key = get<std::string>(axis.at("key"), wa + ".key", "a string");
        const KeySpec* key_spec = schema.find(out.key);
        if (!key_spec) throw InputError(wa + ": unknown key '" + out.key + "'; did you mean '" + schema.nearest(out.key) + "'?");
        for (const auto& other : spec.axes)
            if (other.key == out.key) throw InputError(wa + ": key '" + out.key + "' is already an axis");
        const bool has_values = axis.contains("values"), has_range = axis.contains("range");
        if (has_values == has_range) throw InputError(wa + " (" + out.key + "): give exactly one of values = [...] or range = {...}");
        out.values = has_values ? list_values(axis.at("values"), wa + " (" + out.key + ")")
                                : range_values(axis.at("range"), *key_spec, wa + " (" + out.key + ")");
        spec.axes.push_back(std::move(out));
    }
    if (spec.axes.empty()) throw InputError(where + ": no [[axis]]; a sweep needs at least one axis");
    if (spec.combine == SweepCombine::zip) {
        for (const auto& axis : spec.axes)
            if (axis.values.size() != spec.axes.front().values.size())
                throw InputError(where + ": combine = \"zip\" needs axes of equal length; " + spec.axes.front().key + " has " +
                                 std::to_string(spec.axes.front().values.size()) + " values, " + axis.key + " has " +
                                 std::to_string(axis.values.size()));
    } else {
        std::size_t total = 1;
        for (const auto& axis : spec.axes) {
            total *= axis.values.size();
            if (total > max_points) throw InputError(where + ": the grid has more than " + std::to_string(max_points) + " points");
        }
    }
    // Every value against the schema now, not when its point comes up hours later.
    Config probe = Config::defaults(schema);
    for (const auto& axis : spec.axes)
        for (const auto& v : axis.values) probe.set(axis.key + "=" + v, where + ": axis " + axis.key + " value " + v);
    return spec;
}

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
    std::vector<SweepPoint> points;
    const std::size_t axes = spec.axes.size();
    std::size_t total = spec.combine == SweepCombine::zip ? spec.axes.front().values.size() : 1;
    if (spec.combine == SweepCombine::grid)
        for (const auto& axis : spec.axes) total *= axis.values.size();
    for (std::size_t p = 0; p < total; ++p) {
        SweepPoint point;
        point.index = p;
        point.value_index.resize(axes);
        std::size_t rest = p;
        for (std::size_t a = axes; a-- > 0;) {  // the last axis varies fastest
            const std::size_t n = spec.axes[a].values.size();
            point.value_index[a] = spec.combine == SweepCombine::zip ? p : rest % n;
            rest /= n;
        }
        for (std::size_t a = 0; a < axes; ++a)
            point.assignments.push_back(spec.axes[a].key + "=" + spec.axes[a].values[point.value_index[a]]);
        points.push_back(std::move(point));
    }
    return points;
}

Config sweep_base_config(const SweepSpec& spec, const Schema& schema) {
    ConfigSources sources = spec.base;
    if (spec.chips > 0) sources.overrides.push_back("eval.chips=" + std::to_string(spec.chips));
    return Config::load(schema, sources);
}

Config point_config(const Config& base, const SweepPoint& point) {
    Config c = base;
    for (const auto& a : point.assignments) c.set(a, "sweep point " + std::to_string(point.index) + " (" + a + ")");
    return c;
}


std::string sweep_fingerprint(const SweepSpec& spec, const Config& base, const std::string& model_digest) {
    std::string canonical = std::string("run=") + to_string(spec.run) + "\ncombine=" + to_string(spec.combine) +
                            "\nnoise_free=" + (spec.noise_free ? "1" : "0") + "\nkeep_models=" + (spec.keep_models ? "1" : "0") +
                            "\nmodel=" + model_digest + "\n";
    for (const auto& axis : spec.axes) {
        canonical += "axis " + axis.key + ":";
        for (const auto& v : axis.values) canonical += " " + v;
        canonical += "\n";
    }
    Config c = base;
    c.set("train.threads=0", "sweep fingerprint");  // results do not depend on the thread count
    canonical += c.to_toml();                      // includes eval.chips
    return digest_hex(canonical.data(), canonical.size());
}

}  // namespace accel::sim
