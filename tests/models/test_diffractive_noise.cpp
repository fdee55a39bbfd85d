// One photodiode noise model for every diffractive read-out: the ACCEL and D2NN models, given
// the same detector powers, frame, seed and noise switches, draw the same photodiode charges
// (the D2NN model once lacked the dark current's shot noise with photon shot noise off).

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "accel/core/random_stream.hpp"
#include "accel/models/accel_model.hpp"
#include "accel/models/d2nn_model.hpp"
#include "tests/analog/sample_statistics.hpp"
#include "tests/models/model_fixtures.hpp"
#include "tests/optics/tolerances.hpp"

namespace {

using namespace accel;

struct NamedSwitches {
    const char* name;
    analog::NoiseSwitches noise;
};

std::vector<NamedSwitches> switch_sets() {
    const analog::NoiseSwitches all{};
    analog::NoiseSwitches shot_off = all;
    shot_off.shot = false;
    analog::NoiseSwitches dark_only = analog::NoiseSwitches::none();
    dark_only.dark = true;
    analog::NoiseSwitches shot_only = analog::NoiseSwitches::none();
    shot_only.shot = true;
    analog::NoiseSwitches thermal_only = analog::NoiseSwitches::none();
    thermal_only.thermal = true;
    return {{"all terms", all},          {"shot off, dark on", shot_off}, {"dark only", dark_only},
            {"shot only", shot_only},    {"thermal only", thermal_only},  {"none", analog::NoiseSwitches::none()}};
}

// The tiny ACCEL geometry with a dark current of 1 nA (387 electrons in the 62 ns
// integration) and a shunt resistance, so that every noise switch draws something.
models::AccelModelSpec accel_spec(const analog::NoiseSwitches& noise) {
    auto s = test::tiny_accel_spec(2);
    s.photodiode.dark_current_A = 1e-9;
    s.photodiode.shunt_resistance_ohm = 1e9;
    s.noise = noise;
    return s;
}

// A D2NN model with the ACCEL model's optics, photodiodes and switches, and its photodiodes
// as class regions: both models then see the same detector powers.
models::D2nnModelSpec d2nn_spec_like(const models::AccelModelSpec& a) {
    models::D2nnModelSpec d;
    static_cast<models::DiffractiveSpec&>(d) = a;
    d.regions = optics::photodiode_areas(a.detector);
    return d;
}

std::vector<float> test_image(int rows, int cols) {
    core::RandomStream rng(29, core::StreamKind::training, 3, 0);
    std::vector<float> image(static_cast<std::size_t>(rows * cols));
    for (auto& v : image) v = static_cast<float>(rng.uniform());
    return image;
}

std::vector<double> to_vector(std::span<const double> s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("ACCEL and D2NN models draw the same photodiode charges in loss() from the same powers, frame and seed", "[unit][photodiode]") {
    optics::PropagationCache<double> cache;
    for (const auto& [name, noise] : switch_sets()) {
        const auto a_spec = accel_spec(noise);
        models::AccelModel<double> accel_model(a_spec, cache);
        models::D2nnModel<double> d2nn_model(d2nn_spec_like(a_spec), cache);
        // The phase blocks come first and are drawn first, so the same seed gives both the same masks.
        const auto a_params = accel_model.initial_parameters(3), d_params = d2nn_model.initial_parameters(3);
        const auto image = test_image(a_spec.image_rows, a_spec.image_cols);
        for (const bool noisy : {true, false}) {
            models::Conditions cond;
            cond.frame_energy_J = 1e-15;
            cond.noise = noisy;
            cond.seed = 11;
            cond.chip = 2;
            accel_model.prepare(a_params, cond);
            d2nn_model.prepare(d_params, cond);
            auto a_ws = accel_model.make_workspace();
            auto d_ws = d2nn_model.make_workspace();
            std::vector<double> a_logits(static_cast<std::size_t>(accel_model.classes())), d_logits(static_cast<std::size_t>(d2nn_model.classes()));
            for (const bool training : {true, false}) {
                INFO(name << (noisy ? ", noise on" : ", noise off") << (training ? ", training frame" : ", evaluation frame"));
                const models::FrameKey frame{7, training};
                accel_model.loss(image, 1, frame, *a_ws, a_logits, {});
                d2nn_model.loss(image, 1, frame, *d_ws, d_logits, {});
                const auto a = accel_model.detected(*a_ws), d = d2nn_model.detected(*d_ws);
                REQUIRE(to_vector(a.power_W) == to_vector(d.power_W));
                CHECK(to_vector(a.charge_e) == to_vector(d.charge_e));
                // And these are the charges each model's photodiode_charges_e gives for those powers.
                std::vector<double> q(a.power_W.size()), dq(a.power_W.size());
                d2nn_model.photodiode_charges_e(a.power_W, frame, q, dq);
                CHECK(q == to_vector(a.charge_e));
                accel_model.photodiode_charges_e(d.power_W, frame, q, dq);
                CHECK(q == to_vector(d.charge_e));
            }
        }
    }
}

TEST_CASE("With photon shot noise off, both models' charges keep the dark current's shot noise", "[unit][photodiode]") {
    optics::PropagationCache<double> cache;
    analog::NoiseSwitches dark_only = analog::NoiseSwitches::none();
    dark_only.dark = true;
    const auto a_spec = accel_spec(dark_only);
    models::AccelModel<double> accel_model(a_spec, cache);
    models::D2nnModel<double> d2nn_model(d2nn_spec_like(a_spec), cache);
    models::Conditions cond;
    cond.noise = true;
    cond.seed = 4;
    accel_model.prepare(accel_model.initial_parameters(1), cond);
    d2nn_model.prepare(d2nn_model.initial_parameters(1), cond);

    // Dark photodiodes and lit ones: the signal itself is noise-free, the dark electrons are not.
    const std::size_t count = static_cast<std::size_t>(a_spec.eac.inputs);
    std::vector<double> power_W(count);
    for (std::size_t k = 0; k < count; ++k) power_W[k] = k % 2 == 0 ? 0.0 : 1e-12 * static_cast<double>(k);
    const double electrons_per_W = analog::mean_signal_e(a_spec.photodiode, 1.0), dark = analog::mean_dark_e(a_spec.photodiode);
    REQUIRE(dark > 100.0);
    for (const bool training : {true, false}) {
        INFO((training ? "training frames (reparameterised)" : "evaluation frames (exact counts)"));
        std::vector<double> excess;  // Q − κ·P: the dark electrons alone
        std::vector<double> qa(count), qd(count), dqa(count), dqd(count);
        bool same = true;
        for (std::uint32_t f = 0; f < 3000; ++f) {
            accel_model.photodiode_charges_e(power_W, models::FrameKey{f, training}, qa, dqa);
            d2nn_model.photodiode_charges_e(power_W, models::FrameKey{f, training}, qd, dqd);
            same = same && qa == qd && dqa == dqd;
            for (std::size_t k = 0; k < count; ++k) excess.push_back(qa[k] - electrons_per_W * power_W[k]);
        }
        CHECK(same);
        const auto m = test::moments(excess);
        INFO("dark electrons: mean " << m.mean << ", variance " << m.variance << ", expected " << dark << " for both");
        CHECK(test::within(test::Tolerance{"dark_mean", test::z_bound * m.mean_se(), 0.0, "5 standard errors"}, m.mean - dark, dark));
        CHECK(test::within(test::Tolerance{"dark_variance", test::z_bound * m.variance_se(), 0.0, "5 standard errors of the sample variance"},
                           m.variance - dark, dark));
    }
}
