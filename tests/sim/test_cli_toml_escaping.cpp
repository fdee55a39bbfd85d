// A string setting holding TOML's special characters (a data folder named with a quote and a
// backslash) survives the configuration a result file stores (config_toml) and a --resume,
// which reads the run's configuration back from it.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "accel/sim/config/config.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel::sim;
using namespace accel::test;

namespace {

// The synthetic-quick preset made tiny: 360 training, 40 validation and 200 test images, one
// chip without per-chip randomness.
const std::string tiny =
    "--preset synthetic-quick --set data.synthetic_train=400 --set data.synthetic_test=200 "
    "--set eval.noise=false --set eval.fixed_pattern=false ";

// Single quotes for the shell: the paths here hold no single quote, and " and \ stay literal.
std::string shell_quoted(const std::string& s) { return "'" + s + "'"; }

// A Config refers to its schema, which must outlive it.
const Schema& schema() {
    static const Schema s = accel_schema();
    return s;
}

// The configuration stored in a result file, read back as --resume reads it.
Config stored_config(const std::string& file) {
    const h5::InputFile in(file);
    Config c = Config::defaults(schema());
    c.merge_toml(in.root().attribute_string("config_toml"), "config_toml of '" + file + "'");
    return c;
}

}  // namespace

TEST_CASE("a data path holding \" and \\ survives config_toml and train --resume", "[cli]") {
    TempDir dir;
    // Folders the synthetic set never reads, but which the configuration records.
    const std::string mnist = dir / "mnist \"quoted\" copy";
    const std::string fashion = dir / "fashion\\mnist\\ \"v2\"\\";
    fs::create_directories(mnist);
    fs::create_directories(fashion);
    const std::string paths = "--set " + shell_quoted("data.mnist_dir=" + mnist) + " --set " +
                              shell_quoted("data.fashion_mnist_dir=" + fashion) + " ";
    const std::string run = dir / "run.h5";

    const Run first = run_accel(dir, "train " + tiny + paths + "--set train.epochs=1 -q -o " + shell_quoted(run));
    INFO("stdout: " << first.out << "\nstderr: " << first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(stored_config(run).string("data.mnist_dir") == mnist);
    CHECK(stored_config(run).string("data.fashion_mnist_dir") == fashion);

    const Run resumed = run_accel(dir, "train --resume " + shell_quoted(run) + " --set train.epochs=2 -q");
    INFO("resume stdout: " << resumed.out << "\nstderr: " << resumed.err);
    REQUIRE(resumed.exit_code == 0);
    CHECK(h5::InputFile(run).root().open_group("train/state").attribute_int64("epochs_done") == 2);
    const Config after = stored_config(run);
    CHECK(after.string("data.mnist_dir") == mnist);
    CHECK(after.string("data.fashion_mnist_dir") == fashion);
}
