#include "accel/sim/cli/eval_frames.hpp"

#include <cstdio>
#include <string>
#include <system_error>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/io/output_checks.hpp"
#include "accel/sim/run/conditions.hpp"

namespace accel::sim::cli {

FramesExport::FramesExport(std::filesystem::path folder, Provenance provenance, std::string design_file)
    : folder_(std::move(folder)), provenance_(std::move(provenance)), design_file_(std::move(design_file)) {
    std::error_code ec;
    if (std::filesystem::exists(folder_, ec))
        throw InputError("--export-frames '" + folder_.string() + "' exists; the frames go to a new folder");
    staging_ = temporary_name(folder_.string());
    check_folder_writable(staging_.string(), "--export-frames");
    remove_stale_temporaries(folder_);
    if (!std::filesystem::create_directory(staging_, ec) || ec)
        throw InputError("--export-frames: cannot create '" + staging_.string() + "': " + ec.message());
}

FramesExport::~FramesExport() {
    if (committed_) return;
    std::error_code ec;
    std::filesystem::remove_all(staging_, ec);
}

void FramesExport::write(std::size_t light, const ChipFramesFile& frames) {
    ChipFramesFile f = frames;
    f.design_file = design_file_;
    if (chips_at_light_.size() <= light) chips_at_light_.resize(light + 1, 0);
    const std::string name = "light_" + std::to_string(light) + "_chip_" + std::to_string(chips_at_light_[light]++) + ".h5";
    write_chip_frames(staging_ / name, f, provenance_, false);
    ++files_;
}

void FramesExport::commit() {
    std::error_code ec;
    std::filesystem::rename(staging_, folder_, ec);
    if (ec) throw InputError("--export-frames: cannot rename '" + staging_.string() + "' to '" + folder_.string() + "': " + ec.message());
    committed_ = true;
}

std::vector<FramesAdaptation> adapt_from_frame_files(const RunDescription& run, models::Model& model, std::span<const double> parameters,
                                                     const std::vector<std::string>& files) {
    if (!run.evaluation.adapts())
        throw InputError("--frames adapts a chip on its frames, and eval.adaptation_epochs is 0; set it (ACCEL's code uses 20), e.g. --set "
                         "eval.adaptation_epochs=20");
    models::Trainer trainer(model, run.training.settings);
    std::vector<FramesAdaptation> out;
    for (const std::string& file : files) {
        FramesAdaptation a;
        a.file = file;
        a.frames = read_chip_frames(file);
        a.frames.source = a.frames.source.empty() ? "'" + file + "'" : "'" + file + "', " + a.frames.source;
        const RunDescription at_light = run.at_light(a.frames.energy_density_fJ_per_um2);
        a.chip = adapt_chip_on_frames(at_light, model, trainer, parameters, a.frames, conditions_for(at_light, Purpose::chip_test, 0), true);
        if (const auto sram = model.sram_weights()) a.adapted_weights = *sram;
        a.epochs = at_light.evaluation.adaptation.epochs;
        out.push_back(std::move(a));
    }
    return out;
}

void print_frames_adaptations(const std::vector<FramesAdaptation>& adaptations) {
    for (const auto& a : adaptations) {
        std::printf("chip %u from %s at %s fJ/µm² (%zu training, %zu test frames):\n", a.frames.chip, a.file.c_str(),
                    core::shortest_text(a.frames.energy_density_fJ_per_um2).c_str(), a.frames.train.frames(), a.frames.test.frames());
        const std::string after = "after adaptive training (" + std::to_string(a.epochs) + " epochs)";
        std::printf("  %-36s accuracy %6.2f %%\n", "with the design's weights", 100.0 * a.chip.before.accuracy);
        std::printf("  %-36s accuracy %6.2f %%\n", after.c_str(), 100.0 * a.chip.after.accuracy);
    }
}

void write_frames_adaptations(h5::Group& g, const std::vector<FramesAdaptation>& adaptations) {
    for (std::size_t j = 0; j < adaptations.size(); ++j) {
        const FramesAdaptation& a = adaptations[j];
        h5::Group f = g.create_group("frames_" + std::to_string(j));
        f.set_attribute("description", "ACCEL's adaptive training of the chip of a frames file on its training frames, tested on its test frames");
        f.set_attribute("frames_file", a.file);
        f.set_attribute("chip", static_cast<std::int64_t>(a.frames.chip));
        f.set_attribute("energy_density_fJ_per_um2", a.frames.energy_density_fJ_per_um2);
        f.set_attribute("epochs", a.epochs);
        f.set_attribute("training_frames", static_cast<std::int64_t>(a.frames.train.frames()));
        f.set_attribute("test_frames", static_cast<std::int64_t>(a.frames.test.frames()));
        f.set_attribute("accuracy_before", a.chip.before.accuracy);
        f.set_attribute("accuracy_after", a.chip.after.accuracy);
        f.set_attribute("clipped_frames_before", static_cast<std::int64_t>(a.chip.before.clipped_frames));
        f.set_attribute("clipped_frames_after", static_cast<std::int64_t>(a.chip.after.clipped_frames));
        f.set_attribute("gain_setting_after", a.chip.after.gain_setting);
        const auto classes = static_cast<std::size_t>(a.frames.classes);
        f.write_array<std::int64_t>("confusion_after", a.chip.after.confusion, {classes, classes})
            .set_attribute("description", "rows: true class, columns: predicted class");
        if (!a.adapted_weights.values.empty())
            f.write_array<std::int8_t>("adapted_sram_weights", a.adapted_weights.values,
                                       {static_cast<std::size_t>(a.adapted_weights.outputs), static_cast<std::size_t>(a.adapted_weights.inputs)})
                .set_attribute("description", "the compute array's weights after adaptation (outputs × photodiodes), to load into the chip's SRAM");
        f.write_array<double>("adapted_parameters", a.chip.parameters, {a.chip.parameters.size()})
            .set_attribute("description", "the model's parameters with the adapted read-out (the masks' unchanged)");
    }
}

}  // namespace accel::sim::cli
