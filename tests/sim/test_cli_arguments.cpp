// Command-line mistakes common to every subcommand: a missing or unknown command, a value
// outside an option's range or list, options that exclude each other. Each is exit code 2
// with one line naming the culprit, and nothing is written.

#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/cli_support.hpp"

using namespace accel::test;

TEST_CASE("a missing or unknown command is bad input naming it", "[cli]") {
    TempDir dir;
    expect_bad_input(run_accel(dir, ""), {"subcommand"});
    expect_bad_input(run_accel(dir, "frobnicate"), {"frobnicate", "train", "sweep"});
}

TEST_CASE("values outside an option's range or list, and exclusive options, are bad input", "[cli]") {
    TempDir dir;
    const std::string out = " -o '" + (dir / "x.h5") + "'";
    expect_bad_input(run_accel(dir, "propagate --source gaussian --n 1 --distance 1e-3" + out), {"--n", "2 to 8192"});
    expect_bad_input(run_accel(dir, "propagate --source laser --distance 1e-3" + out), {"--source", "laser"});
    expect_bad_input(run_accel(dir, "propagate --source gaussian --precision half --distance 1e-3" + out), {"--precision", "half"});
    expect_bad_input(run_accel(dir, "propagate --input '" + (dir / "f.h5") + "' --n 64 --distance 1e-3" + out), {"--input", "--n"});
    expect_bad_input(run_accel(dir, "eval '" + (dir / "run.h5") + "' --chips 0"), {"--chips"});
    CHECK(!std::filesystem::exists(dir / "x.h5"));
}
