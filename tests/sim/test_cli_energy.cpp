// `accel energy`, `accel presets` and `accel config` end to end: the real binary, its output,
// its HDF5 file and its exit codes.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "tests/optics/tolerances.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel::sim;
using accel::test::Tolerance;
using accel::test::within;
using Catch::Matchers::Contains;

using namespace accel::test;

namespace {

// The acceptance band of the published ACCEL figures (same as tests/analog/test_energy.cpp).
constexpr Tolerance published_tol{"published_accel_figure", 0.0, 0.02, "paper figures to 2-3 digits; ops convention inferred (DESIGN.md §9)"};

// Runs `accel <args>` with stdout and stderr captured to files in `dir`.
// Exit code 2 and exactly one stderr line, `accel: error: ...`, containing every culprit.
// The number printed before `unit` on the line starting with `label` ("throughput  4.551 POPS").
double printed_number(const std::string& text, const std::string& label, const std::string& unit) {
    const std::regex pattern(label + R"(\s+([-+0-9.eE]+) )" + unit);
    std::smatch m;
    REQUIRE(std::regex_search(text, m, pattern));
    return std::stod(m[1].str());
}

const Schema& schema() {
    static const Schema s = accel_schema();
    return s;
}

Config preset_config(const std::string& name) {
    ConfigSources src;
    src.preset = name;
    return Config::load(schema(), src);
}

std::string range_of(const std::string& key) { return schema().find(key)->range_text(); }

}  // namespace

TEST_CASE("energy: the accel-2023 preset prints 4.551 POPS and 74.83 POPS per W", "[cli][energy]") {
    TempDir dir;
    const Run r = run_accel(dir, "energy --preset accel-2023");
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, Contains("4.551 POPS") && Contains("74.83 POPS/W") && Contains("PFLOPS-equivalent"));
    const double pops = printed_number(r.out, "throughput", "POPS");
    const double pops_per_w = printed_number(r.out, "efficiency", "POPS/W");
    CHECK(within(published_tol, pops - 4.6, 4.6));
    CHECK(within(published_tol, pops_per_w - 74.8, 74.8));
    CHECK(printed_number(r.out, "latency", "ns") == 72.0);
    // Every component is listed; the optical source is marked as excluded.
    for (const auto& c : energy_report(preset_config("accel-2023")).components) CHECK_THAT(r.out, Contains(c.name));
    CHECK(std::regex_search(r.out, std::regex(R"(optical_source\s+[0-9.e+]+ pJ\s+excluded)")));
}

TEST_CASE("energy: the digital baseline runs and is far less efficient", "[cli][energy]") {
    TempDir dir;
    const Run r = run_accel(dir, "energy --preset digital-baseline");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("detect-then-compute"));
    CHECK(printed_number(r.out, "efficiency", "POPS/W") < 0.01);
}

TEST_CASE("energy: -o writes /energy with every component and the provenance block", "[cli][energy]") {
    TempDir dir;
    const std::string path = dir / "energy.h5";
    const Run r = run_accel(dir, "energy --preset accel-2023 --set chip.optical_source_in_systemic=true -o '" + path + "'");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());

    ConfigSources src;
    src.preset = "accel-2023";
    src.overrides = {"chip.optical_source_in_systemic=true"};
    const Config config = Config::load(schema(), src);
    const auto report = energy_report(config);

    const h5::InputFile file(path);
    const h5::Group& root = file.root();
    REQUIRE(root.has("energy"));
    const h5::Group energy = root.open_group("energy");
    CHECK(energy.attribute_double("throughput_POPS") == report.ops_per_s() * 1e-15);
    CHECK(energy.attribute_double("efficiency_POPS_per_W") == report.ops_per_J() * 1e-15);
    CHECK(energy.attribute_double("energy_per_frame_J") == report.energy_per_frame_J());
    CHECK(energy.attribute_double("latency_s") == report.latency_s);
    CHECK(report.latency_s == Approx(72e-9).epsilon(1e-15));
    CHECK(energy.attribute_double("total_ops_per_frame") == 2.0 * 160000 * 1024 + 2.0 * 1024 * 10);
    CHECK(energy.attribute_int64("optical_source_in_systemic") == 1);
    CHECK(within(published_tol, energy.attribute_double("throughput_POPS") - 4.6, 4.6));
    REQUIRE(energy.has("components"));
    const h5::Group components = energy.open_group("components");
    double sum = 0.0;
    for (const auto& c : report.components) {
        INFO(c.name);
        REQUIRE(components.has(c.name));
        const h5::Group g = components.open_group(c.name);
        CHECK(g.attribute_double("energy_J") == c.energy_J);
        CHECK(g.attribute_int64("systemic") == (c.systemic ? 1 : 0));
        CHECK(g.attribute_string("formula") == c.formula);
        if (g.attribute_int64("systemic") != 0) sum += g.attribute_double("energy_J");
    }
    CHECK(sum == Approx(energy.attribute_double("energy_per_frame_J")).epsilon(1e-12));

    for (const char* key : {"accel_version", "git_commit", "created_utc", "command_line", "config_toml", "fftw_version", "hdf5_version"})
        CHECK_FALSE(root.attribute_string(key).empty());
    CHECK(root.has_attribute("seed"));
    CHECK(root.attribute_int64("threads") >= 1);
    CHECK(root.attribute_string("config_toml") == config.to_toml());
    CHECK_THAT(root.attribute_string("command_line"), Contains("--preset accel-2023") && Contains("chip.optical_source_in_systemic=true"));
    CHECK(root.attribute_string("created_utc").back() == 'Z');
    // No temporary file is left next to the result.
    for (const auto& entry : fs::directory_iterator(dir.path)) CHECK_THAT(entry.path().filename().string(), !Contains(".tmp-"));
}

TEST_CASE("energy: --dry-run prints the effective TOML and computes nothing", "[cli][energy][config]") {
    TempDir dir;
    const Run r = run_accel(dir, "energy --preset accel-2023 --set eac.outputs=3 --set eac.weights=ternary --dry-run -o '" + dir / "x.h5" + "'");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("frame_time_ns = 72.0") && Contains("outputs = 3") && Contains("weights = \"ternary\""));
    CHECK_THAT(r.out, !Contains("POPS"));
    CHECK_FALSE(fs::exists(dir / "x.h5"));
    // What it prints is a configuration file that loads back to the same thing.
    write_text(dir / "dry.toml", r.out);
    const Run again = run_accel(dir, "energy -c '" + dir / "dry.toml" + "' --dry-run");
    REQUIRE(again.exit_code == 0);
    CHECK(again.out == r.out);
}

TEST_CASE("presets lists accel-2023 and digital-baseline with a description", "[cli][config]") {
    TempDir dir;
    const Run r = run_accel(dir, "presets");
    REQUIRE(r.exit_code == 0);
    CHECK(std::regex_search(r.out, std::regex(R"((^|\n)accel-2023 +\S)")));
    CHECK(std::regex_search(r.out, std::regex(R"((^|\n)digital-baseline +\S)")));
}

TEST_CASE("config prints the effective configuration, and --reference every key", "[cli][config]") {
    TempDir dir;
    const Run c = run_accel(dir, "config --preset digital-baseline --set eac.outputs=3");
    REQUIRE(c.exit_code == 0);
    CHECK_THAT(c.out, Contains("architecture = \"digital\"") && Contains("outputs = 3"));

    const Run r = run_accel(dir, "config --reference");
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("| key | default | allowed | meaning | source of the default |"));
    std::size_t rows = 0;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("| `", 0) == 0) ++rows;
    CHECK(rows == schema().keys().size());
    for (const auto& k : schema().keys()) {
        INFO(k.key);
        CHECK_THAT(r.out, Contains("| `" + k.key + "` |") && Contains(k.range_text()));
    }
    CHECK_THAT(r.out, Contains("| `chip.frame_time_ns` | `72.0` | " + range_of("chip.frame_time_ns")));
}

TEST_CASE("energy: bad values exit with code 2 and one line naming the key and the allowed range", "[cli][energy][config]") {
    TempDir dir;
    const std::string qe = "photodiode.quantum_efficiency";
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 --set " + qe + "=0"), {qe, range_of(qe)});
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 --set " + qe + "=1.5"), {qe, range_of(qe)});
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 --set eac.line_capacitance_fF=-1"),
                     {"eac.line_capacitance_fF", range_of("eac.line_capacitance_fF")});
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 --set chip.frame_time_ns=0"),
                     {"chip.frame_time_ns", range_of("chip.frame_time_ns")});
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 --set eac.weights=quaternary"),
                     {"eac.weights", "one of binary, ternary"});
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 --set eac.bogus_key=1"),
                     {"eac.bogus_key", "did you mean '" + schema().nearest("eac.bogus_key") + "'"});
    expect_bad_input(run_accel(dir, "energy --set eac.line_capacitance_pF=3"), {"eac.line_capacitance_pF", "eac.line_capacitance_fF"});
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 --set chip.frame_time_ns=50"),
                     {"chip.integration_time_ns", "chip.frame_time_ns"});
}

TEST_CASE("energy: bad files and presets exit with code 2 and one line naming the culprit", "[cli][energy][config]") {
    TempDir dir;
    write_text(dir / "typo.toml", "[chip]\nframe_time_ns = 72.0\n\n[eac]\nline_capacitance_pF = 2.0\n");
    expect_bad_input(run_accel(dir, "energy -c '" + dir / "typo.toml" + "'"),
                     {dir / "typo.toml", "eac.line_capacitance_pF", "did you mean 'eac.line_capacitance_fF'"});
    write_text(dir / "range.toml", "[photodiode]\nquantum_efficiency = 1.5\n");
    expect_bad_input(run_accel(dir, "energy -c '" + dir / "range.toml" + "'"), {"photodiode.quantum_efficiency", "(0.0, 1.0]"});
    expect_bad_input(run_accel(dir, "energy -c '" + dir / "missing.toml" + "'"), {dir / "missing.toml"});
    expect_bad_input(run_accel(dir, "energy --preset nonexistent"), {"nonexistent", "accel-2023", "digital-baseline"});
}

TEST_CASE("energy: an existing output file is kept unless --force", "[cli][energy]") {
    TempDir dir;
    const std::string target = dir / "energy.h5";
    write_text(target, "not an HDF5 file; must survive");
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 -o '" + target + "'"), {target, "--force"});
    CHECK(read_text(target) == "not an HDF5 file; must survive");
    const Run forced = run_accel(dir, "energy --preset accel-2023 --force -o '" + target + "'");
    INFO("stderr: " << forced.err);
    REQUIRE(forced.exit_code == 0);
    const h5::InputFile file(target);
    CHECK(file.root().has("energy/components/computing_lines"));
}
