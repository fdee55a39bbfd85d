// Sweep definitions (parsing, validation, point expansion, fingerprints), the table type of
// the HDF5 wrappers, and the sweep file's table round trip.

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/sweep/sweep_file.hpp"
#include "accel/sim/sweep/sweep_journal.hpp"
#include "accel/sim/sweep/sweep_spec.hpp"
#include "accel/sim/sweep/sweep_store.hpp"
#include "tests/support/cli_support.hpp"

using namespace accel::sim;
using accel::InputError;
using accel::test::TempDir;
using accel::test::write_text;
using Catch::Matchers::Contains;

namespace {

const Schema& schema() {
    static const Schema s = accel_schema();
    return s;
}

SweepSpec parse(const TempDir& dir, const std::string& text) {
    const std::string path = dir / "sweep.toml";
    write_text(path, text);
    return load_sweep_spec(path, schema());
}

void expect_rejected(const std::string& text, const std::vector<std::string>& culprits) {
    TempDir dir("accel-sweep-spec");
    INFO(text);
    try {
        (void)parse(dir, text);
        FAIL("accepted an invalid sweep definition");
    } catch (const InputError& e) {
        const std::string message = e.what();
        CHECK(message.find('\n') == std::string::npos);
        for (const auto& c : culprits) CHECK_THAT(message, Contains(c));
    }
}

const std::string header = "[sweep]\npreset = \"synthetic-quick\"\n";

}  // namespace

TEST_CASE("sweep definition: a log range gives clean decade values with exact end points", "[unit]") {
    TempDir dir("accel-sweep-spec");
    const SweepSpec s = parse(dir, header + "[[axis]]\nkey = \"light.energy_density_fJ_per_um2\"\n"
                                            "range = { from = 1e-8, to = 10.0, points = 10, scale = \"log\" }\n");
    REQUIRE(s.axes.size() == 1);
    const auto& v = s.axes[0].values;
    REQUIRE(v.size() == 10);
    CHECK(v.front() == "1e-08");
    CHECK(v[1] == "1e-07");
    CHECK(v[8] == "1.0");
    CHECK(v.back() == "10.0");
    CHECK(s.run == SweepRun::eval);
    CHECK(s.combine == SweepCombine::grid);
}

TEST_CASE("sweep definition: linear ranges, integer keys and value lists of every type", "[unit]") {
    TempDir dir("accel-sweep-spec");
    const SweepSpec s = parse(dir, header + "run = \"train\"\n"
                                            "[[axis]]\nkey = \"eval.phase_error_pi\"\nrange = { from = 0.0, to = 0.5, points = 3 }\n"
                                            "[[axis]]\nkey = \"detector.rows\"\nrange = { from = 4, to = 16, points = 4 }\n"
                                            "[[axis]]\nkey = \"eac.weights\"\nvalues = [\"binary\", \"ternary\"]\n"
                                            "[[axis]]\nkey = \"optics.distances_mm\"\nvalues = [[10.0, 20.0], [15.0, 15.0]]\n"
                                            "[[axis]]\nkey = \"train.learning_rate\"\nvalues = [0.03]\n");
    CHECK(s.axes[0].values == std::vector<std::string>{"0.0", "0.25", "0.5"});
    CHECK(s.axes[1].values == std::vector<std::string>{"4", "8", "12", "16"});
    CHECK(s.axes[2].values == std::vector<std::string>{"\"binary\"", "\"ternary\""});
    CHECK(s.axes[3].values == std::vector<std::string>{"[10.0, 20.0]", "[15.0, 15.0]"});
    CHECK(s.axes[4].values == std::vector<std::string>{"0.03"});  // shortest form, not 0.029999999999999999
}

TEST_CASE("sweep definition: grid varies the last axis fastest, zip pairs values", "[unit]") {
    TempDir dir("accel-sweep-spec");
    const std::string axes = "[[axis]]\nkey = \"eval.chips\"\nvalues = [1, 2]\n[[axis]]\nkey = \"eval.shift_px\"\nvalues = [0, 1]\n";
    const SweepSpec grid = parse(dir, header + axes);
    const auto g = expand_points(grid);
    REQUIRE(g.size() == 4);
    CHECK(g[1].assignments == std::vector<std::string>{"eval.chips=1", "eval.shift_px=1"});
    CHECK(g[2].assignments == std::vector<std::string>{"eval.chips=2", "eval.shift_px=0"});
    const SweepSpec zip = parse(dir, header + "combine = \"zip\"\n" + axes);
    const auto z = expand_points(zip);
    REQUIRE(z.size() == 2);
    CHECK(z[1].assignments == std::vector<std::string>{"eval.chips=2", "eval.shift_px=1"});
    const Config base = sweep_base_config(grid, schema());
    CHECK(point_config(base, g[3]).integer("eval.shift_px") == 1);
    CHECK(point_config(base, g[3]).integer("eval.chips") == 2);
}

TEST_CASE("sweep definition: bad input names the key and the problem", "[unit]") {
    expect_rejected(header + "chipz = 3\n[[axis]]\nkey = \"eval.chips\"\nvalues = [1]\n", {"unknown key 'chipz'", "did you mean 'chips'"});
    expect_rejected(header + "[[axis]]\nkey = \"light.energy_density_fj\"\nvalues = [1.0]\n",
                    {"unknown key 'light.energy_density_fj'", "did you mean 'light.energy_density_fJ_per_um2'"});
    expect_rejected(header + "[[axis]]\nkey = \"eval.chips\"\nvalues = []\n", {"eval.chips", "empty values list"});
    expect_rejected(header + "[[axis]]\nkey = \"eval.phase_error_pi\"\nrange = { from = 0.0, to = 1.0, points = 0 }\n",
                    {"eval.phase_error_pi", "empty range"});
    expect_rejected(header + "[[axis]]\nkey = \"light.energy_density_fJ_per_um2\"\nrange = { from = 0.0, to = 1.0, points = 5, scale = \"log\" }\n",
                    {"light.energy_density_fJ_per_um2", "log range must not reach or cross zero"});
    expect_rejected(header + "[[axis]]\nkey = \"light.energy_density_fJ_per_um2\"\nrange = { from = -1.0, to = 1.0, points = 5, scale = \"log\" }\n",
                    {"log range"});
    expect_rejected(header + "combine = \"zip\"\n[[axis]]\nkey = \"eval.chips\"\nvalues = [1, 2]\n[[axis]]\nkey = \"eval.shift_px\"\nvalues = [0]\n",
                    {"zip", "eval.chips has 2 values", "eval.shift_px has 1"});
    expect_rejected(header + "[[axis]]\nkey = \"eval.chips\"\nvalues = [\"many\"]\n", {"eval.chips", "many"});
    expect_rejected(header + "[[axis]]\nkey = \"eval.chips\"\nvalues = [0]\n", {"eval.chips", "out of range"});
    expect_rejected(header + "[[axis]]\nkey = \"detector.rows\"\nrange = { from = 1, to = 3, points = 5 }\n", {"repeat integer values"});
    expect_rejected(header + "run = \"fit\"\n[[axis]]\nkey = \"eval.chips\"\nvalues = [1]\n", {"sweep.run", "fit"});
    expect_rejected(header, {"no [[axis]]"});
    expect_rejected("[[axis]]\nkey = \"eval.chips\"\nvalues = [1]\n", {"missing the [sweep] table"});
    expect_rejected(header + "[[axis]]\nkey = \"eval.chips\"\nvalues = [1]\n[[axis]]\nkey = \"eval.chips\"\nvalues = [2]\n", {"already an axis"});
    expect_rejected(header + "[[axis]]\nkey = \"eval.chips\"\nvalues = [1]\nrange = { from = 1, to = 2, points = 2 }\n", {"exactly one of"});
    expect_rejected(header + "[[axis]]\nkey = \"eac.weights\"\nrange = { from = 1, to = 2, points = 2 }\n", {"a range needs a numeric key"});
    expect_rejected(header + "run = \"train\"\nmodel = \"x.h5\"\n[[axis]]\nkey = \"eval.chips\"\nvalues = [1]\n", {"sweep.model"});
    expect_rejected(header + "[[axis]\n", {"not valid TOML"});
}

TEST_CASE("sweep fingerprint: follows the definition and the base, not the thread count", "[unit]") {
    TempDir dir("accel-sweep-spec");
    const SweepSpec a = parse(dir, header + "[[axis]]\nkey = \"eval.chips\"\nvalues = [1, 2]\n");
    const SweepSpec b = parse(dir, header + "[[axis]]\nkey = \"eval.chips\"\nvalues = [1, 3]\n");
    const Config base = sweep_base_config(a, schema());
    Config threaded = base;
    threaded.set("train.threads=2", "test");
    Config reseeded = base;
    reseeded.set("design.seed=7", "test");
    CHECK(sweep_fingerprint(a, base, "") == sweep_fingerprint(a, threaded, ""));
    CHECK(sweep_fingerprint(a, base, "") != sweep_fingerprint(b, base, ""));
    CHECK(sweep_fingerprint(a, base, "") != sweep_fingerprint(a, reseeded, ""));
    CHECK(sweep_fingerprint(a, base, "") != sweep_fingerprint(a, base, "0123456789abcdef"));
}

TEST_CASE("HDF5 tables: columns of every type round trip, NaN included", "[unit]") {
    TempDir dir("accel-sweep-table");
    const std::string path = dir / "t.h5";
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<h5::TableColumn> columns = {
        {"index", std::vector<std::int64_t>{3, 5, 8}},
        {"value", std::vector<double>{0.25, nan, -1e-300}},
        {"flag", std::vector<std::int8_t>{1, 0, 1}},
        {"name", std::vector<std::string>{"binary", "", "ternary ü"}},
    };
    {
        h5::OutputFile out(path, h5::Overwrite::no);
        out.root().write_table("table", columns);
        out.root().write_strings("keys", std::vector<std::string>{"a.b", "c.d"});
        out.commit();
    }
    const h5::InputFile in(path);
    const auto back = in.open_dataset("table").read_table();
    REQUIRE(back.size() == 4);
    CHECK(back[0].name == "index");
    CHECK(std::get<std::vector<std::int64_t>>(back[0].values) == std::vector<std::int64_t>{3, 5, 8});
    const auto& values = std::get<std::vector<double>>(back[1].values);
    CHECK(values[0] == 0.25);
    CHECK(std::isnan(values[1]));
    CHECK(values[2] == -1e-300);
    CHECK(std::get<std::vector<std::int8_t>>(back[2].values) == std::vector<std::int8_t>{1, 0, 1});
    CHECK(std::get<std::vector<std::string>>(back[3].values) == std::vector<std::string>{"binary", "", "ternary ü"});
    CHECK(in.open_dataset("keys").read_strings() == std::vector<std::string>{"a.b", "c.d"});
    CHECK_THROWS_AS(in.open_dataset("keys").read_table(), InputError);
    CHECK_THROWS_AS(in.open_dataset("table").read_strings(), InputError);
}

TEST_CASE("sweep file: points written, read back and packed for messages unchanged", "[unit]") {
    TempDir dir("accel-sweep-file");
    const std::string path = dir / "s.h5";
    SweepHeader h;
    h.fingerprint = "00000000deadbeef";
    h.points_total = 4;
    h.chips = 2;
    h.axis_keys = {"eval.chips", "eac.weights"};
    create_sweep_file(path, h, h5::Overwrite::no);
    CHECK(read_sweep_file(path).rows.empty());

    PointResult a;
    a.point = 1;
    a.chips = 2;
    a.accuracy_mean = 0.5;
    a.accuracy_noise_free = std::numeric_limits<double>::quiet_NaN();
    a.chip_accuracy = {0.4, 0.6};
    a.model_parameters = {1.0, 2.0, 3.0};
    PointResult b = a;
    b.point = 3;
    b.chips = 1;
    b.chip_accuracy = {0.7};
    b.model_parameters.clear();
    const PointResult unpacked = unpack(pack(a));
    CHECK(unpacked.point == 1);
    CHECK(unpacked.chip_accuracy == a.chip_accuracy);
    CHECK(unpacked.model_parameters == a.model_parameters);
    CHECK(std::isnan(unpacked.accuracy_noise_free));
    CHECK_THROWS(unpack(std::vector<double>{1.0, 2.0}));

    write_sweep_file(path, h, {a, b}, {{std::int64_t{2}, std::string("binary")}, {std::int64_t{1}, std::string("ternary")}}, h5::Overwrite::yes);
    const SweepFileState s = read_sweep_file(path);
    CHECK(s.fingerprint == h.fingerprint);
    CHECK(s.points_total == 4);
    REQUIRE(s.rows.size() == 2);
    CHECK(s.rows[0].point == 1);
    CHECK(s.rows[0].accuracy_mean == 0.5);
    CHECK(s.rows[0].chip_accuracy == a.chip_accuracy);
    CHECK(s.rows[1].chip_accuracy == std::vector<double>{0.7});  // NaN padding dropped
    CHECK(std::isnan(s.rows[1].accuracy_noise_free));
    const h5::InputFile in(path);
    const auto table = in.open_dataset("sweep/points").read_table();
    CHECK(std::get<std::vector<std::string>>(table[2].values) == std::vector<std::string>{"binary", "ternary"});
    CHECK(in.root().open_group("sweep").attribute_int64("points_done") == 2);
}

namespace {

PointResult journal_point(std::size_t point) {
    PointResult r;
    r.point = point;
    r.chips = 2;
    r.accuracy_mean = 0.25 + 0.001 * static_cast<double>(point);
    r.accuracy_noise_free = std::numeric_limits<double>::quiet_NaN();
    r.chip_accuracy = {0.2, 0.3};
    return r;
}

}  // namespace

TEST_CASE("sweep journal: records read back bit for bit; a torn or garbled tail and a torn header are ignored", "[unit][sweep]") {
    TempDir dir("accel-sweep-journal");
    const std::filesystem::path path = dir / "s.h5.journal";
    {
        SweepJournalWriter w(path, "0123456789abcdef", 10);
        for (std::size_t p : {3u, 1u, 7u}) w.append(journal_point(p));
    }
    const std::string whole = accel::test::read_text(path);
    SweepJournalState s = read_sweep_journal(path);
    CHECK(s.fingerprint == "0123456789abcdef");
    CHECK(s.points_total == 10);
    REQUIRE(s.points.size() == 3);
    CHECK(s.points[2].point == 7);
    CHECK(s.points[2].accuracy_mean == journal_point(7).accuracy_mean);
    CHECK(std::isnan(s.points[2].accuracy_noise_free));
    CHECK(s.points[2].chip_accuracy == journal_point(7).chip_accuracy);
    CHECK(s.ignored_bytes == 0);
    CHECK(s.valid_bytes == whole.size());

    const std::size_t record = (whole.size() - 52) / 3;  // header: 16 + 16 + 16 fingerprint bytes + 4
    SECTION("a record cut short") {
        write_text(path, whole.substr(0, whole.size() - record / 2));
        s = read_sweep_journal(path);
        CHECK(s.points.size() == 2);
        CHECK(s.ignored_bytes == record - record / 2);
    }
    SECTION("a flipped byte in the second record ends the journal before it") {
        std::string bad = whole;
        bad[52 + record + 20] ^= 0x40;
        write_text(path, bad);
        s = read_sweep_journal(path);
        CHECK(s.points.size() == 1);
        CHECK(s.ignored_bytes == 2 * record);
    }
    SECTION("garbage after the last record") {
        write_text(path, whole + std::string(100, '\x5a'));
        CHECK(read_sweep_journal(path).points.size() == 3);
    }
    SECTION("a header cut short is an empty journal; a file that is no journal is bad input") {
        write_text(path, whole.substr(0, 30));
        s = read_sweep_journal(path);
        CHECK(s.fingerprint.empty());
        CHECK(s.points.empty());
        write_text(path, std::string(200, 'x'));
        CHECK_THROWS_AS(read_sweep_journal(path), InputError);
    }
}

TEST_CASE("sweep store: the file is rewritten when the points double, so n points cost O(n) rows written", "[unit][sweep]") {
    TempDir dir("accel-sweep-store");
    const std::string path = dir / "s.h5";
    SweepHeader h;
    h.fingerprint = "00000000deadbeef";
    h.points_total = 1000;
    h.chips = 2;
    h.axis_keys = {"eval.chips"};
    create_sweep_file(path, h, h5::Overwrite::no);
    SweepStorePolicy policy;
    policy.rewrite_share = 0.0;  // the growth rule alone, so that the count does not depend on timing
    {
        SweepStore store(path, h, {}, [](std::size_t p) { return std::vector<ConfigValue>{static_cast<std::int64_t>(p + 1)}; }, {}, policy);
        for (std::size_t p = 0; p < 1000; ++p) {
            store.add(journal_point(999 - p));  // out of order: sorted when written
            if (p == 700) {
                // Between rewrites the file is a complete sweep file that lags the journal.
                const SweepFileState lagging = read_sweep_file(path);
                CHECK(lagging.rows.size() == 512);
                CHECK(read_sweep_journal(journal_path(path)).points.size() == 701);
            }
        }
        store.finish();
        CHECK(store.rewrites() == 11);  // after 1, 2, 4, ..., 512 points and at the end
    }
    CHECK_FALSE(std::filesystem::exists(journal_path(path)));
    const SweepFileState s = read_sweep_file(path);
    REQUIRE(s.rows.size() == 1000);
    CHECK(s.rows[0].point == 0);
    CHECK(s.rows[999].accuracy_mean == journal_point(999).accuracy_mean);
    check_sweep_file(s, path, h.axis_keys, [](std::size_t p) { return std::vector<ConfigValue>{static_cast<std::int64_t>(p + 1)}; }, false);
    CHECK_THROWS_AS(check_sweep_file(s, path, h.axis_keys, [](std::size_t p) { return std::vector<ConfigValue>{static_cast<std::int64_t>(p)}; }, false),
                    InputError);
    CHECK_THROWS_AS(check_sweep_file(s, path, {"eval.shift_px"}, [](std::size_t) { return std::vector<ConfigValue>{std::int64_t{1}}; }, false),
                    InputError);
}
