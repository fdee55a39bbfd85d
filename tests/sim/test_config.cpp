// Configuration: defaults, the preset → file → --set order, validation at the boundary
// (unknown keys with a suggestion, types, ranges, choices), the TOML round trip, presets and
// the checks that span several keys.

#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/config/text_file.hpp"
#include "accel/sim/config/toml_text.hpp"
#include "accel/sim/run/run_data.hpp"

namespace fs = std::filesystem;
using namespace accel::sim;
using accel::InputError;
using Catch::Matchers::Contains;

namespace {

const Schema& schema() {
    static const Schema s = accel_schema();
    return s;
}

// A folder for the test's TOML files, removed at the end.
struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;  // test-local naming only
        path = fs::temp_directory_path() / ("accel-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    [[nodiscard]] fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return path / name;
    }
};

Config load(std::optional<std::string> preset, std::optional<fs::path> file, std::vector<std::string> overrides) {
    ConfigSources src;
    src.preset = std::move(preset);
    src.file = std::move(file);
    src.overrides = std::move(overrides);
    return Config::load(schema(), src);
}

Config with_sets(std::vector<std::string> overrides) { return load(std::nullopt, std::nullopt, std::move(overrides)); }

// The message of the InputError `f` throws; fails the test if it throws nothing or another type.
template <class F>
std::string input_error(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    FAIL("no InputError thrown");
    return {};
}

std::string range_of(const std::string& key) {
    const KeySpec* spec = schema().find(key);
    REQUIRE(spec != nullptr);
    return spec->range_text();
}

}  // namespace

TEST_CASE("Config defaults load and every key reads back with its type", "[unit][config]") {
    const Config c = with_sets({});
    CHECK(c.to_toml() == Config::defaults(schema()).to_toml());
    CHECK(c.string("design.architecture") == "accel");
    CHECK(c.integer("design.seed") == 1);
    CHECK(c.real("chip.frame_time_ns") == 72.0);
    CHECK(c.real("photodiode.quantum_efficiency") == 0.6);
    CHECK(std::isinf(c.real("photodiode.shunt_resistance_ohm")));
    CHECK(c.reals("optics.distances_mm") == std::vector<double>{140.0, 145.0});
    CHECK(c.boolean("optics.band_limit"));
    CHECK(c.applied().empty());
    std::set<std::string> seen;
    for (const auto& k : schema().keys()) {
        INFO(k.key);
        CHECK(seen.insert(k.key).second);  // unique
        CHECK(k.key.find('.') != std::string::npos);
        CHECK_FALSE(k.description.empty());
        CHECK_FALSE(k.source.empty());
        switch (k.type) {
            case ValueType::real: CHECK_NOTHROW(c.real(k.key)); break;
            case ValueType::integer: CHECK_NOTHROW(c.integer(k.key)); break;
            case ValueType::boolean: CHECK_NOTHROW(c.boolean(k.key)); break;
            case ValueType::string: CHECK_NOTHROW(c.string(k.key)); break;
            case ValueType::real_list: CHECK_NOTHROW(c.reals(k.key)); break;
        }
    }
    // Asking for a key with the wrong type, or one not in the schema, is a programming error.
    CHECK_THROWS_AS(c.integer("chip.frame_time_ns"), std::logic_error);
    CHECK_THROWS_AS(c.real("chip.no_such_key"), std::logic_error);
    // Every default passes its own range check: loading the defaults' TOML validates each one.
    TempDir dir;
    CHECK_NOTHROW(load(std::nullopt, dir.write("defaults.toml", c.to_toml()), {}));
}

TEST_CASE("A preset overrides the defaults, a file the preset, and --set the file", "[unit][config]") {
    TempDir dir;
    const auto file = dir.write("over.toml", "[chip]\nframe_time_ns = 100.0\n\n[eac]\noutputs = 5\n");

    const Config preset = load("digital-baseline", std::nullopt, {});
    CHECK(preset.string("design.architecture") == "digital");       // default "accel"
    CHECK(preset.real("digital.exposure_time_ns") == 72.0);
    CHECK(preset.applied() == std::vector<std::string>{"preset digital-baseline"});

    const Config from_file = load("accel-2023", file, {});
    CHECK(from_file.real("chip.frame_time_ns") == 100.0);  // the preset says 72
    CHECK(from_file.integer("eac.outputs") == 5);
    CHECK(from_file.real("optics.mask_pitch_um") == 9.2);  // the preset's value survives

    const Config from_set = load("accel-2023", file, {"chip.frame_time_ns=80", "eac.weights=ternary"});
    CHECK(from_set.real("chip.frame_time_ns") == 80.0);
    CHECK(from_set.integer("eac.outputs") == 5);
    CHECK(from_set.string("eac.weights") == "ternary");
    CHECK(from_set.applied().size() == 4);

    // Later --set wins over earlier.
    CHECK(with_sets({"chip.frame_time_ns=80", "chip.frame_time_ns=90"}).real("chip.frame_time_ns") == 90.0);
}

TEST_CASE("Unknown keys are rejected with the nearest valid key suggested", "[unit][config]") {
    TempDir dir;
    const auto file = dir.write("typo.toml", "[eac]\nline_capacitance_pF = 3.0\n");
    const std::string from_file = input_error([&] { (void)load("accel-2023", file, {}); });
    CHECK_THAT(from_file, Contains("'eac.line_capacitance_pF'") && Contains("did you mean 'eac.line_capacitance_fF'") &&
                              Contains(file.string()));
    const std::string from_set = input_error([] { (void)with_sets({"eac.line_capacitance_pF=3"}); });
    CHECK_THAT(from_set, Contains("--set eac.line_capacitance_pF=3") && Contains("'eac.line_capacitance_pF'") &&
                             Contains("did you mean 'eac.line_capacitance_fF'"));
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, dir.write("section.toml", "[detektor]\nrows = 4\n"), {}); }),
               Contains("'detektor.rows'") && Contains("did you mean 'detector.rows'"));
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, dir.write("bare.toml", "frame_time_ns = 3.0\n"), {}); }),
               Contains("[section]") && Contains("chip.frame_time_ns"));
    CHECK(schema().nearest("pitch_um") == "detector.pitch_um");
    CHECK(schema().nearest("photodiode.quantum_eficiency") == "photodiode.quantum_efficiency");
}

TEST_CASE("Values of the wrong type are rejected naming the key and the expected type", "[unit][config]") {
    CHECK_THAT(input_error([] { (void)with_sets({"eac.outputs=2.5"}); }), Contains("eac.outputs") && Contains("must be an integer"));
    CHECK_THAT(input_error([] { (void)with_sets({"chip.frame_time_ns=fast"}); }),
               Contains("chip.frame_time_ns") && Contains("must be a number"));
    CHECK_THAT(input_error([] { (void)with_sets({"optics.band_limit=maybe"}); }),
               Contains("optics.band_limit") && Contains("true or false"));
    CHECK_THAT(input_error([] { (void)with_sets({"optics.distances_mm=5"}); }),
               Contains("optics.distances_mm") && Contains("a list of numbers"));
    CHECK_THAT(input_error([] { (void)with_sets({"eac.weights=1"}); }), Contains("eac.weights") && Contains("must be a string"));
    TempDir dir;
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, dir.write("t.toml", "[photodiode]\nquantum_efficiency = \"high\"\n"), {}); }),
               Contains("photodiode.quantum_efficiency") && Contains("must be a number") && Contains("(0.0, 1.0]"));
    // An integer is a valid real.
    CHECK(with_sets({"chip.frame_time_ns=100"}).real("chip.frame_time_ns") == 100.0);
}

TEST_CASE("Out-of-range values are rejected naming the key and the allowed range", "[unit][config]") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"photodiode.quantum_efficiency", "0"},   {"photodiode.quantum_efficiency", "1.5"}, {"eac.line_capacitance_fF", "-1"},
        {"photodiode.capacitance_fF", "-2.5"},    {"chip.frame_time_ns", "0"},             {"chip.frame_time_ns", "inf"},
        {"chip.frame_time_ns", "nan"},            {"eac.outputs", "0"},                    {"eac.pixel_gain_sigma", "0.5"},
        {"optics.distances_mm", "[140.0, -1.0]"}, {"photodiode.shunt_resistance_ohm", "0"}, {"photodiode.shunt_resistance_ohm", "-inf"},
    };
    TempDir dir;
    for (const auto& [key, value] : cases) {
        const std::string assignment = key + "=" + value;
        INFO(assignment);
        const std::string message = input_error([&] { (void)with_sets({assignment}); });
        CHECK_THAT(message, Contains(key) && Contains("out of range") && Contains("allowed: " + range_of(key)));
        // The same through a file.
        const std::string section = key.substr(0, key.find('.')), name = key.substr(key.find('.') + 1);
        const auto file = dir.write("range.toml", "[" + section + "]\n" + name + " = " + value + "\n");
        CHECK_THAT(input_error([&] { (void)load(std::nullopt, file, {}); }), Contains(key) && Contains(range_of(key)));
    }
    CHECK(range_of("photodiode.quantum_efficiency") == "(0.0, 1.0]");
    CHECK(range_of("eac.outputs") == "an integer in [1, 4096]");
    CHECK(range_of("photodiode.shunt_resistance_ohm") == "(0.0, inf]");
    CHECK_THAT(input_error([] { (void)with_sets({"optics.distances_mm=[]"}); }), Contains("optics.distances_mm") && Contains("empty"));
}

TEST_CASE("String choices are checked, and bare words in --set are strings", "[unit][config]") {
    CHECK_THAT(input_error([] { (void)with_sets({"eac.weights=quaternary"}); }),
               Contains("eac.weights") && Contains("\"quaternary\"") && Contains("one of binary, ternary"));
    CHECK(with_sets({"eac.weights=ternary"}).string("eac.weights") == "ternary");
    CHECK(with_sets({"eac.weights=\"ternary\""}).string("eac.weights") == "ternary");
    CHECK(with_sets({"eac.weights = ternary"}).string("eac.weights") == "ternary");
    CHECK(with_sets({"design.architecture=digital"}).string("design.architecture") == "digital");
    CHECK(range_of("eac.weights") == "one of binary, ternary");
}

TEST_CASE("inf is allowed for the photodiode shunt resistance only", "[unit][config]") {
    CHECK(std::isinf(with_sets({"photodiode.shunt_resistance_ohm=inf"}).real("photodiode.shunt_resistance_ohm")));
    CHECK(std::isinf(with_sets({"photodiode.shunt_resistance_ohm=+inf"}).real("photodiode.shunt_resistance_ohm")));
    CHECK(with_sets({"photodiode.shunt_resistance_ohm=1e6"}).real("photodiode.shunt_resistance_ohm") == 1e6);
    TempDir dir;
    const Config from_file = load(std::nullopt, dir.write("r.toml", "[photodiode]\nshunt_resistance_ohm = inf\n"), {});
    CHECK(std::isinf(from_file.real("photodiode.shunt_resistance_ohm")));
    CHECK_THAT(from_file.to_toml(), Contains("shunt_resistance_ohm = inf"));
    // Keys with a finite upper limit reject it (checked in the range test too).
    CHECK_THROWS_AS(with_sets({"photodiode.dark_current_fA=inf"}), InputError);
}

TEST_CASE("The printed TOML loads back to the same configuration", "[unit][config]") {
    TempDir dir;
    const Config c = load("accel-2023", std::nullopt,
                          {"photodiode.shunt_resistance_ohm=inf", "eac.weights=ternary", "optics.distances_mm=[0.1, 100.30000000000001, 3]",
                           "eac.pixel_gain_sigma=0.30000000000000004", "design.seed=9000000000000000", "light.energy_density_fJ_per_um2=1e-7",
                           "chip.frames_per_weight_load=1e18", "optics.band_limit=false", "detector.centre_x_um=-12.5"});
    const std::string text = c.to_toml();
    const Config again = load(std::nullopt, dir.write("round.toml", text), {});
    CHECK(again.to_toml() == text);
    CHECK(again.real("eac.pixel_gain_sigma") == 0.30000000000000004);  // shortest round-trip form
    CHECK(again.reals("optics.distances_mm") == std::vector<double>{0.1, 100.30000000000001, 3.0});
    CHECK(again.integer("design.seed") == 9000000000000000);
    CHECK(again.real("light.energy_density_fJ_per_um2") == 1e-7);
    CHECK_FALSE(again.boolean("optics.band_limit"));
    // Every preset round-trips too.
    for (const auto& name : preset_names()) {
        INFO(name);
        const std::string p = load(name, std::nullopt, {}).to_toml();
        CHECK(load(std::nullopt, dir.write(name + ".toml", p), {}).to_toml() == p);
    }
}

TEST_CASE("Strings holding quotes, backslashes and control characters read back from the written TOML", "[unit][config]") {
    // What a data path may hold: a quote or a backslash (Windows-style or escaped names), a
    // tab, and the control characters TOML allows only escaped; UTF-8 passes as it is.
    const std::vector<std::string> strings = {
        "/data/\"quoted\" set",   "C:\\data\\mnist\\",  "a\\\"b\\\\c\"",       "tab\there",
        "line\nbreak\r\n",        "\b\f\x01\x1f\x7f",   "µm → ü",              "x\" # not a comment",
        "' [table] = 1",          "",                   "\\u0041 stays literal", "ends in a backslash\\",
    };
    for (const std::string& s : strings) {
        INFO("string: " << s);
        const std::string text = toml_value_text(ConfigValue(s));
        CHECK(text.find_first_of("\n\r") == std::string::npos);  // one line, as a --set must be
        // Through --set (Config::set) ...
        Config set = Config::defaults(schema());
        set.set("data.mnist_dir=" + text, "test");
        CHECK(set.string("data.mnist_dir") == s);
        // ... through a TOML document (merge_toml) ...
        Config merged = Config::defaults(schema());
        merged.merge_toml("[data]\nmnist_dir = " + text + "\n", "test");
        CHECK(merged.string("data.mnist_dir") == s);
        // ... and through the whole printed configuration, as config_toml stores it.
        Config again = Config::defaults(schema());
        again.merge_toml(set.to_toml(), "config_toml");
        CHECK(again.string("data.mnist_dir") == s);
        CHECK(again.to_toml() == set.to_toml());
    }
}

TEST_CASE("The TOML value writer escapes per TOML's basic strings and keeps reals floats", "[unit][config]") {
    CHECK(toml_string_text("plain") == "\"plain\"");
    CHECK(toml_string_text("a\"b\\c") == R"("a\"b\\c")");
    CHECK(toml_string_text("\b\t\n\f\r") == R"("\b\t\n\f\r")");
    CHECK(toml_string_text(std::string("\x01\x1f\x7f", 3)) == R"("\u0001\u001F\u007F")");
    CHECK(toml_string_text("µm") == "\"µm\"");
    CHECK(toml_float_text(10.0) == "10.0");
    CHECK(toml_float_text(1e-8) == "1e-08");
    CHECK(toml_float_text(0.1 + 0.2) == "0.30000000000000004");
    CHECK(toml_float_text(-0.0) == "-0.0");
    CHECK(toml_float_text(std::numeric_limits<double>::infinity()) == "inf");
    CHECK(toml_float_text(-std::numeric_limits<double>::infinity()) == "-inf");
    CHECK(toml_float_text(std::numeric_limits<double>::quiet_NaN()) == "nan");
    CHECK(toml_value_text(ConfigValue(std::vector<double>{1.0, 2.5})) == "[1.0, 2.5]");
    CHECK(toml_value_text(ConfigValue(std::int64_t{-3})) == "-3");
    // The number formats of messages (core/format.hpp).
    CHECK(accel::core::shortest_text(0.03) == "0.03");
    CHECK(accel::core::shortest_text(5399.999999999999) == "5399.999999999999");
    CHECK(accel::core::general_text(8e-6) == "8e-06");
    CHECK(accel::core::general_text(1234567.0) == "1.23457e+06");
    CHECK(accel::core::general_text(5399.999999999999, 4) == "5400");
    CHECK(accel::core::general_text(0.000123456, 3) == "0.000123");
    CHECK(accel::core::general_text(1.0 / 3.0, 40) == accel::core::general_text(1.0 / 3.0, 17));  // at most 17 digits
}

TEST_CASE("Presets are listed, and an unknown preset names the available ones", "[unit][config]") {
    const auto names = preset_names();
    CHECK(std::find(names.begin(), names.end(), "accel-2023") != names.end());
    CHECK(std::find(names.begin(), names.end(), "digital-baseline") != names.end());
    const std::string message = input_error([] { (void)load("nonexistent", std::nullopt, {}); });
    CHECK_THAT(message, Contains("'nonexistent'"));
    for (const auto& n : names) CHECK_THAT(message, Contains(n));
    CHECK_THROWS_AS(preset_text("accel-2024"), InputError);
    CHECK_THAT(preset_text("accel-2023"), Contains("frame_time_ns = 72.0"));
}

TEST_CASE("Malformed sources are rejected naming the file or override", "[unit][config]") {
    TempDir dir;
    const fs::path missing = dir.path / "missing.toml";
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, missing, {}); }), Contains(missing.string()) && Contains("does not exist"));
    // A folder would read as an empty file, and a device as an endless one.
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, dir.path, {}); }), Contains(dir.path.string()) && Contains("is a folder"));
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, fs::path("/dev/zero"), {}); }),
               Contains("/dev/zero") && Contains("not a regular file"));
    const auto huge = dir.path / "huge.toml";
    fs::resize_file(dir.write("huge.toml", "# a comment\n"), max_text_file_bytes + 1);
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, huge, {}); }), Contains("huge.toml") && Contains("bytes"));
    const auto broken = dir.write("broken.toml", "[chip\nframe_time_ns = \n");
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, broken, {}); }), Contains(broken.string()) && Contains("not valid TOML"));
    CHECK_THAT(input_error([] { (void)with_sets({"chip.frame_time_ns"}); }), Contains("expected section.key=value"));
    CHECK_THAT(input_error([] { (void)with_sets({"chip.frame_time_ns="}); }), Contains("no value given for chip.frame_time_ns"));
}

TEST_CASE("A line capacitance of 0 comes from the layout and the gain setting, an offset of -1 from Pelgrom's law", "[unit][config]") {
    const auto run = [](std::vector<std::string> sets) { return describe_run(load("accel-2023", std::nullopt, std::move(sets))); };
    // The defaults are the layout's and Pelgrom's; the fixed values of the chip as first modelled remain.
    CHECK(run({}).compute_array.line_capacitance_F == Approx(7.904e-12 + 12e-12).epsilon(1e-12));
    CHECK(run({}).compute_array.comparator_offset_sigma_V == Approx(2.5e-3).epsilon(1e-12));
    CHECK(run({}).compute_array.auto_range);
    CHECK(run({}).compute_array.auto_zero);
    CHECK(run({"eac.line_capacitance_fF=20000", "eac.conversion_gain=fixed"}).compute_array.line_capacitance_F == 20000.0 * 1e-15);
    CHECK(run({"eac.comparator_offset_mV=1"}).compute_array.comparator_offset_sigma_V == 1.0 * 1e-3);
    // 32×32 photodiodes at 35 µm: 36.96 mm of wire at 0.2 fF/µm and 1024 switches of 0.5 fF,
    // 7.904 pF, plus the capacitor of the setting; the energy model uses the same value.
    const RunDescription lowest_gain = run({"eac.line_capacitance_fF=0"});
    CHECK(lowest_gain.compute_array.line_capacitance_F == Approx(7.904e-12 + 12e-12).epsilon(1e-12));
    CHECK(lowest_gain.accel_energy.line_capacitance_F == lowest_gain.compute_array.line_capacitance_F);
    CHECK(run({"eac.line_capacitance_fF=0", "eac.gain_setting=0"}).compute_array.line_capacitance_F == Approx(7.904e-12).epsilon(1e-12));
    CHECK(run({"eac.line_capacitance_fF=0", "eac.wire_capacitance_fF_per_um=0.1", "eac.switch_capacitance_fF=0", "eac.gain_setting=1"})
              .compute_array.line_capacitance_F == Approx(3.696e-12 + 4e-12).epsilon(1e-12));
    CHECK_THAT(input_error([&] { (void)run({"eac.line_capacitance_fF=0", "eac.gain_setting=3"}); }),
               Contains("eac.gain_setting = 3") && Contains("eac.integration_capacitors_fF"));
    // A_VT/√(W·L) = 5 mV·µm / √(4 µm × 1 µm) = 2.5 mV.
    CHECK(run({"eac.comparator_offset_mV=-1"}).compute_array.comparator_offset_sigma_V == Approx(2.5e-3).epsilon(1e-12));
    CHECK(run({"eac.comparator_offset_mV=-1", "eac.comparator_input_width_um=16"}).compute_array.comparator_offset_sigma_V ==
          Approx(1.25e-3).epsilon(1e-12));
    CHECK_THAT(input_error([&] { (void)run({"eac.comparator_offset_mV=-0.5"}); }), Contains("eac.comparator_offset_mV = -0.5"));
}

TEST_CASE("Consistency checks reject settings that contradict each other", "[unit][config]") {
    CHECK_NOTHROW(describe_run(load("accel-2023", std::nullopt, {})));
    CHECK_NOTHROW(describe_run(load("digital-baseline", std::nullopt, {})));
    CHECK_THAT(input_error([] { (void)describe_run(load("accel-2023", std::nullopt, {"chip.frame_time_ns=50"})); }),
               Contains("chip.integration_time_ns") && Contains("chip.frame_time_ns") && Contains("62") && Contains("50"));
    // 200 × 35 µm = 7 mm of photodiodes behind a 400 × 9.2 µm = 3.68 mm mask window.
    CHECK_THAT(input_error([] { (void)describe_run(load("accel-2023", std::nullopt, {"detector.rows=200", "detector.cols=200"})); }),
               Contains("detector") && Contains("window") && Contains("optics.mask_pixels"));
    CHECK_THAT(input_error([] { (void)describe_run(load("accel-2023", std::nullopt, {"eac.line_swing_V=2"})); }),
               Contains("eac.line_swing_V") && Contains("chip.analog_supply_V"));
    // With CDS the reset-level sample (2 ns) must fit in the frame beside the 62 ns integration.
    CHECK_NOTHROW(describe_run(load("accel-2023", std::nullopt, {"eac.correlated_double_sampling=true"})));
    CHECK_THAT(input_error([] {
                   (void)describe_run(load("accel-2023", std::nullopt, {"eac.correlated_double_sampling=true", "chip.integration_time_ns=71"}));
               }),
               Contains("eac.cds_sample_time_ns") && Contains("chip.frame_time_ns") && Contains("73") && Contains("72"));
    // energy_report runs the checks before computing anything.
    CHECK_THROWS_AS(energy_report(load("accel-2023", std::nullopt, {"chip.frame_time_ns=50"})), InputError);
    // A small array shifted off-centre beyond the window edge is caught too.
    CHECK_THROWS_AS((void)describe_run(load("accel-2023", std::nullopt, {"detector.centre_x_um=1500"})), InputError);
}

TEST_CASE("Text that is not UTF-8 is rejected before the TOML reader sees it", "[unit][config]") {
    // Found by fuzzing: a bad sequence inside a literal string made the TOML reader (toml11
    // 3.7) read out of bounds while reporting it.
    const fs::path found = fs::path(ACCEL_SOURCE_DIR) / "tests/fuzz/regressions/config-literal-string-bad-utf8.toml";
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, found, {}); }), Contains("config-literal-string-bad-utf8.toml") && Contains("UTF-8"));
    TempDir dir;
    CHECK_THAT(input_error([&] { (void)load(std::nullopt, dir.write("a.toml", "[eac]\nweights = 'bin\xC0\xAF" "ary'\n"), {}); }),
               Contains("line 2") && Contains("UTF-8"));  // an overlong '/'
    CHECK_THAT(input_error([] { (void)with_sets({"eac.weights='\xED\xA0\x80'"}); }), Contains("UTF-8"));  // a surrogate
    CHECK_THAT(input_error([] { (void)with_sets({"eac.weights='\xF4\x90\x80\x80'"}); }), Contains("UTF-8"));  // above U+10FFFF
    // Valid multi-byte text passes the check (and is then judged by the schema).
    CHECK_THAT(input_error([] { (void)with_sets({"eac.weights='bin\xC3\xA4ry'"}); }), !Contains("UTF-8"));
}

TEST_CASE("The TOML bounds count nesting and values outside strings and comments", "[unit][config]") {
    // Brackets, braces and dots inside strings and comments are not structure.
    const TomlShape plain = scan_toml_shape("[optics]\ndistances_mm = [1.5, 2.5] # [[[{{{ a.b.c\nname = \"[[[{{{\"\nlit = '''x.y[[\n]]'''\n");
    CHECK(plain.max_nesting == 3);  // [optics] distances_mm = [...]
    CHECK(plain.items == 7);        // three keys, one array and its second element, two strings
    CHECK(scan_toml_shape("a.b.c = 1\n").max_nesting == 3);
    CHECK(scan_toml_shape("[a.\"b.c\".d]\n").max_nesting == 3);
    CHECK(scan_toml_shape("x = {a = {b = [[1]]}}\n").max_nesting == 7);
    CHECK(scan_toml_shape("[[runs]]\nx = 1\n[[runs]]\nx = 2\n").max_nesting == 2);
    CHECK(scan_toml_shape("x = \"\\\"[[[\"\n").max_nesting == 1);  // an escaped quote does not end the string
    // Every preset and every study definition in the repository is far inside the bounds.
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(ACCEL_SOURCE_DIR) / "configs")) {
        if (entry.path().extension() != ".toml") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        const TomlShape shape = scan_toml_shape(text.str());
        INFO(entry.path());
        CHECK(shape.max_nesting <= 4);
        CHECK(shape.items < 400);
        CHECK_NOTHROW(check_toml_bounds(text.str(), entry.path().string()));
    }
    // Past the bounds: the depth or count found, and the limit.
    std::string deep = "x = ";
    for (std::size_t k = 0; k < max_toml_nesting; ++k) deep += "[";  // x = and 32 arrays: 33 levels
    CHECK_THAT(input_error([&] { check_toml_bounds(deep, "f.toml"); }), Contains("f.toml nests 33 levels deep") && Contains("at most 32"));
    std::string wide = "x = [0";
    for (std::size_t k = 0; k < max_toml_items; ++k) wide += ",0";
    CHECK_THAT(input_error([&] { check_toml_bounds(wide + "]", "f.toml"); }), Contains("holds about 16386 keys and values"));
}

// The authors' released geometry: one 500×500 mask at 3 µm, 3 mm to the sensor of which the
// last 0.6 mm are fused silica, MNIST ×16 in a 448-pixel window. A plate thicker than its gap
// is bad input naming both keys.
TEST_CASE("accel-2023-released puts a 0.6 mm fused-silica plate in its 3 mm gap", "[unit][config]") {
    const RunDescription r = describe_run(load("accel-2023-released", std::nullopt, {}));
    const auto gaps = r.optics.propagations();
    REQUIRE(gaps.size() == 1);
    CHECK(gaps[0].grid.n == 500);
    CHECK(gaps[0].grid.pitch_m == Approx(3e-6).epsilon(1e-12));
    CHECK(gaps[0].distance_m == Approx(3e-3).epsilon(1e-12));
    REQUIRE(gaps[0].slabs.size() == 1);
    CHECK(gaps[0].slabs[0].thickness_m == Approx(0.6e-3).epsilon(1e-12));
    CHECK(gaps[0].slabs[0].refractive_index == 1.4602);
    CHECK(gaps[0].vacuum_thickness_m() == Approx(2.4e-3).epsilon(1e-12));
    CHECK(r.optics.input_window_px == 448);
    // Without the key no gap holds a plate (every other preset).
    for (const auto& g : describe_run(load("accel-2023", std::nullopt, {})).optics.propagations()) CHECK(g.slabs.empty());
    const std::string e = input_error([] { (void)describe_run(load("accel-2023-released", std::nullopt, {"optics.plate_thickness_mm=4"})); });
    CHECK_THAT(e, Contains("optics.plate_thickness_mm") && Contains("optics.distances_mm"));
}

// The authors' anchors name the first 2,000 training images; the default draws N with the
// seed. Both from the synthetic set, whose split is fixed.
TEST_CASE("data.train_selection = first takes the training split's first N images in file order", "[unit][config]") {
    const RunDescription first = describe_run(load("synthetic-quick", std::nullopt, {"data.train_images=50", "data.train_selection=\"first\""}));
    const RunDescription drawn = describe_run(load("synthetic-quick", std::nullopt, {"data.train_images=50"}));
    CHECK(first.data.train_first);
    CHECK_FALSE(drawn.data.train_first);
    CHECK(describe_run(load("accel-2023-released", std::nullopt, {})).data.train_first);
    const RunData f = load_data(first, DataNeeds::train_and_test);
    const RunData d = load_data(drawn, DataNeeds::train_and_test);
    REQUIRE(f.train.size() == 50);
    REQUIRE(d.train.size() == 50);
    bool first_matches = true, drawn_matches = true;
    for (int i = 0; i < 50; ++i) {
        first_matches = first_matches && f.train.source_index_of(i) == i;
        drawn_matches = drawn_matches && d.train.source_index_of(i) == i;
    }
    CHECK(first_matches);
    CHECK_FALSE(drawn_matches);
    CHECK_THAT(input_error([] { (void)describe_run(load("synthetic-quick", std::nullopt, {"data.train_selection=\"last\""})); }),
               Contains("data.train_selection"));
}
