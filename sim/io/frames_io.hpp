#pragma once
// Measured frames: a chip's photodiode outputs per image in one file (docs/hdf5-schema.md,
// "Measured frames"), so that ACCEL's adaptive training runs on what a lab measured on its
// chip exactly as on what `accel eval --export-frames` simulated. A file holds one chip at one
// light level: the mean signal electrons of every photodiode per image (one integration, dark
// electrons excluded; a lab averages repeated integrations of each image), the labels, and the
// frame numbers that key each frame's noise.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "accel/sim/io/provenance.hpp"

namespace accel::sim {

// One set of frames: what adaptation trains on, what the chip is tested on, what it ranges its
// conversion gain on.
struct FrameSet {
    std::vector<double> signal_e;   // frames × photodiodes, electrons
    std::vector<int> labels;        // per frame (unused for ranging)
    std::vector<int> frame_number;  // per frame: the image's index in its split, the key of its noise
    [[nodiscard]] std::size_t frames() const { return frame_number.size(); }
};

struct ChipFramesFile {
    int photodiodes = 0;
    int classes = 0;
    double energy_density_fJ_per_um2 = 0.0;  // light at the input, per frame
    std::uint32_t chip = 0;                  // the chip's number: the draw of its electronics' mismatch (docs/physics.md)
    std::string source;                      // who made the frames ("simulated by accel eval", or a lab's words)
    std::string design_file;                 // the design they were taken with
    FrameSet train, test, ranging;           // ranging may be empty
};

// Writes `frames` atomically to `path` (an existing file only with `overwrite`), with the
// provenance block of the run that made them.
void write_chip_frames(const std::filesystem::path& path, const ChipFramesFile& frames, const Provenance& provenance, bool overwrite);

// Reads and checks a frames file: format and version, shapes, charges non-negative and finite,
// labels within [0, classes), frame numbers ≥ 0, at least one training and one test frame.
// InputError naming the file and the culprit otherwise.
[[nodiscard]] ChipFramesFile read_chip_frames(const std::filesystem::path& path);

}  // namespace accel::sim
