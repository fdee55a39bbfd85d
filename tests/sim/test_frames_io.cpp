// Measured-frames files (sim/io/frames_io.hpp): what is written is read back bit for bit,
// adapting a chip on frames read back equals adapting it on the frames the evaluation
// simulated, and every malformed file is an InputError naming the file and the culprit.

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/frames_io.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/run/chip_adaptation.hpp"
#include "accel/sim/run/conditions.hpp"
#include "accel/sim/run/model_construction.hpp"
#include "accel/sim/run/test_evaluation.hpp"
#include "tests/support/cli_support.hpp"

using namespace accel;
using namespace accel::sim;
using accel::test::TempDir;

namespace {

FrameSet set_of(int frames, int width, int classes, double scale) {
    FrameSet s;
    for (int i = 0; i < frames; ++i) {
        for (int k = 0; k < width; ++k) s.signal_e.push_back(scale * (1.0 / 3.0 + i * width + k));
        s.labels.push_back(i % classes);
        s.frame_number.push_back(7 * i);
    }
    return s;
}

ChipFramesFile example() {
    ChipFramesFile f;
    f.photodiodes = 4;
    f.classes = 3;
    f.energy_density_fJ_per_um2 = 0.14;
    f.chip = 2147483651u;
    f.source = "a test";
    f.design_file = "design.h5";
    f.train = set_of(5, 4, 3, 1e3);
    f.test = set_of(3, 4, 3, 2e3);
    f.ranging = set_of(2, 4, 3, 3e3);
    f.ranging.labels.clear();
    return f;
}

Provenance provenance() { return make_provenance("test", "", 1, 1); }

void check_equal(const FrameSet& a, const FrameSet& b) {
    CHECK(a.signal_e == b.signal_e);
    CHECK(a.labels == b.labels);
    CHECK(a.frame_number == b.frame_number);
}

// A frames file written by hand, so that it can hold what write_chip_frames never writes.
struct Raw {
    std::string format = "accel chip frames";
    int version = 1, photodiodes = 4, classes = 3, rows = 5, cols = 4;
    std::vector<double> charges = std::vector<double>(20, 100.0);
    std::vector<std::int32_t> labels = {0, 1, 2, 0, 1};
    bool with_test = true;
};

void write_raw(const std::string& path, const Raw& r) {
    h5::OutputFile out(path, h5::Overwrite::yes);
    h5::Group& root = out.root();
    root.set_attribute("format", r.format);
    root.set_attribute("format_version", r.version);
    root.set_attribute("photodiodes", r.photodiodes);
    root.set_attribute("classes", r.classes);
    root.set_attribute("energy_density_fJ_per_um2", 0.14);
    root.set_attribute("chip", 3);
    for (const std::string name : {"train", "test"}) {
        if (name == "test" && !r.with_test) continue;
        h5::Group g = root.create_group(name);
        g.write_array<double>("signal_e", r.charges, {static_cast<std::size_t>(r.rows), static_cast<std::size_t>(r.cols)});
        g.write_array<std::int32_t>("labels", r.labels, {r.labels.size()});
        std::vector<std::int32_t> numbers(static_cast<std::size_t>(r.rows));
        for (int i = 0; i < r.rows; ++i) numbers[static_cast<std::size_t>(i)] = i;
        g.write_array<std::int32_t>("frame_number", numbers, {numbers.size()});
    }
    out.commit();
}

void expect_refused(const Raw& r, const std::vector<std::string>& culprits) {
    TempDir dir;
    const std::string path = dir / "bad.h5";
    write_raw(path, r);
    try {
        (void)read_chip_frames(path);
        FAIL("a bad frames file was read");
    } catch (const InputError& e) {
        const std::string what = e.what();
        INFO(what);
        CHECK(what.find("bad.h5") != std::string::npos);
        for (const auto& c : culprits) CHECK(what.find(c) != std::string::npos);
    }
}

}  // namespace

TEST_CASE("A frames file reads back exactly what was written", "[unit]") {
    TempDir dir;
    const ChipFramesFile f = example();
    write_chip_frames(dir / "f.h5", f, provenance(), false);
    const ChipFramesFile g = read_chip_frames(dir / "f.h5");
    CHECK(g.photodiodes == 4);
    CHECK(g.classes == 3);
    CHECK(g.energy_density_fJ_per_um2 == 0.14);
    CHECK(g.chip == f.chip);
    CHECK(g.source == "a test");
    CHECK(g.design_file == "design.h5");
    check_equal(g.train, f.train);
    check_equal(g.test, f.test);
    check_equal(g.ranging, f.ranging);
    // The charges carry their unit.
    CHECK(h5::InputFile(dir / "f.h5").root().open_dataset("train/signal_e").attribute_string("unit") == "e");
    // An existing file is kept unless overwriting is asked for.
    CHECK_THROWS_AS(write_chip_frames(dir / "f.h5", f, provenance(), false), InputError);
}

TEST_CASE("A malformed frames file is refused, naming the culprit", "[unit]") {
    Raw wrong_shape;
    wrong_shape.cols = 5;
    wrong_shape.charges.assign(25, 1.0);
    expect_refused(wrong_shape, {"5 photodiodes", "says 4"});
    Raw negative;
    negative.charges[6] = -1.0;
    expect_refused(negative, {"negative charge", "frame 1", "photodiode 2"});
    Raw not_finite;
    not_finite.charges[3] = std::numeric_limits<double>::quiet_NaN();
    expect_refused(not_finite, {"non-finite"});
    Raw label;
    label.labels[4] = 3;
    expect_refused(label, {"labels", "3 at frame 4", "[0, 2]"});
    Raw few_labels;
    few_labels.labels.pop_back();
    expect_refused(few_labels, {"labels", "4 entries for 5 frames"});
    Raw empty;
    empty.rows = 0;
    empty.charges.clear();
    empty.labels.clear();
    expect_refused(empty, {"no frames"});
    Raw no_test;
    no_test.with_test = false;
    expect_refused(no_test, {"/test"});
    Raw other;
    other.format = "something else";
    expect_refused(other, {"not a frames file"});
    Raw newer;
    newer.version = 2;
    expect_refused(newer, {"version 2"});
    Raw one_class;
    one_class.classes = 1;
    expect_refused(one_class, {"classes"});
}

TEST_CASE("Adapting a chip on its frames read back from a file equals adapting it in-process, bit for bit", "[cli]") {
    ConfigSources src;
    src.preset = "synthetic-quick";
    src.overrides = {"data.synthetic_train=300", "data.synthetic_test=120", "eval.chips=2", "eval.adaptation_epochs=2",
                     "eval.adaptation_images=200", "eac.pixel_gain_sigma=0.3", "eac.conversion_gain=\"auto\"", "eac.line_capacitance_fF=0", "train.threads=2"};
    static const Schema schema = accel_schema();  // the config refers to it
    const Config config = Config::load(schema, src);
    const RunDescription run = describe_run(config);
    const RunData data = load_data(run, DataNeeds::train_and_test);
    optics::PropagationCache<float> cache;
    const auto model = make_model(run, cache, data);
    const std::vector<double> parameters = model->initial_parameters(5);

    std::vector<ChipFramesFile> simulated;
    const TestReport report = evaluate_test(run, *model, data, parameters, {}, {}, false,
                                            [&](std::size_t light, const ChipFramesFile& f) {
                                                CHECK(light == 0);
                                                simulated.push_back(f);
                                            });
    REQUIRE(simulated.size() == 2);
    REQUIRE(report.chips.at(0).adapted_per_chip.size() == 2);
    CHECK(simulated[0].train.frames() == 200);
    CHECK(simulated[0].test.frames() == 120);
    CHECK(simulated[0].ranging.frames() > 0);  // auto-ranging: the chip's ranging frames go with it

    TempDir dir;
    models::Trainer trainer(*model, run.training.settings);
    const models::Conditions chip_test = conditions_for(run, Purpose::chip_test, 0);
    for (std::size_t k = 0; k < 2; ++k) {
        const std::string path = dir / ("chip_" + std::to_string(k) + ".h5");
        write_chip_frames(path, simulated[k], provenance(), false);
        const AdaptedChip in_memory = adapt_chip_on_frames(run, *model, trainer, parameters, simulated[k], chip_test, true);
        const AdaptedChip from_file = adapt_chip_on_frames(run, *model, trainer, parameters, read_chip_frames(path), chip_test, true);
        CHECK(from_file.parameters == in_memory.parameters);
        CHECK(from_file.after.confusion == in_memory.after.confusion);
        CHECK(from_file.after.accuracy == report.chips[0].adapted_per_chip[k].accuracy);
        CHECK(from_file.after.confusion == report.chips[0].adapted_per_chip[k].confusion);
        // Adaptation changed the read-out only.
        const std::size_t masks = model->block("latent_weights").offset;
        CHECK(std::equal(parameters.begin(), parameters.begin() + static_cast<std::ptrdiff_t>(masks), from_file.parameters.begin()));
        CHECK(from_file.parameters != parameters);
    }
    // Frames that do not fit the design.
    ChipFramesFile narrow = simulated[0];
    narrow.photodiodes = 16;
    CHECK_THROWS_WITH(adapt_chip_on_frames(run, *model, trainer, parameters, narrow, chip_test, false),
                      Catch::Matchers::Contains("16 photodiodes") && Catch::Matchers::Contains("the design has"));
    ChipFramesFile unranged = simulated[0];
    unranged.ranging = {};
    CHECK_THROWS_WITH(adapt_chip_on_frames(run, *model, trainer, parameters, unranged, chip_test, false),
                      Catch::Matchers::Contains("no ranging frames"));
}
