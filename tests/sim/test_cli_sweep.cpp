// `accel sweep` end to end with the real binary: the table it writes, resuming after SIGKILL
// at random moments (same table as an uninterrupted run), never clobbering a file, the
// errors of bad definitions, and (in builds with ACCEL_MPI) two MPI ranks giving the serial
// table.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/sweep/sweep_file.hpp"
#include "accel/sim/sweep/sweep_journal.hpp"
#include "tests/support/cli_support.hpp"

using namespace accel::sim;
using namespace accel::test;
using Catch::Matchers::Contains;

namespace {

// A few hundred synthetic images and one epoch: the base model trains in about a second and a
// point evaluates in a fraction of one.
const std::string light_sweep = R"([sweep]
preset = "synthetic-quick"
set = ["data.synthetic_train = 300", "data.synthetic_test = 200", "train.epochs = 2"]
run = "eval"
chips = 2

[[axis]]
key = "light.energy_density_fJ_per_um2"
range = { from = 1e-3, to = 10.0, points = 6, scale = "log" }
)";

std::vector<h5::TableColumn> table_of(const std::string& path) {
    const h5::InputFile in(path);
    return in.open_dataset("sweep/points").read_table();
}

// Every column but the wall-clock times, value for value (NaN equals NaN).
void check_same_table(const std::string& a, const std::string& b) {
    const auto ta = table_of(a), tb = table_of(b);
    REQUIRE(ta.size() == tb.size());
    for (std::size_t c = 0; c < ta.size(); ++c) {
        INFO("column " << ta[c].name);
        REQUIRE(ta[c].name == tb[c].name);
        if (ta[c].name.find("seconds") != std::string::npos) continue;
        REQUIRE(ta[c].values.index() == tb[c].values.index());
        if (const auto* x = std::get_if<std::vector<double>>(&ta[c].values)) {
            const auto& y = std::get<std::vector<double>>(tb[c].values);
            REQUIRE(x->size() == y.size());
            for (std::size_t k = 0; k < x->size(); ++k) CHECK(((*x)[k] == y[k] || (std::isnan((*x)[k]) && std::isnan(y[k]))));
        } else {
            CHECK(ta[c].values == tb[c].values);
        }
    }
    const h5::InputFile fa(a), fb(b);
    CHECK(fa.open_dataset("sweep/chip_accuracy").read_padded_2d().values.size() ==
          fb.open_dataset("sweep/chip_accuracy").read_padded_2d().values.size());
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

// Kills `accel sweep` with SIGKILL at `kills` random moments (seeded) within the time an
// uninterrupted run takes, resuming each time and checking the file after every kill. A run
// that finishes before its kill is compared with the uninterrupted one and started afresh,
// so that every iteration has a run to kill; at least a third must end in a kill.
void kill_and_resume(int kills, unsigned seed) {
    TempDir dir("accel-cli-sweep-kill");
    write_text(dir / "light.toml", light_sweep);
    const auto started = std::chrono::steady_clock::now();
    const Run reference = run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(dir / "reference.h5") + " -q --threads 1");
    const double reference_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    REQUIRE(reference.exit_code == 0);

    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> delay_s(0.05, std::max(0.1, 0.6 * reference_s));
    const std::string out = dir / "killed.h5";
    std::size_t last_rows = 0;
    std::uint64_t torn_left = 0;  // bytes of the record torn by this test, left in the journal
    int killed = 0;
    for (int k = 0; k < kills; ++k) {
        char timeout[32];
        std::snprintf(timeout, sizeof timeout, "%.2f", delay_s(rng));
        const bool exists = std::filesystem::exists(out);
        const Run r = run_command(dir, std::string("timeout -s KILL ") + timeout + " '" + ACCEL_CLI_PATH + "' sweep " + quote(dir / "light.toml") +
                                           " -o " + quote(out) + " -q --threads 1" + (exists ? " --resume" : ""));
        INFO("kill " << k << " after " << timeout << " s: exit " << r.exit_code << ", stderr " << r.err);
        CHECK((r.exit_code == 0 || r.exit_code == 137));
        killed += r.exit_code == 137;
        if (!std::filesystem::exists(out)) continue;  // killed before the file was first written
        const SweepFileState s = read_sweep_file(out);   // readable after every kill
        // Finished points are never lost: those of the file and of its journal together.
        std::vector<bool> saved(s.points_total, false);
        for (const auto& row : s.rows) saved[row.point] = true;
        const auto journal = journal_path(out);
        if (std::filesystem::exists(journal)) {
            const SweepJournalState j = read_sweep_journal(journal);
            // One write() per record: a kill never tears one. Only our own tear below (if no
            // run since got as far as starting a fresh journal) is left.
            CHECK((j.ignored_bytes == 0 || j.ignored_bytes == torn_left));
            for (const auto& p : j.points) saved[p.point] = true;
            // Every other kill also tears the journal's last record in the middle, as a
            // power cut during its write would: the resume must recompute that point only.
            if (k % 2 == 1 && j.ignored_bytes == 0 && !j.points.empty() && j.valid_bytes > 200) {
                const auto size = std::filesystem::file_size(journal);
                torn_left = pack(j.points.back()).size() * sizeof(double) + 20 - 40;
                std::filesystem::resize_file(journal, size - 40);
                if (std::none_of(s.rows.begin(), s.rows.end(), [&](const PointResult& row) { return row.point == j.points.back().point; }))
                    saved[j.points.back().point] = false;
            }
        }
        const auto rows = static_cast<std::size_t>(std::count(saved.begin(), saved.end(), true));
        CHECK(rows >= last_rows);
        last_rows = rows;
        if (r.exit_code == 0) {  // finished before the kill: check it, then start again
            check_same_table(dir / "reference.h5", out);
            std::filesystem::remove(out);
            last_rows = 0;
        }
    }
    CHECK(killed * 3 >= kills);  // a third at least, however the machine's speed varies
    const bool exists = std::filesystem::exists(out);
    const Run finish = run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(out) + " -q --threads 2" + (exists ? " --resume" : ""));
    INFO(finish.err);
    REQUIRE(finish.exit_code == 0);
    check_same_table(dir / "reference.h5", out);
    // No temporary file of a killed process is left beside the result, and no journal.
    CHECK_FALSE(std::filesystem::exists(journal_path(out)));
    for (const auto& e : std::filesystem::directory_iterator(dir.path))
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

}  // namespace

TEST_CASE("accel sweep: an eval sweep trains its base model and writes one table row per point", "[cli]") {
    TempDir dir("accel-cli-sweep");
    write_text(dir / "light.toml", light_sweep);
    const Run r = run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(dir / "s.h5"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("6/6 done"));
    const h5::InputFile in(dir / "s.h5");
    const h5::Group sweep = in.root().open_group("sweep");
    CHECK(sweep.attribute_int64("points_total") == 6);
    CHECK(sweep.attribute_int64("points_done") == 6);
    CHECK(sweep.attribute_string("run") == "eval");
    CHECK(in.open_dataset("sweep/axis_keys").read_strings() == std::vector<std::string>{"light.energy_density_fJ_per_um2"});
    CHECK(in.root().has_group("model"));  // the base model the sweep trained
    const auto table = sweep.open_dataset("points").read_table();
    const auto column = [&](const std::string& name) -> const std::vector<double>& {
        for (const auto& c : table)
            if (c.name == name) return std::get<std::vector<double>>(c.values);
        FAIL("no column " << name);
        throw;
    };
    const auto& light = column("light.energy_density_fJ_per_um2");
    const auto& photons = column("photons_per_frame");
    const auto& mean = column("accuracy_mean");
    const auto& low = column("accuracy_ci95_low");
    const auto& high = column("accuracy_ci95_high");
    REQUIRE(light.size() == 6);
    CHECK(light.front() == 1e-3);
    CHECK(light.back() == 10.0);
    for (std::size_t k = 0; k < 6; ++k) {
        CHECK(photons[k] / light[k] == Approx(photons[0] / light[0]).epsilon(1e-12));  // photons ∝ light
        CHECK((low[k] <= mean[k] && mean[k] <= high[k]));
        CHECK((0.0 <= low[k] && high[k] <= 1.0));
    }
    CHECK(mean.back() > mean.front());  // more light, better read-out
    CHECK(column("accuracy_noise_free")[0] == column("accuracy_noise_free")[5]);  // light does not change the nominal design
    CHECK(in.open_dataset("sweep/chip_accuracy").read_padded_2d().cols == 2);
    // The read-out's columns: nothing clips at 10⁻³ fJ/µm²; the chips auto-range (the
    // default) among the three gain settings, the dimmest point at the highest gain; no
    // adaptation here.
    CHECK(column("clipped_frame_fraction").front() == 0.0);
    for (double f : column("clipped_frame_fraction")) CHECK((f >= 0.0 && f <= 1.0));
    CHECK(column("gain_setting_mean")[0] == 0.0);
    for (double g : column("gain_setting_mean")) CHECK((g >= 0.0 && g <= 2.0));
    CHECK(std::isnan(column("accuracy_adapted_mean")[0]));
}

// With gain settings and adaptive training the sweep table records the chips' mean gain
// setting and their accuracy after adapting, each point's own. (An eval sweep that adapted
// once stopped with an internal error: it had loaded the test split only.)
TEST_CASE("accel sweep: the table records the chosen gain settings and the adapted accuracy", "[cli]") {
    TempDir dir("accel-cli-sweep");
    write_text(dir / "adapt.toml", R"([sweep]
preset = "synthetic-quick"
set = ["data.synthetic_train = 300", "data.synthetic_test = 200", "train.epochs = 2", "eac.line_capacitance_fF = 0",
       "eac.conversion_gain = \"auto\"", "eval.adaptation_epochs = 2", "eval.adaptation_images = 100"]
run = "eval"
chips = 2

[[axis]]
key = "light.energy_density_fJ_per_um2"
values = [1e-3, 1e3]
)");
    const Run r = run_accel(dir, "sweep " + quote(dir / "adapt.toml") + " -q -o " + quote(dir / "s.h5"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto table = table_of(dir / "s.h5");
    const auto column = [&](const std::string& name) -> const std::vector<double>& {
        for (const auto& c : table)
            if (c.name == name) return std::get<std::vector<double>>(c.values);
        FAIL("no column " << name);
        throw;
    };
    CHECK(column("gain_setting_mean")[0] == 0.0);  // the highest gain in the dark
    CHECK(column("gain_setting_mean")[1] == 2.0);  // the lowest at 10³ fJ/µm²
    for (std::size_t k = 0; k < 2; ++k) {
        const double mean = column("accuracy_adapted_mean")[k];
        CHECK((mean >= 0.0 && mean <= 1.0));
        CHECK((column("accuracy_adapted_ci95_low")[k] <= mean && mean <= column("accuracy_adapted_ci95_high")[k]));
    }
}

TEST_CASE("accel sweep: --resume of a finished sweep computes nothing and an existing file is never clobbered", "[cli]") {
    TempDir dir("accel-cli-sweep");
    write_text(dir / "light.toml", light_sweep);
    REQUIRE(run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(dir / "s.h5") + " -q").exit_code == 0);
    const std::string before = read_text(dir / "s.h5");
    expect_bad_input(run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(dir / "s.h5")), {"already exists", "--resume", "--force"});
    CHECK(read_text(dir / "s.h5") == before);
    const Run again = run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(dir / "s.h5") + " --resume");
    REQUIRE(again.exit_code == 0);
    CHECK_THAT(again.out, Contains("0 to compute"));
    check_same_table(dir / "s.h5", dir / "s.h5");

    // A different sweep may not continue this file.
    std::string other = light_sweep;
    other.replace(other.find("points = 6"), 10, "points = 5");
    write_text(dir / "other.toml", other);
    expect_bad_input(run_accel(dir, "sweep " + quote(dir / "other.toml") + " -o " + quote(dir / "s.h5") + " --resume"), {"different sweep"});
    expect_bad_input(run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(dir / "missing.h5") + " --resume"), {"nothing to resume"});
    CHECK(read_text(dir / "s.h5").size() == before.size());
}

TEST_CASE("accel sweep: killed with SIGKILL at random moments, resumed, gives the uninterrupted table", "[cli]") {
    kill_and_resume(3, 20261201u);
}

TEST_CASE("accel sweep: twenty SIGKILLs at random moments, each resumed", "[slow]") {
    kill_and_resume(20, 7u);
}

TEST_CASE("accel sweep: bad definitions exit with code 2 and one line naming the problem", "[cli]") {
    TempDir dir("accel-cli-sweep");
    const auto definition = [&](const std::string& axis) {
        write_text(dir / "bad.toml", "[sweep]\npreset = \"synthetic-quick\"\n[[axis]]\n" + axis);
        return "sweep " + quote(dir / "bad.toml") + " -o " + quote(dir / "out.h5");
    };
    expect_bad_input(run_accel(dir, definition("key = \"optics.wavelenght_nm\"\nvalues = [500.0]\n")),
                     {"unknown key 'optics.wavelenght_nm'", "did you mean 'optics.wavelength_nm'"});
    expect_bad_input(run_accel(dir, definition("key = \"eval.phase_error_pi\"\nrange = { from = 0.0, to = 0.5, points = 0 }\n")), {"empty range"});
    expect_bad_input(run_accel(dir, definition("key = \"light.energy_density_fJ_per_um2\"\nrange = { from = 0.0, to = 1.0, points = 3, scale = \"log\" }\n")),
                     {"log range"});
    // A value that is legal alone but not for the design is caught before any point runs.
    expect_bad_input(run_accel(dir, definition("key = \"optics.input_window_px\"\nvalues = [16, 1000]\n")), {"sweep point 1", "input_window_px"});
    expect_bad_input(run_accel(dir, "sweep " + quote(dir / "none.toml") + " -o " + quote(dir / "out.h5")), {"none.toml", "does not exist"});
    CHECK_FALSE(std::filesystem::exists(dir / "out.h5"));
}

namespace {

// An energy sweep computes no images: thousands of points in a fraction of a second.
std::string energy_sweep(int points) {
    return "[sweep]\npreset = \"accel-2023\"\nrun = \"energy\"\n\n[[axis]]\nkey = \"light.energy_density_fJ_per_um2\"\n"
           "range = { from = 1e-8, to = 10.0, points = " + std::to_string(points) + ", scale = \"log\" }\n";
}

// A sweep interrupted after `in_file` points were in its file and `in_journal` more in its
// journal, made from a finished file of the same sweep.
void interrupted_copy(const std::string& finished, const std::string& out, std::size_t in_file, std::size_t in_journal) {
    const SweepFileState s = read_sweep_file(finished);
    const h5::InputFile in(finished);
    const h5::Group sweep = in.root().open_group("sweep");
    SweepHeader h;
    h.provenance = s.provenance;
    h.definition_toml = sweep.attribute_string("definition_toml");
    h.fingerprint = s.fingerprint;
    h.run = SweepRun::energy;
    h.points_total = s.points_total;
    h.chips = sweep.attribute_int64("chips");
    h.axis_keys = s.axis_keys;
    const auto& light = std::get<std::vector<double>>(s.axis_columns.at(0).values);
    std::vector<PointResult> rows(s.rows.begin(), s.rows.begin() + static_cast<std::ptrdiff_t>(in_file));
    std::vector<std::vector<ConfigValue>> axis_values;
    for (std::size_t k = 0; k < in_file; ++k) axis_values.push_back({light[k]});
    write_sweep_file(out, h, rows, axis_values, h5::Overwrite::no);
    SweepJournalWriter journal(journal_path(out), s.fingerprint, s.points_total);
    for (std::size_t k = in_file; k < in_file + in_journal; ++k) journal.append(s.rows[k]);
}

std::size_t file_size(const std::string& path) { return static_cast<std::size_t>(std::filesystem::file_size(path)); }

}  // namespace

TEST_CASE("accel sweep: the result file grows linearly with the points and its journal is gone at the end", "[cli][sweep]") {
    TempDir dir("accel-cli-sweep-size");
    write_text(dir / "e.toml", energy_sweep(4000));
    const Run r = run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(dir / "e.h5") + " -q");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(std::filesystem::exists(journal_path(dir / "e.h5")));
    const SweepFileState s = read_sweep_file(dir / "e.h5");
    REQUIRE(s.rows.size() == 4000);
    // A row: point, the axis value, 14 real metrics and chips, 8 bytes each; no chip columns.
    const std::size_t table_bytes = 4000 * 17 * 8;
    CHECK(file_size(dir / "e.h5") < 3 * table_bytes + 64 * 1024);
}

TEST_CASE("accel sweep: --resume merges the journal, ignores its torn tail and gives the uninterrupted table", "[cli][sweep]") {
    TempDir dir("accel-cli-sweep-journal");
    write_text(dir / "e.toml", energy_sweep(300));
    REQUIRE(run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(dir / "reference.h5") + " -q").exit_code == 0);
    const std::string out = dir / "resumed.h5";
    interrupted_copy(dir / "reference.h5", out, 100, 50);
    // Half a record and garbage after the last complete one: what a power cut can leave.
    const std::string journal = read_text(journal_path(out));
    const std::size_t record = (journal.size() - 52) / 50;
    write_text(journal_path(out), journal + journal.substr(52, record / 2) + std::string(7, '\0'));
    const Run r = run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(out) + " --resume");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("150 to compute"));
    CHECK_THAT(r.err, Contains("ignored"));
    check_same_table(dir / "reference.h5", out);
    CHECK(read_sweep_file(out).rows.size() == 300);
    CHECK_FALSE(std::filesystem::exists(journal_path(out)));
}

TEST_CASE("accel sweep: a journal of another sweep is never merged, and a new sweep does not replace a journal", "[cli][sweep]") {
    TempDir dir("accel-cli-sweep-journal");
    write_text(dir / "e.toml", energy_sweep(40));
    write_text(dir / "other.toml", energy_sweep(41));
    REQUIRE(run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(dir / "reference.h5") + " -q").exit_code == 0);
    REQUIRE(run_accel(dir, "sweep " + quote(dir / "other.toml") + " -o " + quote(dir / "other.h5") + " -q").exit_code == 0);
    const std::string out = dir / "s.h5";
    interrupted_copy(dir / "reference.h5", out, 10, 0);
    {
        // The journal of the other sweep (its fingerprint and size) beside this sweep's file.
        const SweepFileState other = read_sweep_file(dir / "other.h5");
        SweepJournalWriter journal(journal_path(out), other.fingerprint, other.points_total);
        journal.append(other.rows[20]);
    }
    const std::string file_before = read_text(out), journal_before = read_text(journal_path(out));
    expect_bad_input(run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(out) + " --resume"),
                     {"sweep journal '" + journal_path(out).string() + "' belongs to a different sweep"});
    CHECK(read_text(out) == file_before);
    CHECK(read_text(journal_path(out)) == journal_before);
    // Starting afresh over an interrupted sweep's journal needs --force.
    std::filesystem::remove(out);
    expect_bad_input(run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(out)), {journal_path(out).string(), "--resume", "--force"});
    CHECK(read_text(journal_path(out)) == journal_before);
    REQUIRE(run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(out) + " -q --force").exit_code == 0);
    check_same_table(dir / "reference.h5", out);
    CHECK_FALSE(std::filesystem::exists(journal_path(out)));
}

TEST_CASE("accel sweep: --resume of a finished file with a damaged table or axis keys is bad input naming the file", "[cli][sweep]") {
    TempDir dir("accel-cli-sweep-damaged");
    write_text(dir / "e.toml", energy_sweep(6));
    REQUIRE(run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(dir / "s.h5") + " -q").exit_code == 0);
    const auto damaged = [&](const std::string& name, const std::function<void(h5::Group& sweep)>& change) {
        const std::string path = dir / name;
        std::filesystem::copy_file(dir / "s.h5", path);
        h5::UpdateFile f(path);
        h5::Group sweep = f.root().open_group("sweep");
        change(sweep);
        f.commit();
        return path;
    };
    const auto rewrite_points = [](h5::Group& sweep, const std::function<void(std::vector<h5::TableColumn>&)>& change) {
        std::vector<h5::TableColumn> table = sweep.open_dataset("points").read_table();
        change(table);
        sweep.remove("points");
        sweep.write_table("points", table);
    };
    const auto refused = [&](const std::string& path, const std::vector<std::string>& culprits) {
        const std::string before = read_text(path);
        const Run r = run_accel(dir, "sweep " + quote(dir / "e.toml") + " -o " + quote(path) + " --resume");
        expect_bad_input(r, culprits);
        CHECK_THAT(r.out, !Contains("wrote"));
        CHECK(read_text(path) == before);
    };
    refused(damaged("keys.h5", [](h5::Group& sweep) {
                sweep.remove("axis_keys");
                sweep.write_strings("axis_keys", std::vector<std::string>{"light.energy_density_fJ_per_um3"});
            }),
            {"keys.h5'", "/sweep/points has no column 'light.energy_density_fJ_per_um3'"});
    refused(damaged("value.h5", [&](h5::Group& sweep) {
                rewrite_points(sweep, [](std::vector<h5::TableColumn>& t) { std::get<std::vector<double>>(t.at(1).values)[3] *= 2.0; });
            }),
            {"value.h5'", "row 3 (point 3)", "light.energy_density_fJ_per_um2"});
    refused(damaged("metric.h5", [&](h5::Group& sweep) {
                rewrite_points(sweep, [](std::vector<h5::TableColumn>& t) { std::swap(t.at(2).name, t.at(3).name); });
            }),
            {"metric.h5'", "/sweep/points column 2 is 'accuracy_mean', expected accuracy_noise_free"});
    refused(damaged("chips.h5", [](h5::Group& sweep) {
                sweep.remove("chip_accuracy");
                const std::vector<double> nan(6, std::numeric_limits<double>::quiet_NaN());
                sweep.write_array<double>("chip_accuracy", nan, {6, 1});
            }),
            {"chips.h5'", "/sweep/chip_accuracy has 1 columns"});
    refused(damaged("done.h5", [](h5::Group& sweep) { sweep.set_attribute("points_done", std::int64_t{5}); }), {"done.h5'", "points_done = 5"});
}

#ifdef ACCEL_TEST_MPI
TEST_CASE("accel sweep: two MPI ranks write the serial run's table", "[cli]") {
    TempDir dir("accel-cli-sweep-mpi");
    write_text(dir / "light.toml", light_sweep);
    REQUIRE(run_accel(dir, "sweep " + quote(dir / "light.toml") + " -o " + quote(dir / "serial.h5") + " -q").exit_code == 0);
    // Single-copy shared-memory transfers need ptrace rights that containers often withhold.
    std::string mpirun = "OMP_NUM_THREADS=1 OMPI_MCA_btl_vader_single_copy_mechanism=none mpirun --allow-run-as-root --oversubscribe -np 2 '";
#if defined(__SANITIZE_ADDRESS__)
    // Open MPI's plugins are unloaded before the leak check runs, so their allocations kept
    // until exit cannot be told apart by library name; the serial sweep tests check ours.
    mpirun = "ASAN_OPTIONS=\"$ASAN_OPTIONS:detect_leaks=0\" " + mpirun;
#endif
    const Run r = run_command(dir, mpirun + std::string(ACCEL_CLI_PATH) + "' sweep " +
                                       quote(dir / "light.toml") + " -o " + quote(dir / "mpi.h5"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("2 MPI ranks"));
    check_same_table(dir / "serial.h5", dir / "mpi.h5");
    // Bad input under mpirun: exit code 2 as in a serial run.
    const Run bad = run_command(dir, mpirun + std::string(ACCEL_CLI_PATH) + "' sweep " +
                                         quote(dir / "light.toml") + " -o " + quote(dir / "mpi.h5"));
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Contains("already exists"));
}
#endif
