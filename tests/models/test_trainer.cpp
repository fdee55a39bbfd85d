// Training end to end on the synthetic set: it learns, it is deterministic whatever the
// thread count, and a run resumed from its saved state equals an uninterrupted one.

#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>

#include "accel/datasets/synthetic.hpp"
#include "accel/models/accel_model.hpp"
#include "accel/models/trainer.hpp"

namespace {

using namespace accel;

models::AccelModelSpec synthetic_spec(int classes) {
    models::AccelModelSpec s;
    s.optics.grid = {64, 8e-6};
    s.optics.wavelength_m = 532e-9;
    s.optics.distances_m = {20e-3, 20e-3};
    s.image_rows = 28;
    s.image_cols = 28;
    s.input_window_px = 32;
    s.phase_bits = 3;
    s.detector = {8, 8, 30e-6, 0.3, 0.0, 0.0};
    s.eac.inputs = 64;
    s.eac.outputs = classes;
    s.eac.output_lines = classes;
    return s;
}

std::vector<int> all(int n) {
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

models::TrainSettings settings(int threads, int epochs) {
    models::TrainSettings t;
    t.epochs = epochs;
    t.batch_size = 32;
    t.learning_rate = 0.05;
    t.threads = threads;
    t.seed = 3;
    t.conditions.frame_energy_J = 1e-12;
    return t;
}

}  // namespace

TEST_CASE("Training on the synthetic set reaches 95 % test accuracy", "[unit][trainer]") {
    const auto train = datasets::make_synthetic(2000, 4, 1);
    const auto test = datasets::make_synthetic(1000, 4, 2);
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(synthetic_spec(4), cache);
    models::Trainer trainer(model, settings(2, 3));
    auto state = trainer.initial_state();
    const auto train_idx = all(train.size());
    trainer.train(train, train_idx, {}, state, {}, {});
    const auto result = trainer.evaluate(test, all(test.size()), state.parameters, settings(2, 3).conditions, true);
    INFO("hardware read-out accuracy " << result.accuracy);
    CHECK(result.accuracy >= 0.95);
    std::int64_t counted = 0;
    for (auto c : result.confusion) counted += c;
    CHECK(counted == test.size());
}

TEST_CASE("Training is bitwise identical for 1 and 2 threads, and resuming equals running through", "[unit][trainer]") {
    const auto train = datasets::make_synthetic(256, 4, 5);
    const auto idx = all(train.size());
    const auto validation = std::vector<int>(idx.begin(), idx.begin() + 64);
    const auto training = std::vector<int>(idx.begin() + 64, idx.end());
    optics::PropagationCache<float> cache;
    auto spec = synthetic_spec(4);
    models::AccelModel<float> model(spec, cache);

    auto run = [&](int threads, int epochs, models::TrainState state) {
        models::TrainSettings s = settings(threads, epochs);
        s.conditions.noise = true;  // noise-aware training draws per-frame noise: keyed, not threaded
        s.new_chip_per_step = true;
        s.conditions.fixed_pattern = true;
        s.conditions.phase_error_rad = 0.1;
        s.max_shift_px = 1;
        s.augment_shift_px = 2;
        s.augment_distortion = {0.1, 0.1, 3.0, 2.0};
        models::Trainer t(model, s);
        if (state.parameters.empty()) state = t.initial_state();
        t.train(train, training, validation, state, {}, {});
        return state;
    };
    const auto one = run(1, 2, {});
    const auto two = run(2, 2, {});
    CHECK(one.parameters == two.parameters);
    CHECK(one.adam.first_moment == two.adam.first_moment);
    REQUIRE(one.history.size() == 2);
    CHECK(one.history[1].validation_accuracy == two.history[1].validation_accuracy);

    const auto half = run(2, 1, {});
    const auto resumed = run(1, 2, half);
    CHECK(resumed.parameters == one.parameters);
    CHECK(resumed.adam.second_moment == one.adam.second_moment);
    CHECK(resumed.best_parameters == one.best_parameters);
}

TEST_CASE("Shift augmentation changes the training trajectory and is fixed by the seed", "[unit][trainer]") {
    const auto train = datasets::make_synthetic(128, 4, 6);
    const auto idx = all(train.size());
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(synthetic_spec(4), cache);
    auto run = [&](int shift) {
        models::TrainSettings s = settings(2, 1);
        s.augment_shift_px = shift;
        models::Trainer t(model, s);
        auto state = t.initial_state();
        t.train(train, idx, {}, state, {}, {});
        return state;
    };
    const auto plain = run(0), shifted = run(3), again = run(3);
    CHECK(shifted.parameters != plain.parameters);
    CHECK(shifted.parameters == again.parameters);
    CHECK(shifted.history[0].train_loss != plain.history[0].train_loss);
}

TEST_CASE("Distortion augmentation changes the training trajectory and is fixed by the seed", "[unit][trainer]") {
    const auto train = datasets::make_synthetic(128, 4, 6);
    const auto idx = all(train.size());
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(synthetic_spec(4), cache);
    auto run = [&](datasets::DistortionSettings d) {
        models::TrainSettings s = settings(2, 1);
        s.augment_distortion = d;
        models::Trainer t(model, s);
        auto state = t.initial_state();
        t.train(train, idx, {}, state, {}, {});
        return state;
    };
    const auto plain = run({});
    const datasets::DistortionSettings elastic{0.0, 0.0, 8.0, 2.0}, rotated{0.3, 0.0, 0.0, 4.0};
    const auto a = run(elastic), b = run(elastic), c = run(rotated);
    CHECK(a.parameters != plain.parameters);
    CHECK(a.parameters == b.parameters);
    CHECK(c.parameters != plain.parameters);
    CHECK(c.parameters != a.parameters);
}

TEST_CASE("Evaluating several chips through the shared optics equals evaluating each chip alone", "[unit][trainer]") {
    const auto data = datasets::make_synthetic(200, 4, 9);
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(synthetic_spec(4), cache);
    auto s = settings(2, 1);
    s.conditions.frame_energy_J = 2e-18;  // a few thousand photons: noise changes decisions
    s.conditions.noise = true;
    s.conditions.fixed_pattern = true;
    models::Trainer trainer(model, s);
    const auto params = trainer.initial_state().parameters;
    const auto idx = all(data.size());
    const auto shared = trainer.evaluate_chips(data, idx, params, s.conditions, 3);
    REQUIRE(shared.size() == 3);
    for (int k = 0; k < 3; ++k) {
        models::Conditions c = s.conditions;
        c.chip = static_cast<std::uint32_t>(k);
        const auto alone = trainer.evaluate(data, idx, params, c, true);
        CHECK(alone.accuracy == shared[static_cast<std::size_t>(k)].accuracy);
        CHECK(alone.confusion == shared[static_cast<std::size_t>(k)].confusion);
    }
    CHECK(shared[0].confusion != shared[1].confusion);  // chips and their noise differ
}

TEST_CASE("The hardware read-out counts the frames in which a computing line clipped", "[unit][trainer]") {
    const auto data = datasets::make_synthetic(64, 4, 9);
    const auto idx = all(data.size());
    const auto clipped_frames = [&](double line_capacitance_F, bool shared_optics) {
        optics::PropagationCache<float> cache;
        auto spec = synthetic_spec(4);
        spec.eac.line_capacitance_F = line_capacitance_F;
        models::AccelModel<float> model(spec, cache);
        const auto s = settings(1, 1);
        models::Trainer trainer(model, s);
        const auto params = trainer.initial_state().parameters;
        return shared_optics ? trainer.evaluate_chips(data, idx, params, s.conditions, 1).front().clipped_frames
                             : trainer.evaluate(data, idx, params, s.conditions, true).clipped_frames;
    };
    // 1 pJ per frame puts ~10⁵–10⁶ electrons on a line: a 1 nF line holds 10¹⁰, a 10 aF line 112.
    CHECK(clipped_frames(1e-9, true) == 0);
    CHECK(clipped_frames(1e-9, false) == 0);
    CHECK(clipped_frames(1e-17, true) == 64);
    CHECK(clipped_frames(1e-17, false) == 64);
}

namespace {

// A model whose gradient turns non-finite from the `bad_step`-th loss call on: what a design
// whose signal leaves the numerical range produces.
class NonFiniteModel final : public models::Model {
public:
    explicit NonFiniteModel(int bad_call) : bad_call_(bad_call) {}
    [[nodiscard]] std::string architecture() const override { return "stub"; }
    [[nodiscard]] int classes() const override { return 2; }
    [[nodiscard]] const std::vector<models::ParameterBlock>& blocks() const override { return blocks_; }
    [[nodiscard]] std::vector<double> initial_parameters(std::uint64_t) const override { return {0.5, -0.5}; }
    void prepare(std::span<const double>, const models::Conditions&) override {}
    [[nodiscard]] std::unique_ptr<models::ModelWorkspace> make_workspace() const override {
        return std::make_unique<models::ModelWorkspace>();
    }
    double loss(std::span<const float>, int, const models::FrameKey&, models::ModelWorkspace&, std::span<double> logits,
                std::span<double> gradient) const override {
        logits[0] = 1.0;
        logits[1] = 0.0;
        if (!gradient.empty()) {
            const bool bad = calls_.fetch_add(1) >= bad_call_;
            gradient[0] += bad ? std::numeric_limits<double>::infinity() * 0.0 : 0.1;
            gradient[1] += 0.1;
        }
        return 0.5;
    }
    [[nodiscard]] int predict(std::span<const float>, const models::FrameKey&, models::ModelWorkspace&) const override { return 0; }

private:
    int bad_call_;
    mutable std::atomic<int> calls_{0};
    std::vector<models::ParameterBlock> blocks_{{"w", 0, 2}};
};

}  // namespace

TEST_CASE("A non-finite gradient stops training with the reason before it reaches the parameters", "[unit][trainer]") {
    const auto data = datasets::make_synthetic(64, 2, 1);
    NonFiniteModel model(40);  // fine for the first epoch (32 images), bad in the second
    models::TrainSettings s = settings(1, 3);
    models::Trainer trainer(model, s);
    models::TrainState state = trainer.initial_state();
    std::vector<models::TrainState> checkpoints;
    std::string message;
    try {
        trainer.train(data, all(32), {}, state, {}, [&](const models::TrainState& st) { checkpoints.push_back(st); });
    } catch (const models::TrainingDiverged& e) {
        message = e.what();
    }
    CHECK_THAT(message, Catch::Contains("non-finite gradient") && Catch::Contains("epoch 2") && Catch::Contains("train.learning_rate") &&
                           Catch::Contains("light level"));
    REQUIRE(checkpoints.size() == 1);  // the first epoch was saved, the second never was
    for (const auto& cp : checkpoints)
        for (double p : cp.parameters) CHECK(std::isfinite(p));
    for (double p : state.parameters) CHECK(std::isfinite(p));
}
