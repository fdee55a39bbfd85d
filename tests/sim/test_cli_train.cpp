// `accel train`, `accel eval` and `accel inspect` end to end: the real binary on the
// synthetic-quick preset shrunk further (a few hundred images, one or two epochs), its result
// files, checkpoints, resume, thread independence and its exit codes.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "accel/sim/io/hdf5_file.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel::sim;
using Catch::Matchers::Contains;

using namespace accel::test;

namespace {

// synthetic-quick made smaller still: 360 training, 40 validation and 200 test images.
const std::string small = "--preset synthetic-quick --set data.synthetic_train=400 --set data.synthetic_test=200 ";
// No per-chip randomness: the chip evaluation is a single chip (for runs that only train).
const std::string one_chip = "--set eval.noise=false --set eval.fixed_pattern=false ";

std::string quoted(const std::string& p) { return "'" + p + "'"; }

// The chip as first modelled: fixed 20 pF lines and 1 mV comparator offsets (the defaults
// are now the layout's capacitance, Pelgrom's offsets and auto-ranging).
const std::string first_model = "--set eac.line_capacitance_fF=20000 --set eac.conversion_gain=fixed --set eac.comparator_offset_mV=1 ";

Run train(const TempDir& dir, const std::string& output, const std::string& extra) {
    return run_accel(dir, "train " + small + extra + " -q -o " + quoted(dir / output));
}

std::vector<double> dataset(const std::string& file, const std::string& name) {
    const h5::ReadLimits limits{std::size_t{1} << 26, std::size_t{1} << 26};
    return h5::InputFile(file).open_dataset(name).read_vector<double>(limits);
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k)
        if (std::memcmp(&a[k], &b[k], sizeof(double)) != 0) return false;
    return true;
}

// A copy of a trained file's essentials with one thing changed, to test the checkpoint reader.
enum class Damage { wrong_length, nan_parameter, no_model };
void write_damaged_copy(const std::string& good, const std::string& bad, Damage damage) {
    const h5::InputFile in(good);
    const h5::Group& src = in.root();
    std::vector<double> parameters = dataset(good, "/model/parameters");
    h5::OutputFile out(bad, h5::Overwrite::yes);
    h5::Group& root = out.root();
    root.set_attribute("config_toml", src.attribute_string("config_toml"));
    if (damage != Damage::no_model) {
        h5::Group model = root.create_group("model");
        model.set_attribute("architecture", src.open_group("model").attribute_string("architecture"));
        const h5::Group blocks = src.open_group("model/blocks");
        for (const auto& name : blocks.member_names()) {
            h5::Group b = model.create_group("blocks/" + name);
            b.set_attribute("offset", blocks.open_group(name).attribute_int64("offset"));
            b.set_attribute("size", blocks.open_group(name).attribute_int64("size"));
        }
        if (damage == Damage::wrong_length) parameters.pop_back();
        if (damage == Damage::nan_parameter) parameters[7] = std::numeric_limits<double>::quiet_NaN();
        model.write_array<double>("parameters", parameters, {parameters.size()});
    }
    out.commit();
}

}  // namespace

TEST_CASE("train writes a complete result file and images; eval reproduces its test accuracy exactly", "[cli]") {
    TempDir dir;
    const std::string run = dir / "run.h5";
    const Run r = run_accel(dir, "train " + small + "--set train.epochs=2 --set eval.chips=3 -o " + quoted(run));
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());  // no progress bar when stderr is not a terminal
    CHECK_THAT(r.out, Contains("epoch 2/2") && Contains("noise-free") && Contains("3 chips") && Contains("POPS/W"));

    {
        const h5::InputFile file(run);
        const h5::Group& root = file.root();
        for (const char* key : {"accel_version", "git_commit", "created_utc", "command_line", "config_toml", "fftw_version", "hdf5_version"})
            CHECK_FALSE(root.attribute_string(key).empty());
        CHECK(root.attribute_int64("seed") == 1);
        CHECK(root.attribute_int64("threads") >= 1);
        CHECK_THAT(root.attribute_string("config_toml"), Contains("epochs = 2") && Contains("dataset = \"synthetic\""));

        const h5::Group model = root.open_group("model");
        CHECK(model.attribute_string("architecture") == "accel");
        const auto parameters = dataset(run, "/model/parameters");
        CHECK(static_cast<std::int64_t>(parameters.size()) == model.attribute_int64("parameter_count"));
        CHECK(model.open_group("blocks/phase_1").attribute_int64("size") == 64 * 64);
        CHECK(model.open_group("blocks/latent_weights").attribute_int64("size") == 4 * 64);
        for (const char* phase : {"phase_0_rad", "phase_1_rad"}) {
            const h5::Dataset ds = model.open_dataset(phase);
            CHECK(ds.shape() == std::vector<std::size_t>{64, 64});
            CHECK(ds.attribute_string("unit") == "rad");
            for (double p : ds.read_array_2d<double>().values) {
                REQUIRE(p >= 0.0);
                REQUIRE(p < 2 * M_PI);
            }
        }
        const auto weights = model.open_dataset("eac_weights").read_array_2d<std::int8_t>();
        CHECK((weights.rows == 4 && weights.cols == 64));
        for (auto w : weights.values) REQUIRE((w == -1 || w == 1));
        CHECK(model.open_dataset("latent_weights").shape() == std::vector<std::size_t>{4, 64});

        const h5::Group state = root.open_group("train/state");
        CHECK(root.open_group("train").attribute_int64("complete") == 1);
        CHECK(state.attribute_int64("epochs_done") == 2);
        CHECK(state.attribute_int64("adam_steps") == 2 * ((360 + 31) / 32));
        for (const char* name : {"parameters", "best_parameters", "adam_first_moment", "adam_second_moment"})
            CHECK(state.open_dataset(name).shape() == std::vector<std::size_t>{parameters.size()});
        for (const char* name : {"train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "seconds"})
            CHECK(root.open_dataset(std::string("metrics/history/") + name).shape() == std::vector<std::size_t>{2});

        const h5::Group test = root.open_group("metrics/test");
        CHECK(test.attribute_int64("images") == 200);
        CHECK(test.attribute_int64("test_subset") == 0);
        CHECK(test.attribute_double("accuracy") >= 0.9);  // reason: the shapes are easy; 98-100 % is typical
        const auto confusion = test.open_dataset("confusion").read_array_2d<std::int64_t>();
        std::int64_t total = 0;
        for (auto v : confusion.values) total += v;
        CHECK(total == 200);
        const h5::Group chips = test.open_group("light_0");
        CHECK(chips.attribute_int64("chips") == 3);
        CHECK(chips.attribute_double("energy_density_fJ_per_um2") == 0.14);
        CHECK(chips.open_dataset("accuracy_per_chip").shape() == std::vector<std::size_t>{3});
        CHECK(root.open_group("energy").attribute_double("throughput_POPS") > 0.0);
        CHECK(root.open_dataset("fields/detector_intensity_0").attribute_string("unit") == "W/m^2");
    }
    for (const char* png : {"run_phase_0.png", "run_phase_1.png", "run_detector_0.png", "run_detector_3.png"}) {
        INFO(png);
        const std::string bytes = read_text(dir.path / png);
        REQUIRE(bytes.size() > 8);
        CHECK(bytes.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    }
    for (const auto& entry : fs::directory_iterator(dir.path)) CHECK_THAT(entry.path().filename().string(), !Contains(".tmp-"));

    SECTION("eval of the stored model reproduces /metrics/test exactly, in a new /eval/0") {
        const Run e = run_accel(dir, "eval -q --threads 1 " + quoted(run));
        INFO("stderr: " << e.err);
        REQUIRE(e.exit_code == 0);
        const h5::InputFile file(run);
        const h5::Group stored = file.root().open_group("metrics/test"), again = file.root().open_group("eval/0");
        CHECK(again.attribute_double("accuracy") == stored.attribute_double("accuracy"));
        CHECK(again.attribute_double("loss") == stored.attribute_double("loss"));
        CHECK(again.open_group("light_0").attribute_double("accuracy_mean") == stored.open_group("light_0").attribute_double("accuracy_mean"));
        CHECK(same_bits(again.open_group("light_0").open_dataset("accuracy_per_chip").read_vector<double>(),
                        stored.open_group("light_0").open_dataset("accuracy_per_chip").read_vector<double>()));
        CHECK(file.root().has_group("model"));  // the update kept everything else
    }

    SECTION("eval --light --chips 3 -o writes accuracy per chip and a 95 % interval per light level") {
        const std::string out = dir / "eval.h5";
        const Run e = run_accel(dir, "eval " + quoted(run) + " --light 0.5,0.05 --chips 3 --set eval.phase_error_pi=0.05 -o " + quoted(out));
        INFO("stderr: " << e.err);
        REQUIRE(e.exit_code == 0);
        CHECK_THAT(e.out, Contains("95 % interval") && Contains("0.05 fJ/µm²") && Contains("confusion matrix"));
        const h5::InputFile file(out);
        CHECK_FALSE(file.root().attribute_string("config_toml").empty());
        const h5::Group g = file.root().open_group("eval/0");
        for (int i = 0; i < 2; ++i) {
            const h5::Group l = g.open_group("light_" + std::to_string(i));
            CHECK(l.attribute_double("energy_density_fJ_per_um2") == (i == 0 ? 0.5 : 0.05));
            CHECK(l.attribute_double("phase_error_pi") == 0.05);
            CHECK(l.attribute_int64("chips") == 3);
            const auto per_chip = l.open_dataset("accuracy_per_chip").read_vector<double>();
            REQUIRE(per_chip.size() == 3);
            const double mean = (per_chip[0] + per_chip[1] + per_chip[2]) / 3.0;
            CHECK(l.attribute_double("accuracy_mean") == Approx(mean).epsilon(1e-12));
            double ss = 0.0;
            for (double a : per_chip) ss += (a - mean) * (a - mean);
            // t_{0.975, 2} = 4.302653 (tables); half width t·s/sqrt(K).
            CHECK(l.attribute_double("accuracy_ci95_half_width") == Approx(4.302653 * std::sqrt(ss / 2.0) / std::sqrt(3.0)).epsilon(1e-6).margin(1e-12));
            CHECK(l.attribute_double("accuracy_ci95_low") <= mean);
            CHECK(l.attribute_double("accuracy_ci95_high") >= mean);
        }
        CHECK_FALSE(h5::InputFile(run).root().has("eval"));  // -o leaves the model file alone
    }

    SECTION("inspect summarises train and eval files") {
        const Run i = run_accel(dir, "inspect " + quoted(run));
        INFO("stderr: " << i.err);
        REQUIRE(i.exit_code == 0);
        CHECK_THAT(i.out, Contains("/model") && Contains("parameters") && Contains("float64") && Contains("unit rad") &&
                              Contains("int8") && Contains("test accuracy, noise-free") && Contains("POPS") && Contains("seed 1"));
        REQUIRE(run_accel(dir, "eval -q --chips 2 " + quoted(run) + " -o " + quoted(dir / "e.h5")).exit_code == 0);
        const Run ie = run_accel(dir, "inspect " + quoted(dir / "e.h5"));
        REQUIRE(ie.exit_code == 0);
        CHECK_THAT(ie.out, Contains("eval/0 accuracy") && Contains("2 chips"));
    }
}

TEST_CASE("train 1 epoch then --resume to 2 equals training 2 epochs, bit for bit", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "two.h5", one_chip + "--set train.epochs=2").exit_code == 0);
    REQUIRE(train(dir, "one.h5", one_chip + "--set train.epochs=1").exit_code == 0);
    CHECK(h5::InputFile(dir / "one.h5").root().open_group("train/state").attribute_int64("epochs_done") == 1);
    const Run r = run_accel(dir, "train --resume " + quoted(dir / "one.h5") + " --set train.epochs=2 -q");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* name : {"/model/parameters", "/train/state/parameters", "/train/state/adam_second_moment"}) {
        INFO(name);
        CHECK(same_bits(dataset(dir / "one.h5", name), dataset(dir / "two.h5", name)));
    }
    CHECK(h5::InputFile(dir / "one.h5").root().open_group("metrics/test").attribute_double("accuracy") ==
          h5::InputFile(dir / "two.h5").root().open_group("metrics/test").attribute_double("accuracy"));

    SECTION("resume refuses changes other than train.epochs") {
        expect_bad_input(run_accel(dir, "train --resume " + quoted(dir / "one.h5") + " --set train.learning_rate=0.1"),
                         {"train.learning_rate", "train.epochs"});
        expect_bad_input(run_accel(dir, "train --resume " + quoted(dir / "one.h5") + " --preset accel-2023"), {"--preset"});
    }
}

TEST_CASE("train.init_from starts training from another run's model", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "a.h5", one_chip + "--set train.epochs=1").exit_code == 0);
    const std::string from = "--set train.init_from=" + quoted(dir / "a.h5") + " ";
    // No epoch: the run is the model it started from, and tests exactly as it did.
    REQUIRE(train(dir, "zero.h5", one_chip + from + "--set train.epochs=0").exit_code == 0);
    CHECK(same_bits(dataset(dir / "zero.h5", "/model/parameters"), dataset(dir / "a.h5", "/model/parameters")));
    CHECK(h5::InputFile(dir / "zero.h5").root().open_group("metrics/test").attribute_double("accuracy") ==
          h5::InputFile(dir / "a.h5").root().open_group("metrics/test").attribute_double("accuracy"));
    // One more epoch from there differs from the second epoch of the original run: the
    // optimiser starts afresh (and the config names the file it started from).
    REQUIRE(train(dir, "two.h5", one_chip + "--set train.epochs=2").exit_code == 0);
    REQUIRE(train(dir, "more.h5", one_chip + from + "--set train.epochs=1").exit_code == 0);
    CHECK(!same_bits(dataset(dir / "more.h5", "/train/state/parameters"), dataset(dir / "a.h5", "/train/state/parameters")));
    CHECK(!same_bits(dataset(dir / "more.h5", "/train/state/parameters"), dataset(dir / "two.h5", "/train/state/parameters")));
    CHECK_THAT(h5::InputFile(dir / "more.h5").root().attribute_string("config_toml"), Contains("init_from"));

    SECTION("resuming a warm-started run does not need the file it started from") {
        REQUIRE(train(dir, "warm.h5", one_chip + from + "--set train.epochs=1").exit_code == 0);
        fs::remove(dir / "a.h5");
        const Run r = run_accel(dir, "train --resume " + quoted(dir / "warm.h5") + " --set train.epochs=2 -q");
        INFO("stderr: " << r.err);
        CHECK(r.exit_code == 0);
    }

    SECTION("a missing or unsuitable file is bad input, and nothing is written") {
        expect_bad_input(train(dir, "x.h5", from.substr(0, from.find('=') + 1) + quoted(dir / "none.h5")), {"train.init_from", "none.h5"});
        write_damaged_copy(dir / "a.h5", dir / "short.h5", Damage::wrong_length);
        expect_bad_input(train(dir, "x.h5", "--set train.init_from=" + quoted(dir / "short.h5")), {"short.h5", "parameters"});
        CHECK(!fs::exists(dir / "x.h5"));
    }
}

TEST_CASE("the same seed gives bitwise identical parameters with 1 and 2 threads", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "t1.h5", one_chip + "--set train.epochs=1 --set train.threads=1").exit_code == 0);
    REQUIRE(train(dir, "t2.h5", one_chip + "--set train.epochs=1 --set train.threads=2").exit_code == 0);
    CHECK(h5::InputFile(dir / "t2.h5").root().attribute_int64("threads") == 2);
    CHECK(same_bits(dataset(dir / "t1.h5", "/model/parameters"), dataset(dir / "t2.h5", "/model/parameters")));
    CHECK(same_bits(dataset(dir / "t1.h5", "/train/state/parameters"), dataset(dir / "t2.h5", "/train/state/parameters")));
}

TEST_CASE("corrupt or unsuitable checkpoints exit with code 2 and one line naming the file and object", "[cli]") {
    TempDir dir;
    const std::string good = dir / "good.h5";
    REQUIRE(train(dir, "good.h5", one_chip + "--set train.epochs=1").exit_code == 0);
    const auto eval = [&](const std::string& file) { return run_accel(dir, "eval -q " + quoted(file)); };
    const auto resume = [&](const std::string& file) { return run_accel(dir, "train -q --resume " + quoted(file)); };

    SECTION("truncated file") {
        const std::string bytes = read_text(good);
        std::ofstream(dir / "cut.h5", std::ios::binary) << bytes.substr(0, bytes.size() / 2);
        expect_bad_input(eval(dir / "cut.h5"), {"cut.h5"});
        expect_bad_input(resume(dir / "cut.h5"), {"cut.h5"});
    }
    SECTION("parameters of the wrong length") {
        write_damaged_copy(good, dir / "short.h5", Damage::wrong_length);
        expect_bad_input(eval(dir / "short.h5"), {"short.h5", "/model/parameters", "parameters"});
    }
    SECTION("NaN in the parameters") {
        write_damaged_copy(good, dir / "nan.h5", Damage::nan_parameter);
        expect_bad_input(eval(dir / "nan.h5"), {"nan.h5", "/model/parameters", "non-finite"});
    }
    SECTION("no /model") {
        write_damaged_copy(good, dir / "nomodel.h5", Damage::no_model);
        expect_bad_input(eval(dir / "nomodel.h5"), {"nomodel.h5", "/model"});
    }
    SECTION("no training state to resume from") {
        write_damaged_copy(good, dir / "nostate.h5", Damage::wrong_length);
        expect_bad_input(resume(dir / "nostate.h5"), {"nostate.h5", "/train/state"});
    }
    SECTION("not an HDF5 file, or missing") {
        std::ofstream(dir / "text.h5") << "hello\n";
        expect_bad_input(eval(dir / "text.h5"), {"text.h5", "not an HDF5 file"});
        expect_bad_input(eval(dir / "missing.h5"), {"missing.h5"});
    }
    // The good file was never touched by the failed runs.
    CHECK(h5::InputFile(good).root().open_group("train").attribute_int64("complete") == 1);
    CHECK_FALSE(h5::InputFile(good).root().has("eval"));
}

TEST_CASE("inspect summarises propagate and energy files and rejects bad files", "[cli]") {
    TempDir dir;
    REQUIRE(run_accel(dir, "propagate --source gaussian --n 32 --pitch 2e-6 --waist 8e-6 --distance 1e-4 -q -o " + quoted(dir / "p.h5")).exit_code == 0);
    REQUIRE(run_accel(dir, "energy --preset accel-2023 -o " + quoted(dir / "e.h5")).exit_code == 0);
    const Run p = run_accel(dir, "inspect " + quoted(dir / "p.h5"));
    REQUIRE(p.exit_code == 0);
    CHECK_THAT(p.out, Contains("/field") || Contains("field"));
    CHECK_THAT(p.out, Contains("complex128") && Contains("[32, 32]") && Contains("sqrt(W)/m") && Contains("power in"));
    const Run e = run_accel(dir, "inspect " + quoted(dir / "e.h5"));
    REQUIRE(e.exit_code == 0);
    CHECK_THAT(e.out, Contains("/energy/components/computing_lines") && Contains("74.83 POPS/W"));

    std::ofstream(dir / "text.h5") << "not hdf5\n";
    expect_bad_input(run_accel(dir, "inspect " + quoted(dir / "text.h5")), {"text.h5"});
    expect_bad_input(run_accel(dir, "inspect " + quoted(dir / "missing.h5")), {"missing.h5"});
}

TEST_CASE("train and eval reject bad configuration and arguments with code 2 and one line", "[cli]") {
    TempDir dir;
    const std::string out = " -o " + quoted(dir / "x.h5");
    expect_bad_input(run_accel(dir, "train " + small + "--set train.epochz=2" + out), {"train.epochz", "did you mean 'train.epochs'"});
    expect_bad_input(run_accel(dir, "train " + small + "--set data.dataset=cifar" + out), {"data.dataset", "fashion-mnist, mnist, synthetic"});
    expect_bad_input(run_accel(dir, "train " + small + "--set data.validation_fraction=0.5" + out), {"data.validation_fraction", "[0.0, 0.5)"});
    expect_bad_input(run_accel(dir, "train " + small + "--set optics.input_window_px=65" + out), {"optics.input_window_px", "optics.mask_pixels"});
    expect_bad_input(run_accel(dir, "train " + small + "--set data.synthetic_classes=5" + out), {"synthetic-shapes/train: label 4 at index", "eac.outputs = 4"});
    expect_bad_input(run_accel(dir, "train " + small + "--set data.test_images=5000" + out), {"data.test_images"});
    expect_bad_input(run_accel(dir, "train " + small), {"--output"});
    expect_bad_input(run_accel(dir, "train --preset d2nn-5layer --set d2nn.region_side_um=1200" + out), {"d2nn.region_side_um"});
    expect_bad_input(run_accel(dir, "train --preset digital-baseline --set digital.sensor_pixels=1000 --set data.dataset=synthetic" + out),
                     {"digital.sensor_pixels"});
    expect_bad_input(run_accel(dir, "train " + small + "--set data.dataset=fashion-mnist --set data.fashion_mnist_dir=/nonexistent" + out),
                     {"/nonexistent", "data.dataset"});
    CHECK_FALSE(fs::exists(dir / "x.h5"));

    SECTION("eval changes eval.* keys only") {
        REQUIRE(train(dir, "m.h5", one_chip + "--set train.epochs=1").exit_code == 0);
        expect_bad_input(run_accel(dir, "eval " + quoted(dir / "m.h5") + " --set optics.mask_pixels=32"), {"optics.mask_pixels", "eval."});
        expect_bad_input(run_accel(dir, "eval " + quoted(dir / "m.h5") + " --set eval.chips=0"), {"eval.chips"});
        expect_bad_input(run_accel(dir, "eval " + quoted(dir / "m.h5") + " --light -1"), {"--light"});
        expect_bad_input(run_accel(dir, "eval " + quoted(dir / "m.h5") + " -o " + quoted(dir / "m.h5") + " --force"), {"model file"});
    }
}

TEST_CASE("train --dry-run prints the effective configuration and trains nothing", "[cli]") {
    TempDir dir;
    const Run r = run_accel(dir, "train " + small + "--set train.epochs=7 --dry-run -o " + quoted(dir / "x.h5"));
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Contains("[train]") && Contains("epochs = 7") && Contains("[eval]") && Contains("dataset = \"synthetic\""));
    CHECK_FALSE(fs::exists(dir / "x.h5"));
}

namespace {

// Kills `accel train` with SIGKILL at `kills` random moments (seeded) within the time an
// uninterrupted run takes, resuming each time from whatever checkpoint the last kill left and
// checking the file after every kill. A run that finishes before its kill is compared with
// the uninterrupted run of the same seed, bit for bit, and started afresh, so that every
// iteration has a run to kill; at least a third must end in a kill. The last run is finished and compared.
void kill_train_and_resume(int kills, unsigned seed) {
    TempDir dir("accel-cli-train-kill");
    const std::string run = one_chip + "--set train.epochs=6 --set train.threads=1";
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(train(dir, "reference.h5", run).exit_code == 0);
    const double reference_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    const auto check_same_result = [&](const std::string& file) {
        for (const char* name : {"/model/parameters", "/train/state/parameters", "/train/state/best_parameters",
                                 "/train/state/adam_first_moment", "/train/state/adam_second_moment"}) {
            INFO(name);
            CHECK(same_bits(dataset(dir / "reference.h5", name), dataset(file, name)));
        }
        const h5::InputFile a(dir / "reference.h5"), b(file);
        CHECK(a.root().open_group("metrics/test").attribute_double("accuracy") == b.root().open_group("metrics/test").attribute_double("accuracy"));
        CHECK(a.root().open_group("metrics/test").attribute_double("loss") == b.root().open_group("metrics/test").attribute_double("loss"));
    };

    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> delay_s(0.05, std::max(0.1, 0.6 * reference_s));
    const std::string out = dir / "killed.h5";
    std::int64_t last_epochs = 0;
    int killed = 0;
    for (int k = 0; k < kills; ++k) {
        char timeout[32];
        std::snprintf(timeout, sizeof timeout, "%.2f", delay_s(rng));
        const bool exists = fs::exists(out);
        // A fresh start replaces the images of a run that finished before (--force).
        const std::string command = exists ? "train --resume " + quoted(out) + " -q" : "train " + small + run + " -q --force -o " + quoted(out);
        const Run r = run_command(dir, std::string("timeout -s KILL ") + timeout + " '" + ACCEL_CLI_PATH + "' " + command);
        INFO("kill " << k << " after " << timeout << " s: exit " << r.exit_code << ", stderr " << r.err);
        CHECK((r.exit_code == 0 || r.exit_code == 137));
        killed += r.exit_code == 137;
        if (!fs::exists(out)) continue;  // killed before the first checkpoint
        // Readable after every kill, and a finished epoch is never lost.
        {
            const h5::InputFile in(out);
            const std::int64_t epochs = in.root().open_group("train/state").attribute_int64("epochs_done");
            CHECK(epochs >= last_epochs);
            last_epochs = epochs;
        }
        CHECK(run_accel(dir, "inspect " + quoted(out)).exit_code == 0);
        if (r.exit_code == 0) {  // finished before the kill: check it, then start again
            check_same_result(out);
            fs::remove(out);
            last_epochs = 0;
        }
    }
    CHECK(killed * 3 >= kills);  // a third at least, however the machine's speed varies
    const Run finish = run_accel(dir, fs::exists(out) ? "train --resume " + quoted(out) + " -q" : "train " + small + run + " -q --force -o " + quoted(out));
    INFO(finish.err);
    REQUIRE(finish.exit_code == 0);
    check_same_result(out);
    // No temporary file of a killed process is left beside the result.
    for (const auto& e : fs::directory_iterator(dir.path)) {
        INFO("left beside the result: " << e.path().filename().string());
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    }
}

}  // namespace

TEST_CASE("train: killed with SIGKILL at random moments, resumed, gives the uninterrupted result", "[cli]") {
    kill_train_and_resume(3, 20261201u);
}

TEST_CASE("train: twenty SIGKILLs at random moments, each resumed", "[slow]") {
    kill_train_and_resume(20, 7u);
}

TEST_CASE("train --resume refuses data files that changed since the run started", "[cli]") {
    TempDir dir;
    const fs::path mnist = dir.path / "mnist";
    fs::copy(fs::path(ACCEL_SOURCE_DIR) / "datasets" / "mnist", mnist);
    const std::string run = "--preset synthetic-quick --set data.dataset=mnist --set data.mnist_dir=" + quoted(mnist.string()) +
                            " --set data.train_images=200 --set data.test_images=100 --set eac.outputs=10 --set eac.output_lines=10 " + one_chip;
    REQUIRE(run_accel(dir, "train " + run + "--set train.epochs=1 -q -o " + quoted(dir / "m.h5")).exit_code == 0);
    CHECK(h5::InputFile(dir / "m.h5").root().attribute_string("data_digest").size() == 16);
    // Same files: the resume goes on.
    REQUIRE(run_accel(dir, "train --resume " + quoted(dir / "m.h5") + " --set train.epochs=2 -q").exit_code == 0);
    // Other labels under the same name.
    fs::copy_file(mnist / "t10k-labels-idx1-ubyte.gz", mnist / "train-labels-idx1-ubyte.gz", fs::copy_options::overwrite_existing);
    const std::string before = read_text(dir / "m.h5");
    expect_bad_input(run_accel(dir, "train --resume " + quoted(dir / "m.h5") + " --set train.epochs=3"), {"m.h5", "data differ", "mnist"});
    CHECK(read_text(dir / "m.h5") == before);
}

TEST_CASE("a design beyond the machine's memory is reported before anything starts", "[cli]") {
    TempDir dir;
    // The largest legal grid (16384 + 2·8192 = 32768 px per side, 8 GiB per plane) with 64 planes
    // needs terabytes: no machine that runs this suite has them.
    std::string sixty_four = "[20.0";
    for (int l = 1; l < 64; ++l) sixty_four += ", 20.0";
    sixty_four += "]";
    const Run r = run_accel(dir, "train " + small + "--set optics.mask_pixels=16384 --set optics.padding_px=8192 --set 'optics.distances_mm=" +
                                     sixty_four + "' --set detector.pitch_um=4000 -o " + quoted(dir / "big.h5"));
    expect_bad_input(r, {"memory", "GiB", "optics.mask_pixels"});
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(dir / "big.h5"));

#if !defined(__SANITIZE_ADDRESS__)
    // Not in the AddressSanitizer build: its operator new reports a failed allocation and
    // aborts instead of throwing std::bad_alloc, whatever its options say.
    SECTION("an allocation that fails beyond the estimate is bad input too") {
        // 512 MiB per plane (8192² complex floats) in a process held to 1.5 GB of address space.
        const Run late = run_command(dir, "prlimit --as=1500000000 '" + std::string(ACCEL_CLI_PATH) + "' train " + small +
                                              "--set optics.mask_pixels=4096 --set optics.padding_px=2048 --set detector.pitch_um=600 -q -o " +
                                              quoted(dir / "big.h5"));
        expect_bad_input(late, {"memory"});
        CHECK_FALSE(fs::exists(dir / "big.h5"));
    }
#endif
}

namespace {

// Starts `accel ARGS` (stdout and stderr to files of `dir`) as a child of this process, with
// SIGINT and SIGTERM at their defaults, as a shell's foreground command has them.
pid_t start_accel(const TempDir& dir, const std::vector<std::string>& args) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        std::freopen((dir / "stdout.txt").c_str(), "w", stdout);
        std::freopen((dir / "stderr.txt").c_str(), "w", stderr);
        std::vector<char*> argv{const_cast<char*>(ACCEL_CLI_PATH)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(ACCEL_CLI_PATH, argv.data());
        ::_exit(127);
    }
    return pid;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("train: Ctrl-C (SIGINT) prints what was kept and the command that resumes it, exit 130", "[cli]") {
    // It used to end silently with exit 130.
    TempDir dir("accel-cli-train-interrupt");
    const std::string out = dir / "run.h5";
    const std::vector<std::string> args = {"train", "--preset", "synthetic-quick", "--set", "data.synthetic_train=400", "--set", "data.synthetic_test=200",
                                           "--set", "train.epochs=1000", "-q", "-o", out};

    // After a checkpoint: the line names it, how many epochs it holds, and the resume command.
    // (Before the first one the process may not have installed its handler yet, so that
    // moment is not tested by timing.)
    pid_t pid = start_accel(dir, args);
    for (int k = 0; k < 6000 && !fs::exists(out); ++k) ::usleep(10000);
    REQUIRE(fs::exists(out));
    REQUIRE(::kill(pid, SIGINT) == 0);
    CHECK(wait_exit_code(pid) == 130);
    const auto lines = Run{0, "", read_text(dir / "stderr.txt")}.err_lines();
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Contains("accel: interrupted: the checkpoint '" + out + "' holds ") && Contains(" of 1000 epochs; continue with: accel train --resume " + out));
    // The checkpoint it names is readable and resumes (here with fewer epochs, to end quickly).
    const h5::InputFile in(out);
    const std::int64_t done = in.root().open_group("train/state").attribute_int64("epochs_done");
    CHECK(done >= 1);
    CHECK_THAT(lines[0], Contains("holds " + std::to_string(done) + " of 1000"));

    // SIGTERM (a scheduler ending the job) gets the same line, with exit 143.
    pid = start_accel(dir, {"train", "--resume", out, "-q"});
    ::usleep(1500000);  // well past start-up (the handler is installed first thing in main)
    REQUIRE(::kill(pid, SIGTERM) == 0);
    CHECK(wait_exit_code(pid) == 143);
    const auto term_lines = Run{0, "", read_text(dir / "stderr.txt")}.err_lines();
    REQUIRE(term_lines.size() == 1);
    CHECK(term_lines[0].rfind("accel: interrupted: ", 0) == 0);
}

TEST_CASE("With auto-ranging each chip integrates on the highest gain that does not clip at the light level", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "ranged.h5", "").exit_code == 0);  // the defaults: the layout's lines, auto-ranged
    const Run e = run_accel(dir, "eval -q " + quoted(dir / "ranged.h5") + " --light 0.001,1000 -o " + quoted(dir / "e.h5"));
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    const auto settings = [&](const std::string& light) {
        const h5::ReadLimits limits{std::size_t{1} << 20, std::size_t{1} << 20};
        return h5::InputFile(dir / "e.h5").open_dataset("eval/0/" + light + "/gain_setting_per_chip").read_vector<std::int64_t>(limits);
    };
    const std::vector<std::int64_t> dim = settings("light_0"), bright = settings("light_1");
    REQUIRE_FALSE(dim.empty());
    for (auto s : dim) CHECK(s == 0);     // the highest gain at 10⁻³ fJ/µm²
    for (auto s : bright) CHECK(s == 2);  // the lowest at 10³ fJ/µm², where even it clips
    // The energy follows the line capacitance of the setting.
    CHECK(dataset(dir / "e.h5", "eval/0/light_1/energy_per_frame_J_per_chip")[0] >
          dataset(dir / "e.h5", "eval/0/light_0/energy_per_frame_J_per_chip")[0]);
    CHECK(h5::InputFile(dir / "e.h5").root().open_group("eval/0/light_1").attribute_double("clipped_frame_fraction") > 0.5);
    // A fixed line capacitance leaves nothing to range over: bad input naming both keys.
    expect_bad_input(train(dir, "fixed.h5", "--set eac.line_capacitance_fF=20000 "), {"eac.conversion_gain", "eac.line_capacitance_fF"});
}

TEST_CASE("eval can change the chip's electronics of a trained design, not its trained shape", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "m.h5", first_model).exit_code == 0);  // auto-zeroed, 1 mV offsets on 20 pF lines
    const auto chip_mean = [&](const std::string& sets, const std::string& out) {
        const Run e = run_accel(dir, "eval -q " + quoted(dir / "m.h5") + " " + sets + " -o " + quoted(dir / out));
        INFO(e.err);
        REQUIRE(e.exit_code == 0);
        return h5::InputFile(dir / out).root().open_group("eval/0/light_0").attribute_double("accuracy_mean");
    };
    const double calibrated = chip_mean("", "a.h5");
    const double uncalibrated = chip_mean("--set eac.offset_calibration=none", "b.h5");
    INFO("auto-zeroed " << calibrated << ", uncalibrated " << uncalibrated);
    CHECK(calibrated > uncalibrated + 0.1);  // the 1 mV offsets decide many frames without it
    CHECK(h5::InputFile(dir / "b.h5").root().open_group("eval/0").attribute_string("config_toml").find("offset_calibration = \"none\"") !=
          std::string::npos);
    // What the trained parameters depend on stays the file's.
    expect_bad_input(run_accel(dir, "eval -q " + quoted(dir / "m.h5") + " --set eac.outputs=3 -o " + quoted(dir / "c.h5")),
                     {"eac.outputs=3", "electronics"});
    CHECK_FALSE(fs::exists(dir / "c.h5"));
}

// The photon limit is the same trained design read out by ideal electronics: only photon
// shot noise is left, so uncalibrated 1 mV offsets (of the chip as first modelled) no longer
// decide frames, and lines that clip on the chip at a bright light do not clip there.
TEST_CASE("eval.electronics = ideal is the photon limit: shot noise alone, no offsets, no clipping", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "m.h5", first_model).exit_code == 0);
    const auto light_group = [&](const std::string& sets, const std::string& out) {
        const Run e = run_accel(dir, "eval -q " + quoted(dir / "m.h5") + " --set eac.offset_calibration=none " + sets + " -o " + quoted(dir / out));
        INFO(e.err);
        REQUIRE(e.exit_code == 0);
        return h5::InputFile(dir / out).root().open_group("eval/0/light_0");
    };
    const h5::Group chip = light_group("", "chip.h5");
    const h5::Group ideal = light_group("--set eval.electronics=ideal", "ideal.h5");
    INFO("chip " << chip.attribute_double("accuracy_mean") << ", photon limit " << ideal.attribute_double("accuracy_mean"));
    CHECK(chip.attribute_string("electronics") == "chip");
    CHECK(ideal.attribute_string("electronics") == "ideal");
    CHECK(ideal.attribute_double("accuracy_mean") > chip.attribute_double("accuracy_mean") + 0.1);
    // Ten thousand times the light: the chip's lines clip, the ideal ones do not.
    const h5::Group bright_chip = light_group("--light 1400", "bright-chip.h5");
    const h5::Group bright_ideal = light_group("--light 1400 --set eval.electronics=ideal", "bright-ideal.h5");
    CHECK(bright_chip.attribute_double("clipped_frame_fraction") > 0.5);
    CHECK(bright_ideal.attribute_double("clipped_frame_fraction") == 0.0);
    CHECK(bright_ideal.attribute_double("accuracy_mean") >= bright_chip.attribute_double("accuracy_mean"));
    // The noise budget of the photon limit has the photon shot noise alone.
    const Run b = run_accel(dir, "eval -q " + quoted(dir / "m.h5") + " --noise-budget --set eval.electronics=ideal -o " + quoted(dir / "b.h5"));
    INFO(b.err);
    REQUIRE(b.exit_code == 0);
    const h5::InputFile in(dir / "b.h5");
    const h5::ReadLimits limits{std::size_t{1} << 10, std::size_t{1} << 10};
    const std::vector<h5::TableColumn> table = in.root().open_group("eval/0/noise_budget/light_0").open_dataset("terms").read_table(limits);
    const auto& names = std::get<std::vector<std::string>>(table[0].values);
    const auto& rms = std::get<std::vector<double>>(table[1].values);
    REQUIRE(names.size() == 8);
    for (std::size_t t = 0; t < names.size(); ++t) {
        INFO(names[t]);
        if (names[t] == "photon_shot") CHECK(rms[t] > 0.0);
        else CHECK(rms[t] == 0.0);
    }
    // An image sensor read through ADCs has no such switch.
    expect_bad_input(run_accel(dir, "train --preset digital-baseline --set eval.electronics=ideal -q -o " + quoted(dir / "d.h5")),
                     {"eval.electronics", "digital"});
    CHECK_FALSE(fs::exists(dir / "d.h5"));
}

// With auto-ranging the budget is taken at the gain the chip ranges to: in the dark the
// highest (setting 0), so it equals the budget of that gain fixed, term for term. (It was
// taken at the configured eac.gain_setting before, whatever the chip chose.)
TEST_CASE("eval --noise-budget with auto-ranging takes the gain the chip ranges to", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "m.h5", "").exit_code == 0);  // the defaults: the layout's lines, auto-ranged
    const auto rms = [&](const std::string& sets, const std::string& out) {
        const Run e = run_accel(dir, "eval -q " + quoted(dir / "m.h5") + " --noise-budget --light 0.001 --chips 2 " + sets + " -o " + quoted(dir / out));
        INFO(e.err);
        REQUIRE(e.exit_code == 0);
        const h5::InputFile in(dir / out);
        const h5::ReadLimits limits{std::size_t{1} << 10, std::size_t{1} << 10};
        const auto table = in.root().open_group("eval/0/noise_budget/light_0").open_dataset("terms").read_table(limits);
        return std::get<std::vector<double>>(table[1].values);
    };
    const std::vector<double> ranged = rms("--set eac.conversion_gain=auto", "auto.h5");
    const std::vector<double> highest = rms("--set eac.conversion_gain=fixed --set eac.gain_setting=0", "g0.h5");
    const std::vector<double> lowest = rms("--set eac.conversion_gain=fixed --set eac.gain_setting=2", "g2.h5");
    CHECK(ranged == highest);
    CHECK(ranged != lowest);
}

TEST_CASE("eval --noise-budget writes every noise term of the read-out beside the signal", "[cli]") {
    TempDir dir;
    REQUIRE(train(dir, "m.h5", first_model).exit_code == 0);
    const Run e = run_accel(dir, "eval " + quoted(dir / "m.h5") + " --noise-budget --set eac.offset_calibration=none -o " + quoted(dir / "e.h5"));
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    CHECK_THAT(e.out, Contains("noise budget at 0.14 fJ/µm²") && Contains("comparator_offset") && Contains("photon_shot"));
    const h5::InputFile in(dir / "e.h5");
    const h5::Group budget = in.root().open_group("eval/0/noise_budget/light_0");
    CHECK(budget.attribute_double("signal_spread_rms_e") > 0.0);
    CHECK(budget.attribute_double("per_frame_rms_e") > 0.0);
    const h5::ReadLimits limits{std::size_t{1} << 10, std::size_t{1} << 10};
    const std::vector<h5::TableColumn> table = budget.open_dataset("terms").read_table(limits);
    const auto& names = std::get<std::vector<std::string>>(table[0].values);
    const auto& rms = std::get<std::vector<double>>(table[1].values);
    REQUIRE(names.size() == 8);
    // The same offset on every output and image: 1 mV on the 20 pF line is 124,830 electrons.
    const auto offset = std::find(names.begin(), names.end(), "comparator_offset") - names.begin();
    CHECK(rms[static_cast<std::size_t>(offset)] == Approx(1e-3 * 20e-12 / 1.602176634e-19).epsilon(1e-9));
    // The accuracies say which term decides: uncalibrated offsets alone cost as much as
    // every term together, and every term but them leaves the design at its noise-free best.
    CHECK_THAT(e.out, Contains("alone") && Contains("all but it"));
    const std::vector<h5::TableColumn> acc = budget.open_dataset("accuracy").read_table(limits);
    const auto& term = std::get<std::vector<std::string>>(acc[0].values);
    const auto& alone = std::get<std::vector<double>>(acc[1].values);
    const auto& all_but = std::get<std::vector<double>>(acc[3].values);
    REQUIRE(term.size() == 9);
    CHECK(term.back() == "clipping");
    const double all = budget.attribute_double("accuracy_all"), none = budget.attribute_double("accuracy_none");
    CHECK(budget.attribute_int64("chips") == 10);
    CHECK(none > all + 0.2);
    for (std::size_t t = 0; t < term.size(); ++t) {
        INFO(term[t] << ": alone " << alone[t] << ", all but it " << all_but[t]);
        if (term[t] == "comparator_offset") {
            CHECK(alone[t] < none - 0.2);
            CHECK(all_but[t] > all + 0.2);
        } else {
            CHECK(alone[t] > all + 0.2);
        }
    }
}
