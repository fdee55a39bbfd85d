#pragma once
// Computes the points of a sweep, one at a time: builds each point's configuration, model
// and data, then evaluates (run = eval: the one trained model under the point's conditions),
// trains and evaluates (run = train), or only prices the design (run = energy). What several
// points share is loaded once: the trained parameters, the images of a [data] set, the
// transfer functions of a geometry.
//
// A point's result depends only on the sweep, the base configuration and the point, never
// on which process or thread computed it or on what ran before, so a resumed or distributed
// sweep gives the same table as one uninterrupted serial run.

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "accel/models/trainer.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/run/run_data.hpp"
#include "accel/sim/sweep/sweep_file.hpp"
#include "accel/sim/sweep/sweep_spec.hpp"

namespace accel::sim {

// What a running point reports: a label ("point 3: training epoch 2/4", ...) and progress.
using PointProgress = std::function<void(const std::string& label, const models::Progress&)>;

class PointRunner {
public:
    // `model_parameters`: the trained model of run = eval (empty otherwise).
    PointRunner(const SweepSpec& spec, Config base, std::vector<double> model_parameters);

    // Everything that can fail on a point's input, without computing it: the configuration,
    // the preflight checks, the data set and, for run = eval, that the trained parameters fit
    // the point's model. InputError naming the point. Returns the preflight warnings.
    std::vector<std::string> check(const SweepPoint& point);

    [[nodiscard]] PointResult run(const SweepPoint& point, const PointProgress& progress = {});

    // The point's axis values as stored in the table.
    [[nodiscard]] std::vector<ConfigValue> axis_values(const SweepPoint& point) const;

    // /model of a trained point (keep_models) under `group`, as in a run file.
    void write_point_model(h5::Group& group, const SweepPoint& point, std::span<const double> parameters);

    [[nodiscard]] const Config& base() const { return base_; }

private:
    const RunData& data_for(const RunDescription& run);
    std::vector<std::string> preflight_of(const RunDescription& run, const SweepPoint& point);

    const SweepSpec& spec_;
    Config base_;
    std::vector<double> model_parameters_;
    optics::PropagationCache<float> cache_;
    std::map<std::string, std::unique_ptr<RunData>> data_;  // by the data description (and seed) that make it
    std::map<std::string, std::vector<std::string>> preflight_cache_;  // warnings, by the design keys a point sets
};

// Trains the base configuration of a run = eval sweep that names no model, from `state`
// (initial or resumed), calling `epoch_done` after every epoch for checkpointing.
// Returns the best parameters.
std::vector<double> train_base_model(const RunDescription& base, models::TrainState& state, const PointProgress& progress,
                                     const std::function<void(models::Model&, const models::TrainState&)>& epoch_done);

}  // namespace accel::sim
