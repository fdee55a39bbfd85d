// `accel sweep` end to end with the real binary: the table it writes, resuming after SIGKILL
// at random moments (same table as an uninterrupted run), never clobbering a file, the
// errors of bad definitions, and (in builds with ACCEL_MPI) two MPI ranks giving the serial
// table.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "sim/hdf5_file.hpp"
#include "sim/sweep_file.hpp"
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
        CHECK(s.rows.size() >= last_rows);               // finished points are never lost
        last_rows = s.rows.size();
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
    // No temporary file of a killed process is left beside the result.
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
