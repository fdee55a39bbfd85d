#include "accel/sim/run/run_data.hpp"

#include <algorithm>
#include <numeric>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/core/stream_purposes.hpp"
#include "accel/datasets/synthetic.hpp"
#include "accel/sim/io/digest.hpp"

namespace accel::sim {
namespace {

// Fixed seeds of the synthetic splits: the images are a benchmark, the same for every
// design.seed; the two splits draw different images.
constexpr std::uint64_t synthetic_train_seed = 0x5EED'7A1Bu;
constexpr std::uint64_t synthetic_test_seed = 0x5EED'7E57u;

// The first `count` of `all` after a Fisher–Yates shuffle seeded by `seed`, in ascending order.
std::vector<int> seeded_subset(int all, int count, std::uint64_t seed) {
    std::vector<int> order(static_cast<std::size_t>(all));
    std::iota(order.begin(), order.end(), 0);
    core::RandomStream stream = core::purpose_stream(seed, core::StreamPurpose::data_train_subset, 0);
    datasets::shuffle(order, stream);
    order.resize(static_cast<std::size_t>(count));
    std::sort(order.begin(), order.end());
    return order;
}

datasets::Dataset load_split(const DataDescription& data, datasets::Split split) {
    if (data.dataset == "synthetic") {
        const bool train = split == datasets::Split::train;
        datasets::Dataset d = datasets::make_synthetic(train ? data.synthetic_train : data.synthetic_test, data.synthetic_classes,
                                                       train ? synthetic_train_seed : synthetic_test_seed);
        d.name += train ? "/train" : "/test";
        return d;
    }
    if (data.dataset == "mnist") return datasets::load_mnist(split, data.dir);
    return datasets::load_fashion_mnist(split, data.dir);
}

void load_training(const DataDescription& data, std::uint64_t seed, RunData& d) {
    datasets::Dataset full = load_split(data, datasets::Split::train);
    if (data.train_images > full.size())
        throw InputError("data.train_images = " + std::to_string(data.train_images) + " exceeds the " + std::to_string(full.size()) +
                         " training images of " + full.name);
    if (data.train_images > 0 && data.train_first) {
        std::vector<int> first(static_cast<std::size_t>(data.train_images));
        std::iota(first.begin(), first.end(), 0);
        d.train = datasets::subset(full, first);
    } else if (data.train_images > 0) {
        d.train = datasets::subset(full, seeded_subset(full.size(), data.train_images, seed));
    } else {
        d.train = std::move(full);
    }
    d.split = datasets::validation_split(d.train, data.validation_fraction, seed);
    if (d.split.train.empty())
        throw InputError("no training images left after holding out data.validation_fraction = " + core::shortest_text(data.validation_fraction) +
                         " of " + std::to_string(d.train.size()));
}

void load_test(const DataDescription& data, RunData& d) {
    datasets::Dataset test = load_split(data, datasets::Split::test);
    d.full_test_size = test.size();
    if (data.test_images > test.size())
        throw InputError("data.test_images = " + std::to_string(data.test_images) + " exceeds the " + std::to_string(test.size()) +
                         " images of " + test.name);
    if (data.test_images > 0 && data.test_images < test.size()) {
        std::vector<int> first(static_cast<std::size_t>(data.test_images));
        std::iota(first.begin(), first.end(), 0);
        d.test = datasets::subset(test, first);
        d.test_is_subset = true;
    } else {
        d.test = std::move(test);
    }
}

}  // namespace

std::string RunData::describe() const {
    std::string s = (test.name.empty() ? train.name : test.name);
    s = s.substr(0, s.find('/')) + ": ";
    if (!train.labels.empty())
        s += std::to_string(split.train.size()) + " train, " + std::to_string(split.validation.size()) + " validation, ";
    s += std::to_string(test.size()) + " test";
    if (test_is_subset) s += " (the first " + std::to_string(test.size()) + " of the " + std::to_string(full_test_size) + " test images)";
    return s;
}

std::string RunData::digest() const {
    std::uint64_t h = fnv_offset_basis;
    for (const datasets::Dataset* d : {&train, &test}) {
        h = sim::digest(d->pixels.data(), d->pixels.size() * sizeof(float), h);
        h = sim::digest(d->labels.data(), d->labels.size(), h);
    }
    return hex16(h);
}

std::vector<std::filesystem::path> data_files(const DataDescription& data, DataNeeds needs) {
    if (data.dataset == "synthetic") return {};
    std::vector<std::filesystem::path> files;
    for (const auto split : {datasets::Split::train, datasets::Split::test}) {
        if (split == datasets::Split::train && needs == DataNeeds::test_only) continue;
        const datasets::StandardFiles f = datasets::standard_files(split, data.dir);
        files.push_back(f.images);
        files.push_back(f.labels);
    }
    return files;
}

RunData load_data(const DataDescription& data, std::uint64_t seed, DataNeeds needs) {
    RunData d;
    try {
        if (needs == DataNeeds::train_and_test) load_training(data, seed, d);
        load_test(data, d);
    } catch (const datasets::DataError& e) {
        throw InputError(std::string(e.what()) + " (data.dataset = \"" + data.dataset + "\")");
    }
    if (!d.train.labels.empty() && (d.train.rows != d.test.rows || d.train.cols != d.test.cols))
        throw InputError(d.train.name + " and " + d.test.name + " differ in image size");
    return d;
}

}  // namespace accel::sim
