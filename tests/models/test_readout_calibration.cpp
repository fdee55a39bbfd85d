// Offset calibration in the ACCEL model: with eac.offset_calibration = auto_zero the model
// auto-zeroes each chip on that chip's own dark frames when it is prepared, so a chip whose
// comparator offsets dwarf the signal decides as the same chip without offsets does.

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "accel/models/accel_model.hpp"
#include "tests/models/model_fixtures.hpp"

namespace {

using namespace accel;

// The hardware decisions of one chip (index 5, mismatch on, frame noise off) for `images`.
std::vector<int> decisions(double offset_sigma_V, bool auto_zero, const std::vector<std::vector<float>>& images) {
    auto spec = test::tiny_accel_spec(2);
    spec.binarise_weights = true;
    spec.eac.comparator_offset_sigma_V = offset_sigma_V;
    spec.eac.auto_zero = auto_zero;
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(spec, cache);
    models::Conditions conditions;
    conditions.frame_energy_J = 1e-15;  // lines at millivolts: far below a 0.5 V offset
    conditions.fixed_pattern = true;
    conditions.chip = 5;
    model.prepare(model.initial_parameters(7), conditions);
    const auto ws = model.make_workspace();
    std::vector<int> out;
    for (std::size_t i = 0; i < images.size(); ++i)
        out.push_back(model.predict(images[i], models::FrameKey{static_cast<std::uint32_t>(i), false}, *ws));
    return out;
}

std::size_t agreeing(const std::vector<int>& a, const std::vector<int>& b) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < a.size(); ++i) n += a[i] == b[i] ? 1u : 0u;
    return n;
}

}  // namespace

TEST_CASE("Auto-zero gives a chip with comparator offsets far above the signal the decisions of the offset-free chip",
          "[unit][compute_array]") {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
    std::vector<std::vector<float>> images(64, std::vector<float>(64));
    for (auto& image : images)
        for (auto& v : image) v = pixel(rng);
    const auto reference = decisions(0.0, false, images);
    const auto uncalibrated = decisions(0.5, false, images);
    const auto calibrated = decisions(0.5, true, images);
    INFO("agreement with the offset-free chip: " << agreeing(uncalibrated, reference) << " uncalibrated, "
                                                 << agreeing(calibrated, reference) << " auto-zeroed, of 64");
    // The offsets decide every frame alike without calibration; with it, only a decision
    // within a rounding error of a tie could differ.
    CHECK(agreeing(uncalibrated, reference) < 40);
    CHECK(agreeing(calibrated, reference) >= 63);
}
