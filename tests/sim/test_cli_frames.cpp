// `accel eval --export-frames DIR` and `accel eval --frames FILE`: the frames of simulated
// chips, written one file per chip, adapt with the same command exactly as in-process; the
// adapted SRAM weights do not depend on the thread count; bad frames and bad settings are
// refused with nothing written.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "accel/sim/io/frames_io.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "tests/support/cli_support.hpp"

using namespace accel::sim;
using namespace accel::test;

namespace {

std::string quoted(const std::string& p) { return "'" + p + "'"; }

const std::string small = "--preset synthetic-quick --set data.synthetic_train=400 --set data.synthetic_test=200 ";
const std::string adapt = "--set eac.pixel_gain_sigma=0.4 --set eval.phase_error_pi=0.25 --set eval.adaptation_epochs=3 "
                          "--set eval.adaptation_images=300 ";

std::vector<double> doubles(const std::string& file, const std::string& name) {
    return h5::InputFile(file).open_dataset(name).read_vector<double>();
}

std::vector<std::int8_t> weights(const std::string& file, const std::string& name) {
    const auto a = h5::InputFile(file).open_dataset(name).read_array_2d<std::int8_t>();
    return a.values;
}

}  // namespace

TEST_CASE("Exported frames adapt with --frames exactly as the chips adapted in-process", "[cli]") {
    TempDir dir;
    const std::string model = dir / "m.h5";
    REQUIRE(run_accel(dir, "train " + small + "-q -o " + quoted(model)).exit_code == 0);
    const Run e = run_accel(dir, "eval " + quoted(model) + " " + adapt + "--chips 2 --export-frames " + quoted(dir / "frames") + " -o " +
                                     quoted(dir / "e.h5"));
    INFO(e.out << e.err);
    REQUIRE(e.exit_code == 0);
    CHECK_THAT(e.out, Catch::Matchers::Contains("wrote the frames of 2 chips"));
    const auto in_process = doubles(dir / "e.h5", "eval/0/light_0/adapted/accuracy_per_chip");
    REQUIRE(in_process.size() == 2);
    const ChipFramesFile f = read_chip_frames(dir / "frames/light_0_chip_1.h5");
    CHECK(f.train.frames() == 300);
    CHECK(f.test.frames() == 200);
    CHECK(f.source == "simulated by accel eval");

    for (int threads : {1, 2}) {
        const std::string out = dir / ("f" + std::to_string(threads) + ".h5");
        const Run r = run_accel(dir, "eval " + quoted(model) + " " + adapt + "--threads " + std::to_string(threads) + " --frames " +
                                         quoted(dir / "frames/light_0_chip_0.h5") + " --frames " + quoted(dir / "frames/light_0_chip_1.h5") +
                                         " -o " + quoted(out));
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK_THAT(r.out, Catch::Matchers::Contains("after adaptive training (3 epochs)"));
        const h5::InputFile in(out);
        for (int k = 0; k < 2; ++k) {
            const h5::Group g = in.root().open_group("eval/0/frames_" + std::to_string(k));
            CHECK(g.attribute_double("accuracy_after") == in_process[static_cast<std::size_t>(k)]);
            CHECK(g.attribute_int64("training_frames") == 300);
        }
    }
    CHECK(weights(dir / "f1.h5", "eval/0/frames_1/adapted_sram_weights") == weights(dir / "f2.h5", "eval/0/frames_1/adapted_sram_weights"));
    CHECK(doubles(dir / "f1.h5", "eval/0/frames_0/adapted_parameters") == doubles(dir / "f2.h5", "eval/0/frames_0/adapted_parameters"));
}

TEST_CASE("Bad frames and bad adaptation settings are refused with nothing written", "[cli]") {
    TempDir dir;
    const std::string model = dir / "m.h5";
    REQUIRE(run_accel(dir, "train " + small + "-q -o " + quoted(model)).exit_code == 0);
    const std::string out = dir / "out.h5";

    // A frames file for another design: 4 photodiodes against synthetic-quick's.
    ChipFramesFile narrow;
    narrow.photodiodes = 4;
    narrow.classes = 4;
    narrow.energy_density_fJ_per_um2 = 0.1;
    for (FrameSet* s : {&narrow.train, &narrow.test}) {
        s->signal_e.assign(8, 10.0);
        s->labels = {0, 1};
        s->frame_number = {0, 1};
    }
    write_chip_frames(dir / "narrow.h5", narrow, make_provenance("test", "", 1, 1), false);
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " " + adapt + "--frames " + quoted(dir / "narrow.h5") + " -o " + quoted(out)),
                     {"narrow.h5", "4 photodiodes", "the design has"});
    // --frames adapts: without adaptation epochs there is nothing to do.
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " --frames " + quoted(dir / "narrow.h5") + " -o " + quoted(out)),
                     {"eval.adaptation_epochs"});
    // Not a frames file: the model file itself.
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " " + adapt + "--frames " + quoted(model) + " -o " + quoted(out)),
                     {"m.h5", "not a frames file"});
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " " + adapt + "--frames " + quoted(dir / "missing.h5")), {"--frames"});
    CHECK_FALSE(std::filesystem::exists(out));

    // The export goes to a new folder only; a failed evaluation leaves none behind.
    std::filesystem::create_directory(dir / "taken");
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " --export-frames " + quoted(dir / "taken") + " -o " + quoted(out)),
                     {"--export-frames", "taken", "exists"});
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " --set eval.chips=0 --export-frames " + quoted(dir / "fresh")), {"eval.chips"});
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " --set eac.offset_calibration=\\\"dark\\\" -o " + quoted(out)),
                     {"eac.offset_calibration", "dark"});
    expect_bad_input(run_accel(dir, "eval " + quoted(model) + " --set eac.conversion_gain=\\\"auto\\\" --set eac.ranging_frames=0 -o " + quoted(out)),
                     {"eac.ranging_frames"});
    CHECK_FALSE(std::filesystem::exists(dir / "fresh"));
    CHECK_FALSE(std::filesystem::exists(out));
    for (const auto& entry : std::filesystem::directory_iterator(dir.path))
        CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
}
