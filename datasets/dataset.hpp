#pragma once
// In-memory image classification sets, the standard loaders, the validation split and the
// per-epoch order. Every random choice comes from a counter-based RandomStream keyed by the
// caller's seed, so results never depend on threads or on call order.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "accel/core/random_stream.hpp"
#include "accel/datasets/idx.hpp"

namespace accel::datasets {

// Images as floats in [0, 1] (byte/255), row-major, one after another.
struct Dataset {
    int rows = 0;
    int cols = 0;
    int classes = 0;
    std::vector<float> pixels;  // size() × rows × cols
    std::vector<std::uint8_t> labels;
    std::string name;
    // Where the labels came from (the labels file; empty for a generated set), and for a
    // subset the index of each image in that source (empty: the images are the source's, in
    // order). Both exist so that a bad label can be reported where a user can find it.
    std::string labels_source;
    std::vector<int> source_index;

    [[nodiscard]] int size() const { return static_cast<int>(labels.size()); }
    [[nodiscard]] std::size_t pixels_per_image() const { return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols); }
    [[nodiscard]] int source_index_of(int i) const { return source_index.empty() ? i : source_index[static_cast<std::size_t>(i)]; }
    [[nodiscard]] std::span<const float> image(int i) const {
        return {pixels.data() + static_cast<std::size_t>(i) * pixels_per_image(), pixels_per_image()};
    }
};

enum class Split { train, test };

// Where Debian's dataset-fashion-mnist installs the files; the repository's MNIST lives in
// <source dir>/datasets/mnist (the library does not know the source dir: callers pass it).
inline constexpr std::string_view fashion_mnist_default_dir = "/usr/share/datasets/fashion-mnist";
inline constexpr std::string_view mnist_dir_in_repository = "datasets/mnist";

// An images/labels IDX pair as a Dataset named `name`. Throws DataError.
Dataset load_idx_dataset(const std::filesystem::path& images_path, const std::filesystem::path& labels_path, std::string name);

// Fashion-MNIST (60,000 train / 10,000 test, 28×28, 10 classes) from the standard file names
// {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz. A missing directory is a DataError that
// says to `apt-get install dataset-fashion-mnist`.
Dataset load_fashion_mnist(Split split, const std::filesystem::path& dir = std::filesystem::path(fashion_mnist_default_dir));

// MNIST with the same file names, from `dir` (the repository's copy holds 10,000 + 10,000).
Dataset load_mnist(Split split, const std::filesystem::path& dir);

// The images and labels files of `split` in a folder of the standard layout above.
struct StandardFiles {
    std::filesystem::path images, labels;
};
[[nodiscard]] StandardFiles standard_files(Split split, const std::filesystem::path& dir);

// Indices into a TRAINING set: the validation part is stratified (each class contributes
// round(fraction × its count) images, chosen by a seeded Fisher–Yates shuffle of that class),
// so small validation sets keep the class balance. Both lists are sorted ascending, disjoint
// and together cover 0..size−1. The test set never enters: pass only the training Dataset.
struct SplitIndices {
    std::vector<int> train;
    std::vector<int> validation;
};
SplitIndices validation_split(const Dataset& train, double validation_fraction, std::uint64_t seed);

// The first image whose label is `classes` or more (a model that reads out `classes` classes
// would index past its outputs), as its index in the labels source; nullopt when every label fits.
struct LabelBeyondClasses {
    int label = 0;
    int source_index = 0;
};
[[nodiscard]] std::optional<LabelBeyondClasses> first_label_beyond(const Dataset& data, int classes);

// The images at `indices` (in that order), same geometry, classes and name.
Dataset subset(const Dataset& data, std::span<const int> indices);

// A permutation of 0..n−1 that depends only on (seed, epoch).
std::vector<int> shuffled_order(int n, std::uint64_t seed, std::uint32_t epoch);

// Fisher–Yates shuffle drawing from `stream` (unbiased: bounded draws by rejection).
void shuffle(std::span<int> values, core::RandomStream& stream);

// Uniform integer in [0, bound), bound ≥ 1, without modulo bias (Lemire, ACM TOMACS 29, 2019).
std::uint32_t uniform_below(core::RandomStream& stream, std::uint32_t bound);

}  // namespace accel::datasets
