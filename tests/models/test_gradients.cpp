// Central finite differences against the hand-written backward passes, in double.

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>
#include <utility>

#include "accel/core/random_stream.hpp"
#include "accel/models/accel_model.hpp"
#include "accel/models/d2nn_model.hpp"
#include "accel/models/digital_model.hpp"
#include "tests/models/model_fixtures.hpp"
#include "tests/optics/tolerances.hpp"

namespace {

using namespace accel;

std::vector<float> test_image(int rows, int cols, std::uint64_t seed) {
    core::RandomStream rng(seed, core::StreamKind::training, 7, 0);
    std::vector<float> image(static_cast<std::size_t>(rows * cols));
    for (auto& v : image) v = static_cast<float>(rng.uniform());
    return image;
}

// Relative error of the analytic gradient against central differences over a sample of
// parameters of one block: ‖g − g_fd‖ / ‖g_fd‖.
double block_gradient_error(models::Model& model, const std::vector<double>& params, const models::Conditions& cond,
                            std::span<const float> image, int label, const models::FrameKey& frame, const std::string& block,
                            int samples, double step) {
    auto ws = model.make_workspace();
    std::vector<double> logits(static_cast<std::size_t>(model.classes()));
    std::vector<double> grad(params.size(), 0.0);
    model.prepare(params, cond);
    model.loss(image, label, frame, *ws, logits, grad);
    const auto& b = model.block(block);
    double diff2 = 0.0, ref2 = 0.0;
    const std::size_t stride = std::max<std::size_t>(1, b.size / static_cast<std::size_t>(samples));
    for (std::size_t i = 0; i < b.size; i += stride) {
        std::vector<double> p = params;
        p[b.offset + i] = params[b.offset + i] + step;
        model.prepare(p, cond);
        const double up = model.loss(image, label, frame, *ws, logits, {});
        p[b.offset + i] = params[b.offset + i] - step;
        model.prepare(p, cond);
        const double down = model.loss(image, label, frame, *ws, logits, {});
        const double fd = (up - down) / (2.0 * step);
        diff2 += (grad[b.offset + i] - fd) * (grad[b.offset + i] - fd);
        ref2 += fd * fd;
    }
    return std::sqrt(diff2 / ref2);
}

}  // namespace

TEST_CASE("ACCEL model: backward pass matches central differences for every parameter kind", "[unit][gradient]") {
    optics::PropagationCache<double> cache;
    auto spec = test::tiny_accel_spec(2);
    models::AccelModel<double> model(spec, cache);
    const auto params = model.initial_parameters(3);
    const auto image = test_image(spec.image_rows, spec.image_cols, 11);
    models::Conditions cond;
    cond.frame_energy_J = 1e-15;
    const models::FrameKey frame{0, false};
    // The error measure is already relative (‖g − g_fd‖/‖g_fd‖), so the limit is absolute.
    const test::Tolerance tol{"fd_gradient", 1e-3, 0.0, "central differences with step 1e-5 have O(h²) truncation error far below 1e-3"};
    for (const std::string block : {"phase_0", "phase_1", "latent_weights", "log_logit_scale"}) {
        const double err = block_gradient_error(model, params, cond, image, 1, frame, block, 40, 1e-5);
        INFO(block << ": relative error " << err);
        CHECK(test::within(tol, err, 0.0));
    }
}

TEST_CASE("ACCEL model: gradients hold with noise-aware training, chip mismatch, fabrication error and misalignment", "[unit][gradient]") {
    optics::PropagationCache<double> cache;
    auto spec = test::tiny_accel_spec(2);
    models::AccelModel<double> model(spec, cache);
    const auto params = model.initial_parameters(5);
    const auto image = test_image(spec.image_rows, spec.image_cols, 13);
    models::Conditions cond;
    cond.frame_energy_J = 1e-15;  // ~10⁴ photons over the window: shot noise matters
    cond.noise = true;
    cond.fixed_pattern = true;
    cond.chip = 2;
    cond.phase_error_rad = 0.26 * 3.141592653589793;
    cond.misalignment = {optics::PlaneMisalignment{1, -1, 0.0}, optics::PlaneMisalignment{0, 0, 0.05}};
    // The frame stream is keyed on the frame: the same noise is drawn for every evaluation,
    // so the noisy loss is a smooth function of the parameters and can be differenced.
    const models::FrameKey frame{4, true};
    const test::Tolerance tol{"fd_gradient_noisy", 1e-3, 0.0, "central differences, step 1e-5; noise fixed by the frame key"};
    for (const std::string block : {"phase_0", "phase_1", "latent_weights", "log_logit_scale"}) {
        const double err = block_gradient_error(model, params, cond, image, 2, frame, block, 40, 1e-5);
        INFO(block << ": relative error " << err);
        CHECK(test::within(tol, err, 0.0));
    }
}

TEST_CASE("D2NN model: backward pass matches central differences, with and without noise", "[unit][gradient]") {
    optics::PropagationCache<double> cache;
    models::D2nnModelSpec spec;
    spec.optics.grid = {32, 8e-6};
    spec.optics.wavelength_m = 532e-9;
    spec.optics.distances_m = {5e-3, 5e-3, 5e-3};
    spec.image_rows = 8;
    spec.image_cols = 8;
    spec.input_window_px = 16;
    spec.regions = optics::class_regions_3_4_3(200e-6, 24e-6);
    const auto image = test_image(spec.image_rows, spec.image_cols, 17);
    const test::Tolerance tol{"fd_gradient_d2nn", 1e-3, 0.0, "central differences, step 1e-5"};
    // The second pass propagates the input to the first mask (optics.input_distance_mm).
    for (const auto& [noisy, input_distance_m] : {std::pair{false, 0.0}, std::pair{true, 0.0}, std::pair{false, 4e-3}}) {
        spec.optics.input_distance_m = input_distance_m;
        models::D2nnModel<double> model(spec, cache);
        const auto params = model.initial_parameters(9);
        models::Conditions cond;
        cond.frame_energy_J = 1e-15;
        cond.noise = noisy;
        cond.misalignment = {{}, optics::PlaneMisalignment{1, 0, 0.0}, {}};
        for (const std::string block : {"phase_0", "phase_1", "phase_2", "log_logit_scale"}) {
            const double err = block_gradient_error(model, params, cond, image, 3, models::FrameKey{6, true}, block, 40, 1e-5);
            INFO(block << (noisy ? " (noisy)" : "") << ", input distance " << input_distance_m << " m: relative error " << err);
            CHECK(test::within(tol, err, 0.0));
        }
    }
}

TEST_CASE("Digital baseline: backward pass matches central differences", "[unit][gradient]") {
    models::DigitalModelSpec spec;
    spec.image_rows = 8;
    spec.image_cols = 8;
    spec.sensor_side_px = 6;
    spec.classes = 4;
    models::DigitalModel model(spec);
    const auto params = model.initial_parameters(2);
    const auto image = test_image(spec.image_rows, spec.image_cols, 19);
    models::Conditions cond;
    cond.frame_energy_J = 1e-15;
    cond.noise = true;
    const test::Tolerance tol{"fd_gradient_digital", 1e-3, 0.0, "central differences, step 1e-5; noise fixed by the frame key"};
    for (const std::string block : {"weights", "biases"}) {
        const double err = block_gradient_error(model, params, cond, image, 1, models::FrameKey{3, true}, block, 40, 1e-5);
        INFO(block << ": relative error " << err);
        CHECK(test::within(tol, err, 0.0));
    }
}

// The MLP (one hidden ReLU layer) on auto-exposed, mean-normalised electrons: every block.
TEST_CASE("Digital baseline with a hidden layer and auto-exposure: backward pass matches central differences", "[unit][gradient]") {
    models::DigitalModelSpec spec;
    spec.image_rows = 8;
    spec.image_cols = 8;
    spec.sensor_side_px = 6;
    spec.classes = 4;
    spec.hidden_units = 5;
    spec.sensor.auto_gain = true;
    models::DigitalModel model(spec);
    const auto params = model.initial_parameters(2);
    REQUIRE(params.size() == 4 * 5 + 4 + 5 * 36 + 5);
    const auto image = test_image(spec.image_rows, spec.image_cols, 19);
    models::Conditions cond;
    cond.frame_energy_J = 1e-15;
    cond.noise = true;
    const test::Tolerance tol{"fd_gradient_digital", 1e-3, 0.0, "central differences, step 1e-5; noise fixed by the frame key"};
    for (const std::string block : {"weights", "biases", "hidden_weights", "hidden_biases"}) {
        const double err = block_gradient_error(model, params, cond, image, 1, models::FrameKey{3, true}, block, 40, 1e-5);
        INFO(block << ": relative error " << err);
        CHECK(test::within(tol, err, 0.0));
    }
}
