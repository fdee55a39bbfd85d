// `accel eval` with ACCEL's adaptive training (eval.adaptation_epochs): each simulated chip
// retrains its weights on its own photodiode outputs and is tested again; the result file
// holds both, with the yield; bad settings are refused.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "accel/sim/io/hdf5_file.hpp"
#include "tests/support/cli_support.hpp"

using namespace accel::sim;
using namespace accel::test;

namespace {

std::string quoted(const std::string& p) { return "'" + p + "'"; }

const std::string small = "--preset synthetic-quick --set data.synthetic_train=600 --set data.synthetic_test=300 ";
// Chips that the design's weights fit badly: strong gain mismatch and fabrication error.
const std::string bad_chips = "--set eac.pixel_gain_sigma=0.4 --set eac.weight_path_sigma=0.3 --set eval.phase_error_pi=0.25 --chips 3 ";

std::vector<double> doubles(const std::string& file, const std::string& name) {
    const h5::ReadLimits limits{std::size_t{1} << 20, std::size_t{1} << 20};
    return h5::InputFile(file).open_dataset(name).read_vector<double>(limits);
}

}  // namespace

TEST_CASE("eval with adaptive training reports each chip before and after, and the yield", "[cli]") {
    TempDir dir;
    const std::string model = dir / "m.h5";
    REQUIRE(run_accel(dir, "train " + small + "-q -o " + quoted(model)).exit_code == 0);
    const Run e = run_accel(dir, "eval " + quoted(model) + " " + bad_chips +
                                     "--set eval.adaptation_epochs=6 --set eval.adaptation_images=500 --set eval.yield_accuracy=0.95 -o " +
                                     quoted(dir / "e.h5"));
    INFO(e.out << e.err);
    REQUIRE(e.exit_code == 0);
    CHECK_THAT(e.out, Catch::Matchers::Contains("after adaptive training (6 epochs on 500 training images per chip)"));
    const std::string file = dir / "e.h5";
    const auto before = doubles(file, "eval/0/light_0/accuracy_per_chip");
    const auto after = doubles(file, "eval/0/light_0/adapted/accuracy_per_chip");
    REQUIRE(before.size() == 3);
    REQUIRE(after.size() == 3);
    double gain = 0.0;
    for (std::size_t k = 0; k < 3; ++k) gain += after[k] - before[k];
    CHECK(gain / 3 > 0.02);  // adaptation pays on chips this far from the design
    const h5::InputFile in(file);
    const h5::Group adapted = in.root().open_group("eval/0/light_0/adapted");
    CHECK(adapted.attribute_int64("epochs") == 6);
    CHECK(adapted.attribute_int64("training_images") == 500);
    CHECK(adapted.attribute_double("yield_after") >= adapted.attribute_double("yield_before"));
    // Before adaptation the chips are the same as in a plain evaluation.
    REQUIRE(run_accel(dir, "eval -q " + quoted(model) + " " + bad_chips + "-o " + quoted(dir / "plain.h5")).exit_code == 0);
    CHECK(doubles(dir / "plain.h5", "eval/0/light_0/accuracy_per_chip") == before);
    CHECK_FALSE(h5::InputFile(dir / "plain.h5").root().has_group("eval/0/light_0/adapted"));
}

TEST_CASE("Adaptive training is refused where there is nothing to adapt", "[cli]") {
    TempDir dir;
    const Run r = run_accel(dir, "train --preset d2nn-5layer --set eval.adaptation_epochs=2 -q -o " +
                                     quoted(dir / "d.h5"));
    expect_bad_input(r, {"eval.adaptation_epochs", "d2nn"});
    CHECK_FALSE(std::filesystem::exists(dir / "d.h5"));
}
