// Checkpoint pieces through HDF5: a TrainState written and read back bit for bit, the
// validation of what is read, the chip statistics, and the atomic update of an existing file.

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/models/accel_model.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/model_io.hpp"
#include "tests/models/model_fixtures.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel;
using namespace accel::sim;

using namespace accel::test;

namespace {

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

std::vector<double> values(std::size_t n, double seed) {
    std::vector<double> v(n);
    for (std::size_t k = 0; k < n; ++k) v[k] = std::sin(seed + 0.37 * static_cast<double>(k)) * 1e-3 + 1.0 / (3.0 + static_cast<double>(k));
    return v;
}

models::TrainState sample_state(std::size_t n) {
    models::TrainState s;
    s.parameters = values(n, 0.1);
    s.best_parameters = values(n, 0.2);
    s.adam.first_moment = values(n, 0.3);
    s.adam.second_moment = values(n, 0.4);
    for (double& v : s.adam.second_moment) v = v * v;
    s.adam.steps = 123;
    s.epochs_done = 2;
    s.history = {{0.9, 0.61, 0.7, 2.0 / 3.0, 1.25}, {0.4, 0.83, 0.35, 0.9, 1.5}};
    s.best_validation_accuracy = 0.9;
    s.epochs_without_improvement = 1;
    s.stopped_early = true;
    return s;
}

}  // namespace

TEST_CASE("a TrainState round-trips through HDF5 bit for bit", "[unit]") {
    TempDir dir;
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(test::tiny_accel_spec(), cache);
    const models::TrainState state = sample_state(model.parameter_count());
    const fs::path file = dir.path / "state.h5";
    {
        h5::OutputFile out(file, h5::Overwrite::no);
        write_train_state(out.root(), state, false);
        out.commit();
    }
    const h5::InputFile in(file);
    const models::TrainState back = read_train_state(in.root(), model);
    CHECK(same_bits(back.parameters, state.parameters));
    CHECK(same_bits(back.best_parameters, state.best_parameters));
    CHECK(same_bits(back.adam.first_moment, state.adam.first_moment));
    CHECK(same_bits(back.adam.second_moment, state.adam.second_moment));
    CHECK(back.adam.steps == state.adam.steps);
    CHECK(back.epochs_done == state.epochs_done);
    CHECK(back.best_validation_accuracy == state.best_validation_accuracy);
    CHECK(back.epochs_without_improvement == state.epochs_without_improvement);
    CHECK(back.stopped_early == state.stopped_early);
    REQUIRE(back.history.size() == state.history.size());
    for (std::size_t e = 0; e < state.history.size(); ++e) {
        CHECK(back.history[e].train_loss == state.history[e].train_loss);
        CHECK(back.history[e].train_accuracy == state.history[e].train_accuracy);
        CHECK(back.history[e].validation_loss == state.history[e].validation_loss);
        CHECK(back.history[e].validation_accuracy == state.history[e].validation_accuracy);
        CHECK(back.history[e].seconds == state.history[e].seconds);
    }
    CHECK(in.root().open_group("train").attribute_int64("complete") == 0);
}

TEST_CASE("a state before the first step (no Adam moments yet) round-trips", "[unit]") {
    TempDir dir;
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(test::tiny_accel_spec(), cache);
    models::TrainState state;
    state.parameters = model.initial_parameters(3);
    state.best_parameters = state.parameters;
    {
        h5::OutputFile out(dir.path / "fresh.h5", h5::Overwrite::no);
        write_train_state(out.root(), state, false);
        out.commit();
    }
    const models::TrainState back = read_train_state(h5::InputFile(dir.path / "fresh.h5").root(), model);
    CHECK(same_bits(back.parameters, state.parameters));
    CHECK(back.adam.first_moment.empty());
    CHECK(back.adam.steps == 0);
    CHECK(back.history.empty());
}

TEST_CASE("reading a state or model that does not fit the model is an InputError naming file and object", "[unit]") {
    TempDir dir;
    optics::PropagationCache<float> cache;
    models::AccelModel<float> model(test::tiny_accel_spec(), cache);
    auto spec2 = test::tiny_accel_spec(3);  // three masks: more parameters
    models::AccelModel<float> bigger(spec2, cache);
    const fs::path file = dir.path / "s.h5";
    {
        h5::OutputFile out(file, h5::Overwrite::no);
        write_train_state(out.root(), sample_state(model.parameter_count()), true);
        const auto p = model.initial_parameters(1);
        write_model(out.root(), model, p, models::Conditions{});
        out.commit();
    }
    const h5::InputFile in(file);
    CHECK_THROWS_WITH(read_train_state(in.root(), bigger), Catch::Contains("s.h5") && Catch::Contains("/train/state/parameters"));
    CHECK_THROWS_WITH(read_model_parameters(in.root(), bigger), Catch::Contains("s.h5") && Catch::Contains("/model/blocks"));
    CHECK(read_model_parameters(in.root(), model).size() == model.parameter_count());
    CHECK(in.root().open_dataset("model/phase_1_rad").shape() == std::vector<std::size_t>{32, 32});

    // A NaN in the history is refused as well.
    {
        h5::OutputFile out(dir.path / "nan.h5", h5::Overwrite::no);
        models::TrainState s = sample_state(model.parameter_count());
        s.history[1].train_loss = std::numeric_limits<double>::quiet_NaN();
        write_train_state(out.root(), s, false);
        out.commit();
    }
    CHECK_THROWS_WITH(read_train_state(h5::InputFile(dir.path / "nan.h5").root(), model),
                      Catch::Contains("/metrics/history/train_loss") && Catch::Contains("non-finite"));
}

TEST_CASE("chip statistics: Student t quantiles and the 95 % interval", "[unit]") {
    // Reference values from standard tables (two-sided 95 %).
    CHECK(student_t_quantile(0.975, 1) == Approx(12.706205).epsilon(1e-6));
    CHECK(student_t_quantile(0.975, 2) == Approx(4.302653).epsilon(1e-6));
    CHECK(student_t_quantile(0.975, 9) == Approx(2.262157).epsilon(1e-6));
    CHECK(student_t_quantile(0.975, 1000) == Approx(1.962339).epsilon(1e-6));
    const std::vector<double> acc{0.90, 0.92, 0.94};
    const ChipSummary s = summarize_chips(acc);
    CHECK(s.chips == 3);
    CHECK(s.mean == Approx(0.92));
    CHECK(s.std_dev == Approx(0.02));
    CHECK(s.half_width == Approx(4.302653 * 0.02 / std::sqrt(3.0)).epsilon(1e-6));
    const ChipSummary one = summarize_chips(std::vector<double>{0.5});
    CHECK(one.mean == 0.5);
    CHECK(std::isnan(one.half_width));
}

TEST_CASE("UpdateFile adds to an existing file atomically", "[unit]") {
    TempDir dir;
    const fs::path file = dir.path / "f.h5";
    {
        h5::OutputFile out(file, h5::Overwrite::no);
        out.root().set_attribute("kept", 7);
        out.commit();
    }
    {
        h5::UpdateFile up(file);
        up.root().create_group("eval/0").set_attribute("accuracy", 0.5);
        // Not committed: the original is untouched and the copy removed.
    }
    CHECK_FALSE(h5::InputFile(file).root().has("eval"));
    {
        h5::UpdateFile up(file);
        up.root().create_group("eval/0").set_attribute("accuracy", 0.5);
        up.commit();
    }
    const h5::InputFile in(file);
    CHECK(in.root().attribute_int64("kept") == 7);
    CHECK(in.root().open_group("eval/0").attribute_double("accuracy") == 0.5);
    CHECK(in.root().member_names() == std::vector<std::string>{"eval"});
    for (const auto& entry : fs::directory_iterator(dir.path)) CHECK(entry.path().filename() == "f.h5");
    CHECK_THROWS_AS(h5::UpdateFile(dir.path / "missing.h5"), InputError);
}
