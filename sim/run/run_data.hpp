#pragma once
// The images of a run, as its data description says: loaded from IDX files or generated
// (the synthetic set), with the training subset, the validation split and the test subset.

#include <filesystem>
#include <string>
#include <vector>

#include "accel/datasets/dataset.hpp"
#include "accel/sim/config/run_description.hpp"

namespace accel::sim {

struct RunData {
    datasets::Dataset train;              // training split (data.train_images of them, drawn or first as data.train_selection says); empty if not loaded
    datasets::SplitIndices split;         // indices into `train`: what is trained on, what picks the best epoch
    datasets::Dataset test;               // the official test split, or its first data.test_images
    bool test_is_subset = false;
    int full_test_size = 0;               // images in the official test split
    [[nodiscard]] std::string describe() const;  // "synthetic-shapes: 1800 train, 200 validation, 1000 test"
    // Digest of every image and label loaded (16 hex digits): a resumed run checks that its
    // data files have not changed since it started.
    [[nodiscard]] std::string digest() const;
};

enum class DataNeeds { train_and_test, test_only };

// The files load_data reads for `needs` (none for the synthetic set): the images and labels
// of each split, so that no output of a run can be one of them.
[[nodiscard]] std::vector<std::filesystem::path> data_files(const DataDescription& data, DataNeeds needs);

// Loads or generates the images; InputError naming the key or the file at fault. Synthetic
// sets use fixed seeds (not design.seed), so every model sees the same images; `seed` picks
// the training subset and the validation split.
[[nodiscard]] RunData load_data(const DataDescription& data, std::uint64_t seed, DataNeeds needs);
[[nodiscard]] inline RunData load_data(const RunDescription& run, DataNeeds needs) { return load_data(run.data, run.seed, needs); }

}  // namespace accel::sim
