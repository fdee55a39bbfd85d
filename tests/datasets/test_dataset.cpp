// Validation split, epoch order, subsets and the synthetic shape set.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "accel/datasets/dataset.hpp"
#include "accel/datasets/synthetic.hpp"

using namespace accel::datasets;

namespace {

bool is_permutation_of_range(std::vector<int> v, int n) {
    std::sort(v.begin(), v.end());
    std::vector<int> expected(static_cast<std::size_t>(n));
    std::iota(expected.begin(), expected.end(), 0);
    return v == expected;
}

std::vector<int> class_counts(const Dataset& d) {
    std::vector<int> counts(static_cast<std::size_t>(d.classes), 0);
    for (const auto l : d.labels) ++counts.at(l);
    return counts;
}

// Classifies by the nearest class mean in pixel space (squared Euclidean distance).
double nearest_centroid_accuracy(const Dataset& train, const Dataset& test) {
    const std::size_t p = train.pixels_per_image(), classes = static_cast<std::size_t>(train.classes);
    std::vector<double> centroid(classes * p, 0.0);
    std::vector<int> counts(classes, 0);
    for (int i = 0; i < train.size(); ++i) {
        const std::size_t c = train.labels[static_cast<std::size_t>(i)];
        ++counts[c];
        const auto img = train.image(i);
        for (std::size_t k = 0; k < p; ++k) centroid[c * p + k] += img[k];
    }
    for (std::size_t c = 0; c < classes; ++c)
        for (std::size_t k = 0; k < p; ++k) centroid[c * p + k] /= counts[c];
    int correct = 0;
    for (int i = 0; i < test.size(); ++i) {
        const auto img = test.image(i);
        std::size_t best = 0;
        double best_d = 1e300;
        for (std::size_t c = 0; c < classes; ++c) {
            double d = 0.0;
            for (std::size_t k = 0; k < p; ++k) d += (img[k] - centroid[c * p + k]) * (img[k] - centroid[c * p + k]);
            if (d < best_d) best_d = d, best = c;
        }
        correct += best == test.labels[static_cast<std::size_t>(i)] ? 1 : 0;
    }
    return static_cast<double>(correct) / test.size();
}

}  // namespace

TEST_CASE("Validation split is disjoint, covering, stratified and seeded", "[unit][datasets]") {
    const Dataset train = make_synthetic(1003, 4, 11);  // not a multiple of the class count
    const SplitIndices s = validation_split(train, 0.2, 42);
    std::vector<int> all = s.train;
    all.insert(all.end(), s.validation.begin(), s.validation.end());
    CHECK(is_permutation_of_range(all, train.size()));  // disjoint and covering
    CHECK(std::is_sorted(s.train.begin(), s.train.end()));
    CHECK(std::is_sorted(s.validation.begin(), s.validation.end()));

    // Stratified: each class gives round(0.2 × its count).
    const auto counts = class_counts(train);
    std::vector<int> val_counts(counts.size(), 0);
    for (const int i : s.validation) ++val_counts[train.labels[static_cast<std::size_t>(i)]];
    for (std::size_t c = 0; c < counts.size(); ++c) CHECK(val_counts[c] == static_cast<int>(std::lround(0.2 * counts[c])));

    CHECK(validation_split(train, 0.2, 42).validation == s.validation);
    CHECK(validation_split(train, 0.2, 43).validation != s.validation);
    CHECK(validation_split(train, 0.0, 42).validation.empty());
    CHECK_THROWS_AS(validation_split(train, 1.0, 42), std::invalid_argument);
    CHECK_THROWS_AS(validation_split(train, -0.1, 42), std::invalid_argument);

    // The parts are views of the training set only.
    const Dataset val = subset(train, s.validation);
    REQUIRE(val.size() == static_cast<int>(s.validation.size()));
    for (int k = 0; k < val.size(); ++k) {
        const auto a = val.image(k), b = train.image(s.validation[static_cast<std::size_t>(k)]);
        CHECK(std::equal(a.begin(), a.end(), b.begin()));
        CHECK(val.labels[static_cast<std::size_t>(k)] == train.labels[static_cast<std::size_t>(s.validation[static_cast<std::size_t>(k)])]);
    }
    CHECK(val.rows == train.rows);
    CHECK(val.classes == train.classes);
    const std::vector<int> bad{0, train.size()};
    CHECK_THROWS_AS(subset(train, bad), std::out_of_range);
}

TEST_CASE("Epoch order is a permutation fixed by (seed, epoch)", "[unit][datasets]") {
    const auto a = shuffled_order(1000, 7, 0);
    CHECK(is_permutation_of_range(a, 1000));
    CHECK(shuffled_order(1000, 7, 0) == a);
    CHECK(shuffled_order(1000, 7, 1) != a);
    CHECK(shuffled_order(1000, 8, 0) != a);
    CHECK(shuffled_order(0, 7, 0).empty());
    CHECK(shuffled_order(1, 7, 0) == std::vector<int>{0});
    // Every position is reachable: over many epochs element 0 lands in the first and the last slot.
    std::set<int> first_positions;
    for (std::uint32_t e = 0; e < 200; ++e) {
        const auto o = shuffled_order(5, 3, e);
        first_positions.insert(static_cast<int>(std::find(o.begin(), o.end(), 0) - o.begin()));
    }
    CHECK(first_positions.size() == 5);
}

TEST_CASE("Synthetic shapes are balanced, deterministic and in [0, 1]", "[unit][datasets]") {
    const Dataset a = make_synthetic(400, 4, 5);
    CHECK(a.size() == 400);
    CHECK(a.rows == 28);
    CHECK(a.cols == 28);
    CHECK(a.classes == 4);
    CHECK(class_counts(a) == std::vector<int>(4, 100));
    CHECK(std::all_of(a.pixels.begin(), a.pixels.end(), [](float v) { return v >= 0.0f && v <= 1.0f; }));

    const Dataset b = make_synthetic(400, 4, 5);
    CHECK(a.pixels == b.pixels);
    CHECK(a.labels == b.labels);
    CHECK(make_synthetic(400, 4, 6).pixels != a.pixels);

    const auto odd = class_counts(make_synthetic(103, 6, 1, 16));
    CHECK(*std::max_element(odd.begin(), odd.end()) - *std::min_element(odd.begin(), odd.end()) <= 1);

    CHECK_THROWS_AS(make_synthetic(10, 1, 0), std::invalid_argument);
    CHECK_THROWS_AS(make_synthetic(10, synthetic_max_classes + 1, 0), std::invalid_argument);
    CHECK_THROWS_AS(make_synthetic(-1, 4, 0), std::invalid_argument);
    CHECK_THROWS_AS(make_synthetic(10, 4, 0, 4), std::invalid_argument);
}

// Learnable but not trivial: class means in pixel space separate fresh images (another seed)
// well, yet not perfectly (position, size and rotation vary).
TEST_CASE("Synthetic shapes are learnable by a nearest-centroid classifier", "[unit][datasets]") {
    const Dataset train = make_synthetic(2000, 4, 1);
    const Dataset test = make_synthetic(1000, 4, 2);
    const double accuracy = nearest_centroid_accuracy(train, test);
    INFO("nearest-centroid accuracy " << accuracy);
    CHECK(accuracy >= 0.90);
    CHECK(accuracy < 0.995);
}
