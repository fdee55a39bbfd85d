#include "accel/datasets/dataset.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

#include "accel/core/stream_purposes.hpp"

namespace accel::datasets {
namespace fs = std::filesystem;

namespace {


Dataset load_standard_pair(Split split, const fs::path& dir, const std::string& set_name, const std::string& missing_hint) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw DataError(dir.string() + ": " + set_name + " directory not found" + missing_hint);
    const StandardFiles files = standard_files(split, dir);
    return load_idx_dataset(files.images, files.labels, set_name + (split == Split::train ? "/train" : "/test"));
}

}  // namespace

Dataset load_idx_dataset(const fs::path& images_path, const fs::path& labels_path, std::string name) {
    ImageSet set = load_images_and_labels(images_path, labels_path);
    Dataset d;
    d.rows = set.rows;
    d.cols = set.cols;
    d.classes = set.classes;
    d.name = std::move(name);
    // byte/255 correctly rounded (a table: division per pixel of 47 M pixels is measurable).
    std::array<float, 256> scale{};
    for (int b = 0; b < 256; ++b) scale[static_cast<std::size_t>(b)] = static_cast<float>(b) / 255.0f;
    d.pixels.resize(set.pixels.size());
    std::transform(set.pixels.begin(), set.pixels.end(), d.pixels.begin(), [&scale](std::uint8_t b) { return scale[b]; });
    d.labels = std::move(set.labels);
    d.labels_source = labels_path.string();
    return d;
}

StandardFiles standard_files(Split split, const fs::path& dir) {
    const std::string prefix = split == Split::train ? "train" : "t10k";
    return {dir / (prefix + "-images-idx3-ubyte.gz"), dir / (prefix + "-labels-idx1-ubyte.gz")};
}

Dataset load_fashion_mnist(Split split, const fs::path& dir) {
    return load_standard_pair(split, dir, "fashion-mnist",
                              " (install it with `apt-get install dataset-fashion-mnist`, or run scripts/setup)");
}

Dataset load_mnist(Split split, const fs::path& dir) {
    return load_standard_pair(split, dir, "mnist", " (the repository keeps MNIST in datasets/mnist)");
}

std::uint32_t uniform_below(core::RandomStream& stream, std::uint32_t bound) {
    if (bound == 0) throw std::invalid_argument("uniform_below: bound must be at least 1");
    std::uint64_t m = std::uint64_t{stream.next_u32()} * bound;
    auto low = static_cast<std::uint32_t>(m);
    if (low < bound) {
        const std::uint32_t threshold = (0u - bound) % bound;  // 2^32 mod bound
        while (low < threshold) {
            m = std::uint64_t{stream.next_u32()} * bound;
            low = static_cast<std::uint32_t>(m);
        }
    }
    return static_cast<std::uint32_t>(m >> 32);
}

void shuffle(std::span<int> values, core::RandomStream& stream) {
    for (std::size_t i = values.size(); i > 1; --i) {
        const std::size_t j = uniform_below(stream, static_cast<std::uint32_t>(i));
        std::swap(values[i - 1], values[j]);
    }
}

std::vector<int> shuffled_order(int n, std::uint64_t seed, std::uint32_t epoch) {
    if (n < 0) throw std::invalid_argument("shuffled_order: n must be ≥ 0, got " + std::to_string(n));
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    core::RandomStream stream = core::purpose_stream(seed, core::StreamPurpose::data_epoch_order, epoch);
    shuffle(order, stream);
    return order;
}

SplitIndices validation_split(const Dataset& train, double validation_fraction, std::uint64_t seed) {
    if (!(validation_fraction >= 0.0 && validation_fraction < 1.0))
        throw std::invalid_argument("validation fraction must be in [0, 1), got " + std::to_string(validation_fraction));
    std::vector<std::vector<int>> by_class(static_cast<std::size_t>(std::max(train.classes, 1)));
    for (int i = 0; i < train.size(); ++i) {
        const std::size_t c = train.labels[static_cast<std::size_t>(i)];
        if (c >= by_class.size()) by_class.resize(c + 1);
        by_class[c].push_back(i);
    }
    SplitIndices out;
    // One stream for the whole split, classes in label order: the result depends on the seed only.
    core::RandomStream stream = core::purpose_stream(seed, core::StreamPurpose::data_split, 0);
    for (auto& members : by_class) {
        shuffle(members, stream);
        const auto n_val = static_cast<std::size_t>(std::lround(validation_fraction * static_cast<double>(members.size())));
        out.validation.insert(out.validation.end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(n_val));
        out.train.insert(out.train.end(), members.begin() + static_cast<std::ptrdiff_t>(n_val), members.end());
    }
    std::sort(out.train.begin(), out.train.end());
    std::sort(out.validation.begin(), out.validation.end());
    return out;
}

Dataset subset(const Dataset& data, std::span<const int> indices) {
    Dataset out;
    out.rows = data.rows;
    out.cols = data.cols;
    out.classes = data.classes;
    out.name = data.name;
    out.labels_source = data.labels_source;
    out.source_index.resize(indices.size());
    const std::size_t per = data.pixels_per_image();
    out.pixels.resize(indices.size() * per);
    out.labels.resize(indices.size());
    for (std::size_t k = 0; k < indices.size(); ++k) {
        const int i = indices[k];
        if (i < 0 || i >= data.size())
            throw std::out_of_range("subset: index " + std::to_string(i) + " outside 0.." + std::to_string(data.size() - 1));
        const auto src = data.image(i);
        std::copy(src.begin(), src.end(), out.pixels.begin() + static_cast<std::ptrdiff_t>(k * per));
        out.labels[k] = data.labels[static_cast<std::size_t>(i)];
        out.source_index[k] = data.source_index_of(i);
    }
    return out;
}

std::optional<LabelBeyondClasses> first_label_beyond(const Dataset& data, int classes) {
    for (int i = 0; i < data.size(); ++i)
        if (const int label = data.labels[static_cast<std::size_t>(i)]; label >= classes) return LabelBeyondClasses{label, data.source_index_of(i)};
    return std::nullopt;
}

}  // namespace accel::datasets
