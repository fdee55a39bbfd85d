#include "accel/sim/io/model_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>

#include <unistd.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#include <stb/stb_image_write.h>  // declarations only; sim/io/png.cpp holds the implementation
#pragma GCC diagnostic pop

#include "accel/core/errors.hpp"
#include "accel/optics/phase_mask.hpp"
#include "accel/sim/io/output_checks.hpp"
#include "accel/sim/run/conditions.hpp"

namespace accel::sim {
namespace {

std::string in_file(const h5::Object& o) { return "'" + o.file_name() + "': " + o.path(); }

std::span<const double> block_values(std::span<const double> parameters, const models::ParameterBlock& b) {
    return parameters.subspan(b.offset, b.size);
}

// A dataset that must be 1-D float64 of `count` finite values (or, if `may_be_empty`, none).
std::vector<double> read_exact(const h5::Group& g, const std::string& name, std::size_t count, bool may_be_empty = false) {
    const h5::Dataset ds = g.open_dataset(name);
    std::vector<double> v = ds.read_vector<double>(parameter_read_limits());
    if (v.size() != count && !(may_be_empty && v.empty()))
        throw InputError(in_file(ds) + " has " + std::to_string(v.size()) + " values; the model of the file's config has " +
                         std::to_string(count) + " parameters");
    return v;
}

std::int64_t read_count(const h5::Object& o, const std::string& name, std::int64_t max) {
    const std::int64_t v = o.attribute_int64(name);
    if (v < 0 || v > max) throw InputError(in_file(o) + ": attribute '" + name + "' = " + std::to_string(v) + " is out of range");
    return v;
}

const char* const history_names[] = {"train_loss", "train_accuracy", "validation_loss", "validation_accuracy", "seconds"};

void write_confusion(h5::Group& g, const std::vector<std::int64_t>& confusion, int classes) {
    const auto c = static_cast<std::size_t>(classes);
    h5::Dataset ds = g.write_array<std::int64_t>("confusion", confusion, {c, c});
    ds.set_attribute("layout", "[true class][predicted class], image counts");
}

}  // namespace

Config read_config(const h5::Group& root, const Schema& schema) {
    if (!root.has_attribute("config_toml"))
        throw InputError("'" + root.file_name() + "' has no root attribute config_toml (not an accel result file?)");
    Config c = Config::defaults(schema);
    c.merge_toml(root.attribute_string("config_toml"), "config_toml of '" + root.file_name() + "'");
    return c;
}

h5::ReadLimits parameter_read_limits() {
    h5::ReadLimits l;
    l.max_extent = l.max_elements;
    return l;
}

// ----------------------------------------------------------------------------------- model

void write_model(h5::Group& root, models::Model& model, std::span<const double> parameters, const models::Conditions& nominal) {
    model.prepare(parameters, nominal);
    h5::Group g = root.create_group("model");
    g.set_attribute("architecture", model.architecture());
    g.set_attribute("classes", model.classes());
    g.set_attribute("parameter_count", static_cast<std::int64_t>(model.parameter_count()));
    g.write_array<double>("parameters", parameters, {parameters.size()})
        .set_attribute("description", "flat trainable parameters; blocks/<name> give offset and size of each part");
    h5::Group blocks = g.create_group("blocks");
    for (const auto& b : model.blocks()) {
        h5::Group bg = blocks.create_group(b.name);
        bg.set_attribute("offset", static_cast<std::int64_t>(b.offset));
        bg.set_attribute("size", static_cast<std::int64_t>(b.size));
        bg.set_attribute("learning_rate_scale", b.learning_rate_scale);
    }
    const auto phases = model.mask_phases_rad();
    const auto side = static_cast<std::size_t>(model.mask_side_px());
    for (std::size_t l = 0; l < phases.size(); ++l) {
        h5::Dataset ds = g.write_array<double>("phase_" + std::to_string(l) + "_rad", phases[l], {side, side});
        ds.set_unit("rad");
        ds.set_attribute("description", "effective phase of mask " + std::to_string(l) + " in [0, 2π), after quantisation");
    }
    if (const auto w = model.sram_weights()) {
        const auto outputs = static_cast<std::size_t>(w->outputs), inputs = static_cast<std::size_t>(w->inputs);
        g.write_array<std::int8_t>("eac_weights", w->values, {outputs, inputs})
            .set_attribute("description", "SRAM weights of the compute array, [output][photodiode], row-major photodiodes");
        const auto& latent = model.block("latent_weights");
        g.write_array<double>("latent_weights", block_values(parameters, latent), {outputs, inputs})
            .set_attribute("description", "real latent weights the SRAM weights are the signs of (straight-through training)");
    }
}

std::vector<double> read_model_parameters(const h5::Group& root, const models::Model& model) {
    if (!root.has_group("model")) throw InputError("'" + root.file_name() + "' has no group /model (not a training result?)");
    const h5::Group g = root.open_group("model");
    const std::string arch = g.attribute_string("architecture");
    if (arch != model.architecture())
        throw InputError(in_file(g) + ": architecture '" + arch + "' differs from the '" + model.architecture() + "' model of the configuration");
    if (!g.has_group("blocks")) throw InputError("'" + root.file_name() + "' has no group /model/blocks");
    const h5::Group blocks = g.open_group("blocks");
    for (const auto& b : model.blocks()) {
        if (!blocks.has_group(b.name)) throw InputError(in_file(blocks) + ": missing block '" + b.name + "'");
        const h5::Group bg = blocks.open_group(b.name);
        const auto offset = bg.attribute_int64("offset"), size = bg.attribute_int64("size");
        if (offset != static_cast<std::int64_t>(b.offset) || size != static_cast<std::int64_t>(b.size))
            throw InputError(in_file(bg) + ": offset " + std::to_string(offset) + ", size " + std::to_string(size) +
                             " differ from the model of the configuration (" + std::to_string(b.offset) + ", " + std::to_string(b.size) + ")");
    }
    return read_exact(g, "parameters", model.parameter_count());
}

models::TrainState starting_state(const std::string& from, const models::Trainer& trainer, const models::Model& model) {
    models::TrainState state = trainer.initial_state();
    if (from.empty()) return state;
    if (!std::filesystem::is_regular_file(from)) throw InputError("train.init_from: '" + from + "' is not a file");
    const h5::InputFile in(from);
    state.parameters = read_model_parameters(in.root(), model);
    state.best_parameters = state.parameters;
    return state;
}

// ---------------------------------------------------------------------------- train state

void write_train_state(h5::Group& root, const models::TrainState& s, bool complete) {
    h5::Group train = root.create_group("train");
    train.set_attribute("complete", complete ? 1 : 0);
    h5::Group g = train.create_group("state");
    g.set_attribute("description", "everything `accel train --resume` needs to continue bit for bit");
    g.write_array<double>("parameters", s.parameters, {s.parameters.size()});
    g.write_array<double>("best_parameters", s.best_parameters, {s.best_parameters.size()});
    g.write_array<double>("adam_first_moment", s.adam.first_moment, {s.adam.first_moment.size()});
    g.write_array<double>("adam_second_moment", s.adam.second_moment, {s.adam.second_moment.size()});
    g.set_attribute("adam_steps", s.adam.steps);
    g.set_attribute("epochs_done", s.epochs_done);
    g.set_attribute("best_validation_accuracy", s.best_validation_accuracy);
    g.set_attribute("epochs_without_improvement", s.epochs_without_improvement);
    g.set_attribute("stopped_early", s.stopped_early ? 1 : 0);

    h5::Group history = root.create_group("metrics/history");
    history.set_attribute("description", "one value per epoch; accuracies are fractions");
    const std::size_t epochs = s.history.size();
    std::vector<double> column(epochs);
    const auto write = [&](const char* name, double models::EpochRecord::*member, const char* unit) {
        for (std::size_t e = 0; e < epochs; ++e) column[e] = s.history[e].*member;
        h5::Dataset ds = history.write_array<double>(name, column, {epochs});
        if (*unit) ds.set_unit(unit);
    };
    write(history_names[0], &models::EpochRecord::train_loss, "");
    write(history_names[1], &models::EpochRecord::train_accuracy, "");
    write(history_names[2], &models::EpochRecord::validation_loss, "");
    write(history_names[3], &models::EpochRecord::validation_accuracy, "");
    write(history_names[4], &models::EpochRecord::seconds, "s");
}

models::TrainState read_train_state(const h5::Group& root, const models::Model& model) {
    const std::string file = "'" + root.file_name() + "'";
    if (!root.has_group("train/state")) throw InputError(file + " has no group /train/state (not a training checkpoint?)");
    if (!root.has_group("metrics/history")) throw InputError(file + " has no group /metrics/history");
    const h5::Group g = root.open_group("train/state");
    const std::size_t count = model.parameter_count();
    models::TrainState s;
    s.parameters = read_exact(g, "parameters", count);
    s.best_parameters = read_exact(g, "best_parameters", count);
    s.adam.steps = read_count(g, "adam_steps", std::int64_t{1} << 53);
    // Adam allocates its moments at the first step.
    s.adam.first_moment = read_exact(g, "adam_first_moment", count, s.adam.steps == 0);
    s.adam.second_moment = read_exact(g, "adam_second_moment", count, s.adam.steps == 0);
    if ((s.adam.first_moment.empty() || s.adam.second_moment.empty()) && s.adam.steps > 0)
        throw InputError(in_file(g) + ": Adam moments missing after " + std::to_string(s.adam.steps) + " steps");
    if (std::any_of(s.adam.second_moment.begin(), s.adam.second_moment.end(), [](double v) { return v < 0.0; }))
        throw InputError(in_file(g) + "/adam_second_moment: negative value; a second moment is ≥ 0");
    s.epochs_done = static_cast<int>(read_count(g, "epochs_done", 1'000'000));
    s.epochs_without_improvement = static_cast<int>(read_count(g, "epochs_without_improvement", 1'000'000));
    s.stopped_early = read_count(g, "stopped_early", 1) == 1;
    s.best_validation_accuracy = g.attribute_double("best_validation_accuracy");
    if (!(s.best_validation_accuracy >= -1.0 && s.best_validation_accuracy <= 1.0))
        throw InputError(in_file(g) + ": best_validation_accuracy must be in [-1, 1]");

    const h5::Group history = root.open_group("metrics/history");
    std::vector<std::vector<double>> columns;
    for (const char* name : history_names) {
        const h5::Dataset ds = history.open_dataset(name);
        columns.push_back(ds.read_vector<double>(parameter_read_limits()));
        if (columns.back().size() != static_cast<std::size_t>(s.epochs_done))
            throw InputError(in_file(ds) + " has " + std::to_string(columns.back().size()) + " values for " + std::to_string(s.epochs_done) +
                             " epochs done");
    }
    s.history.resize(static_cast<std::size_t>(s.epochs_done));
    for (std::size_t e = 0; e < s.history.size(); ++e)
        s.history[e] = {columns[0][e], columns[1][e], columns[2][e], columns[3][e], columns[4][e]};
    return s;
}

// --------------------------------------------------------------------------------- metrics

namespace {

// The same chips after ACCEL's adaptive training (sim/run/chip_adaptation.hpp).
void write_adaptation(h5::Group& lg, const ChipEvaluation& e) {
    h5::Group a = lg.create_group("adapted");
    a.set_attribute("description", "each chip after retraining its compute array's weights on its own photodiode outputs, optics frozen "
                                   "(ACCEL's adaptive training), tested on the same images and frames as before");
    a.set_attribute("epochs", static_cast<std::int64_t>(e.adaptation_epochs));
    a.set_attribute("training_images", static_cast<std::int64_t>(e.adaptation_images));
    a.set_attribute("accuracy_mean", e.adapted_summary.mean);
    a.set_attribute("accuracy_std", e.adapted_summary.std_dev);
    if (e.adapted_summary.chips >= 2) {
        a.set_attribute("accuracy_ci95_half_width", e.adapted_summary.half_width);
        a.set_attribute("accuracy_ci95_low", std::max(0.0, e.adapted_summary.mean - e.adapted_summary.half_width));
        a.set_attribute("accuracy_ci95_high", std::min(1.0, e.adapted_summary.mean + e.adapted_summary.half_width));
    }
    a.set_attribute("yield_accuracy", e.yield_accuracy);
    a.set_attribute("yield_before", e.yield_before);
    a.set_attribute("yield_after", e.yield_after);
    std::vector<double> accuracies;
    for (const auto& chip : e.adapted_per_chip) accuracies.push_back(chip.accuracy);
    a.write_array<double>("accuracy_per_chip", accuracies, {accuracies.size()});
}

}  // namespace

void write_test_report(h5::Group& g, const TestReport& r) {
    g.set_attribute("dataset", r.dataset);
    g.set_attribute("images", static_cast<std::int64_t>(r.noise_free.images));
    g.set_attribute("test_subset", r.subset ? 1 : 0);
    g.set_attribute("official_test_images", r.full_test_size);
    g.set_attribute("classes", r.classes);
    g.set_attribute("accuracy", r.noise_free.accuracy);
    g.set_attribute("loss", r.noise_free.loss);
    g.set_attribute("read_out", "noise-free: argmax of the logits; no noise, mismatch, fabrication error or misalignment");
    write_confusion(g, r.noise_free.confusion, r.classes);
    for (std::size_t i = 0; i < r.chips.size(); ++i) {
        const ChipEvaluation& e = r.chips[i];
        h5::Group lg = g.create_group("light_" + std::to_string(i));
        lg.set_attribute("read_out", "hardware: comparators on the analog outputs (clipping included), one simulated chip at a time");
        lg.set_attribute("energy_density_fJ_per_um2", e.energy_density_fJ_per_um2);
        lg.set_attribute("frame_energy_J", e.frame_energy_J);
        lg.set_attribute("photons_per_frame", e.photons_per_frame);
        lg.set_attribute("noise", e.noise ? 1 : 0);
        lg.set_attribute("fixed_pattern", e.fixed_pattern ? 1 : 0);
        lg.set_attribute("electronics", e.ideal_electronics ? "ideal" : "chip");
        lg.set_attribute("phase_error_pi", e.phase_error_pi);
        lg.set_attribute("shift_px", e.shift_px);
        lg.set_attribute("rotation_deg", e.rotation_deg);
        lg.set_attribute("chips", e.summary.chips);
        lg.set_attribute("first_chip", static_cast<std::int64_t>(first_evaluation_chip));
        lg.set_attribute("images", static_cast<std::int64_t>(r.noise_free.images));
        lg.set_attribute("accuracy_mean", e.summary.mean);
        lg.set_attribute("accuracy_std", e.summary.std_dev);
        if (e.summary.chips >= 2) {
            lg.set_attribute("t_quantile", e.summary.t_quantile);
            lg.set_attribute("accuracy_ci95_half_width", e.summary.half_width);
            // The interval of a fraction, clipped to what a fraction can be.
            lg.set_attribute("accuracy_ci95_low", std::max(0.0, e.summary.mean - e.summary.half_width));
            lg.set_attribute("accuracy_ci95_high", std::min(1.0, e.summary.mean + e.summary.half_width));
            lg.set_attribute("interval", "mean ± t_{0.975, K−1}·s/sqrt(K) over K chips");
        }
        lg.set_attribute("clipped_frame_fraction", e.clipped_frame_fraction);
        std::vector<double> accuracies;
        std::vector<std::int64_t> clipped;
        for (const auto& chip : e.per_chip) {
            accuracies.push_back(chip.accuracy);
            clipped.push_back(static_cast<std::int64_t>(chip.clipped_frames));
        }
        lg.write_array<double>("accuracy_per_chip", accuracies, {accuracies.size()});
        lg.write_array<std::int64_t>("clipped_frames_per_chip", clipped, {clipped.size()})
            .set_attribute("description", "test frames in which a computing line reached the supply and clipped, per chip");
        if (!e.gain_setting_per_chip.empty()) {
            const std::vector<std::int64_t> settings(e.gain_setting_per_chip.begin(), e.gain_setting_per_chip.end());
            lg.write_array<std::int64_t>("gain_setting_per_chip", settings, {settings.size()})
                .set_attribute("description", "index into eac.integration_capacitors_fF each chip integrated on (0: highest gain)");
            h5::Dataset energy = lg.write_array<double>("energy_per_frame_J_per_chip", e.energy_per_frame_J_per_chip,
                                                        {e.energy_per_frame_J_per_chip.size()});
            energy.set_unit("J");
            energy.set_attribute("description", "systemic energy per frame of each chip at its gain setting's line capacitance");
        }
        if (!e.adapted_per_chip.empty()) write_adaptation(lg, e);
        write_confusion(lg, e.confusion, r.classes);
    }
}

// ------------------------------------------------------------------------------------ PNG

void write_phase_png(const std::filesystem::path& path, std::span<const double> phase_rad, std::size_t side) {
    if (side == 0 || side > (1u << 15) || side * side != phase_rad.size())
        throw std::invalid_argument("phase PNG: " + std::to_string(phase_rad.size()) + " values for a " + std::to_string(side) + "² image");
    std::vector<unsigned char> gray(phase_rad.size());
    for (std::size_t k = 0; k < gray.size(); ++k)
        gray[k] = static_cast<unsigned char>(std::clamp(std::lround(255.0 * optics::wrap_phase(phase_rad[k]) / optics::two_pi), 0L, 255L));
    std::vector<unsigned char> encoded;
    const auto append = [](void* context, void* data, int size) {
        auto* out = static_cast<std::vector<unsigned char>*>(context);
        out->insert(out->end(), static_cast<unsigned char*>(data), static_cast<unsigned char*>(data) + size);
    };
    const int n = static_cast<int>(side);
    if (stbi_write_png_to_func(append, &encoded, n, n, 1, gray.data(), n) == 0)
        throw std::runtime_error("PNG encoding failed for '" + path.string() + "'");
    remove_stale_temporaries(path);  // of a run killed while writing this image
    const std::filesystem::path temp = temporary_name(path.string());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(encoded.data()), static_cast<std::streamsize>(encoded.size()));
        if (!out.flush()) {
            std::error_code ec;
            std::filesystem::remove(temp, ec);
            throw InputError("cannot write '" + path.string() + "'");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::filesystem::remove(temp, ec);
        throw InputError("cannot write '" + path.string() + "'");
    }
}

}  // namespace accel::sim
