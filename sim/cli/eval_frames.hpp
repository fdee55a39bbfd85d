#pragma once
// The measured-frames side of `accel eval` (sim/io/frames_io.hpp): --export-frames DIR writes
// every simulated chip's frames, one file per chip and light level, and --frames FILE adapts
// the chip a frames file comes from on its frames and tests it on them, as a lab would with a
// fabricated chip's measured photodiode outputs.

#include <filesystem>
#include <string>
#include <vector>

#include "accel/models/model.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/io/frames_io.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/run/chip_adaptation.hpp"

namespace accel::sim::cli {

// The folder --export-frames fills: its files are written to "<DIR>.tmp-<pid>" and the folder
// is renamed to DIR by commit(); destroyed without commit, nothing is left.
class FramesExport {
public:
    // InputError unless DIR does not exist and its parent takes a new folder.
    FramesExport(std::filesystem::path folder, Provenance provenance, std::string design_file);
    FramesExport(const FramesExport&) = delete;
    FramesExport& operator=(const FramesExport&) = delete;
    ~FramesExport();
    // light_<light>_chip_<k>.h5 in the folder, k counting the chips written at that light
    // (0 … eval.chips − 1, in the order of the evaluation's chips).
    void write(std::size_t light, const ChipFramesFile& frames);
    void commit();
    [[nodiscard]] std::size_t files() const { return files_; }
    [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }

private:
    std::filesystem::path folder_, staging_;
    Provenance provenance_;
    std::string design_file_;
    std::size_t files_ = 0;
    std::vector<int> chips_at_light_;
    bool committed_ = false;
};

// One frames file adapted on.
struct FramesAdaptation {
    std::string file;
    ChipFramesFile frames;   // as read (its frames kept for the counts)
    AdaptedChip chip;
    models::SramWeights adapted_weights;  // the SRAM contents after adaptation, to load into the chip
    int epochs = 0;
};

// Reads each file and adapts its chip; InputError for a file that does not fit the design or
// an evaluation without adaptation epochs.
[[nodiscard]] std::vector<FramesAdaptation> adapt_from_frame_files(const RunDescription& run, models::Model& model,
                                                                   std::span<const double> parameters, const std::vector<std::string>& files);
void print_frames_adaptations(const std::vector<FramesAdaptation>& adaptations);
// /eval/<n>/frames_<j> for each.
void write_frames_adaptations(h5::Group& eval_group, const std::vector<FramesAdaptation>& adaptations);

}  // namespace accel::sim::cli
