// ACCEL's adaptive training: a chip whose optics and electronics differ from the design
// retrains its read-out on its own photodiode outputs and gets its accuracy back; only the
// read-out's parameters change; the result does not depend on the thread count; bad input
// is refused.

#include <catch2/catch.hpp>

#include <numeric>
#include <stdexcept>

#include "accel/datasets/synthetic.hpp"
#include "accel/models/accel_model.hpp"
#include "accel/models/adaptation.hpp"
#include "accel/models/d2nn_model.hpp"
#include "accel/models/trainer.hpp"

namespace {

using namespace accel;

models::AccelModelSpec spec() {
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
    s.eac.outputs = 4;
    s.eac.output_lines = 4;
    // A badly matched chip: the design's weights no longer fit it.
    s.eac.pixel_gain_sigma = 0.4;
    s.eac.weight_path_sigma = 0.3;
    s.eac.auto_zero = true;  // offsets are calibrated out; weights cannot undo them
    return s;
}

std::vector<int> all(int n) {
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}

// The fabricated chip: its own phase error, mismatch and offsets, noise on.
models::Conditions chip(std::uint32_t which) {
    models::Conditions c;
    c.frame_energy_J = 1e-12;
    c.noise = true;
    c.fixed_pattern = true;
    c.seed = 7;
    c.chip = which;
    c.phase_error_rad = 0.4;
    return c;
}

models::ChipFrames frames_of(models::Model& model, std::span<const double> parameters, const models::Conditions& c,
                             const datasets::Dataset& data) {
    model.prepare(parameters, c);
    models::ChipFrames f;
    f.width = model.optical_output_size();
    std::vector<double> power_W(static_cast<std::size_t>(data.size()) * f.width);
    f.signal_e.resize(power_W.size());
    f.labels.assign(data.labels.begin(), data.labels.end());
    const auto ws = model.make_workspace();
    for (int i = 0; i < data.size(); ++i)
        model.optical_output(data.image(i), *ws, std::span<double>(power_W.data() + static_cast<std::size_t>(i) * f.width, f.width));
    model.signal_electrons(power_W, f.signal_e);
    return f;
}

struct Trained {
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model{spec(), cache};
    std::vector<double> parameters;
    datasets::Dataset train = datasets::make_synthetic(1200, 4, 11), test = datasets::make_synthetic(600, 4, 12);
    Trained() {
        models::TrainSettings t;
        t.epochs = 3;
        t.learning_rate = 0.05;
        t.threads = 2;
        t.conditions.frame_energy_J = 1e-12;
        models::Trainer trainer(model, t);
        auto state = trainer.initial_state();
        trainer.train(train, all(train.size()), {}, state, {}, {});
        parameters = state.parameters;
    }
    double hardware_accuracy(std::span<const double> p, const models::Conditions& c) {
        models::TrainSettings t;
        t.threads = 2;
        return models::Trainer(model, t).evaluate(test, all(test.size()), p, c, true).accuracy;
    }
};

models::AdaptationSettings adaptation(int threads, int epochs) {
    models::AdaptationSettings a;
    a.epochs = epochs;
    a.threads = threads;
    a.seed = 5;
    a.learning_rate = 0.05;
    return a;
}

}  // namespace

TEST_CASE("Adaptive training gives a mismatched chip its accuracy back and changes only its read-out", "[unit][adaptation]") {
    Trained d;
    // The design on an ideal chip at the same light, noise on.
    const models::Conditions nominal = [] {
        models::Conditions c = chip(3);
        c.fixed_pattern = false;
        c.phase_error_rad = 0.0;
        return c;
    }();
    const double design = d.hardware_accuracy(d.parameters, nominal);
    const double before = d.hardware_accuracy(d.parameters, chip(3));
    const models::ChipFrames frames = frames_of(d.model, d.parameters, chip(3), d.train);
    models::AdaptationHistory history;
    const auto adapted = models::adapt_readout(d.model, d.parameters, frames, adaptation(2, 20), &history);
    const double after = d.hardware_accuracy(adapted, chip(3));
    INFO("design " << design << ", chip before " << before << ", after " << after);
    REQUIRE(design >= 0.95);
    CHECK(before < design - 0.05);  // the chip is bad enough to need it
    // It wins back at least half of what the chip lost (not all: the phase error changed what
    // reaches the photodiodes, and ±1 weights on the new outputs cannot undo all of it).
    CHECK(after - before >= 0.5 * (design - before));
    REQUIRE(history.loss.size() == 20);
    CHECK(history.loss.back() < history.loss.front());
    // The masks are the design's; the weights moved.
    const auto& weights = d.model.block("latent_weights");
    CHECK(std::equal(adapted.begin(), adapted.begin() + static_cast<std::ptrdiff_t>(weights.offset), d.parameters.begin()));
    CHECK_FALSE(std::equal(adapted.begin(), adapted.end(), d.parameters.begin()));
    // No epochs: nothing changes.
    CHECK(models::adapt_readout(d.model, d.parameters, frames, adaptation(1, 0)) == d.parameters);
}

TEST_CASE("Adaptive training is bitwise the same on 1 and 2 threads", "[unit][adaptation]") {
    Trained d;
    const models::ChipFrames frames = frames_of(d.model, d.parameters, chip(4), d.train);
    const auto one = models::adapt_readout(d.model, d.parameters, frames, adaptation(1, 2));
    d.model.prepare(d.parameters, chip(4));
    const auto two = models::adapt_readout(d.model, d.parameters, frames, adaptation(2, 2));
    CHECK(one == two);
}

TEST_CASE("Adaptive training refuses what it cannot adapt", "[unit][adaptation]") {
    Trained d;
    models::ChipFrames frames = frames_of(d.model, d.parameters, chip(3), d.train);
    const auto settings = adaptation(1, 1);
    auto wrong_width = frames;
    wrong_width.width = 63;
    CHECK_THROWS_AS(models::adapt_readout(d.model, d.parameters, wrong_width, settings), std::invalid_argument);
    auto bad_label = frames;
    bad_label.labels[5] = 4;
    CHECK_THROWS_WITH(models::adapt_readout(d.model, d.parameters, bad_label, settings), Catch::Contains("label 4 of frame 5"));
    CHECK_THROWS_WITH(models::adapt_readout(d.model, d.parameters, models::ChipFrames{frames.width, {}, {}}, settings),
                      Catch::Contains("no frames"));
    models::D2nnModelSpec ds;
    static_cast<models::DiffractiveSpec&>(ds) = spec();
    ds.regions = {{"a", -80e-6, -40e-6, -20e-6, 20e-6}, {"b", 40e-6, 80e-6, -20e-6, 20e-6}};
    optics::PropagationCache<float> cache;
    models::D2nnModel<float> d2nn(ds, cache);
    CHECK_THROWS_WITH(models::adapt_readout(d2nn, d2nn.initial_parameters(1), frames, settings), Catch::Contains("no adaptable read-out"));
}
