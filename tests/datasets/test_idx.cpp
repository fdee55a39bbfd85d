// IDX reading: exact round trips (raw and gzip), and rejection of every malformation with a
// DataError whose single-line message starts with the offending file.

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "accel/datasets/dataset.hpp"
#include "accel/datasets/idx.hpp"
#include "datasets_test_helpers.hpp"

namespace fs = std::filesystem;
using namespace accel::datasets;
using accel::test::DatasetTempDir;
using accel::test::idx_bytes;
using accel::test::ramp_bytes;
using accel::test::write_gz;
using accel::test::write_raw;

namespace {

// The message of the DataError that `f` throws; fails the test if it throws nothing or something else.
template <class F>
std::string data_error_of(F&& f) {
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    } catch (const std::exception& e) {
        FAIL("expected DataError, got another exception: " << e.what());
    }
    FAIL("expected DataError, nothing was thrown");
    return {};
}

// One line, starting with the file, mentioning the problem.
void check_message(const std::string& msg, const fs::path& file, const std::string& problem) {
    INFO("message: " << msg);
    CHECK(msg.rfind(file.string(), 0) == 0);
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(msg.find(problem) != std::string::npos);
}

void check_rejected(const fs::path& file, const std::string& problem) {
    check_message(data_error_of([&] { (void)read_idx(file); }), file, problem);
}

}  // namespace

TEST_CASE("IDX files round-trip exactly, raw and gzip", "[unit][datasets]") {
    DatasetTempDir dir;
    const std::vector<std::vector<std::uint32_t>> shapes{{7}, {3, 5}, {4, 3, 2}, {2, 3, 2, 2}, {300, 28, 28}};
    for (const auto& dims : shapes) {
        std::size_t n = 1;
        for (const auto d : dims) n *= d;
        const auto data = ramp_bytes(n);
        const auto raw = dir.path / "a.idx", gz = dir.path / "a.idx.gz";
        write_raw(raw, idx_bytes(dims, data));
        write_gz(gz, idx_bytes(dims, data));
        for (const auto& file : {raw, gz}) {
            const IdxArray a = read_idx(file);
            CHECK(a.dims == dims);
            CHECK(a.element_count() == n);
            CHECK(a.data == data);
        }
    }
}

TEST_CASE("IDX header problems are rejected naming the file", "[unit][datasets]") {
    DatasetTempDir dir;
    const auto f = dir.path / "bad.idx";
    const auto data = ramp_bytes(6);

    write_raw(f, idx_bytes({6}, data, 0x08, 0x12, 0x34));
    check_rejected(f, "not an IDX file");
    write_raw(f, idx_bytes({6}, data, 0x0D));
    check_rejected(f, "unsupported IDX element type 0x0D (float32)");
    write_raw(f, idx_bytes({6}, data, 0x05));
    check_rejected(f, "invalid IDX element type 0x05");
    write_raw(f, idx_bytes({}, data));
    check_rejected(f, "declares 0 dimensions");
    write_raw(f, idx_bytes({1, 1, 1, 1, 6}, data));
    check_rejected(f, "declares 5 dimensions");
    write_raw(f, idx_bytes({2, 0, 3}, {}));
    check_rejected(f, "IDX dimension 1 is 0");
    write_raw(f, idx_bytes({200'000'000}, data));
    check_rejected(f, "IDX dimension 0 is 200000000");
    write_raw(f, idx_bytes({100'000, 100'000}, data));  // each dim plausible, product 1e10 bytes
    check_rejected(f, "1 GiB limit");
    write_raw(f, std::string("\0\0", 2));
    check_rejected(f, "inside the 4-byte IDX magic");
    write_raw(f, idx_bytes({3, 4}, {}).substr(0, 9));
    check_rejected(f, "inside the IDX dimension sizes");
    write_raw(f, "");
    check_rejected(f, "truncated");
}

TEST_CASE("Truncated or padded IDX data is rejected, raw and gzip", "[unit][datasets]") {
    DatasetTempDir dir;
    const std::vector<std::uint32_t> dims{10, 28, 28};
    const auto data = ramp_bytes(10 * 28 * 28);
    const auto raw = dir.path / "t.idx", gz = dir.path / "t.idx.gz";
    auto short_data = data;
    short_data.resize(data.size() - 1);
    auto long_data = data;
    long_data.push_back(0);

    write_raw(raw, idx_bytes(dims, short_data));
    check_rejected(raw, "truncated: the IDX header declares 7840 data bytes but the file holds only 7839");
    write_gz(gz, idx_bytes(dims, short_data));
    check_rejected(gz, "truncated");
    write_raw(raw, idx_bytes(dims, long_data));
    check_rejected(raw, "trailing data: 1 bytes");
    write_gz(gz, idx_bytes(dims, long_data));
    check_rejected(gz, "trailing data");

    // A gzip file cut in the middle of its compressed stream.
    write_gz(gz, idx_bytes(dims, data));
    const std::string whole = accel::test::read_file_bytes(gz);
    write_raw(gz, whole.substr(0, whole.size() / 2));
    check_rejected(gz, "truncated");
    // All data present but the 8-byte gzip trailer (CRC, size) missing.
    write_raw(gz, whole.substr(0, whole.size() - 8));
    check_rejected(gz, "without its end marker and CRC");
    // Garbage after a complete gzip stream.
    write_raw(gz, whole + "garbage");
    check_rejected(gz, "trailing garbage after the end of the gzip stream");
    // A corrupted compressed stream (bytes flipped past the gzip header), and a wrong CRC.
    std::string corrupt = whole;
    for (std::size_t i = 20; i < 40 && i < corrupt.size(); ++i) corrupt[i] = static_cast<char>(~corrupt[i]);
    write_raw(gz, corrupt);
    check_rejected(gz, "");  // depending on the bytes: a bad header, bad deflate data or a bad CRC
    corrupt = whole;
    corrupt[corrupt.size() - 6] = static_cast<char>(corrupt[corrupt.size() - 6] ^ 1);
    write_raw(gz, corrupt);
    check_rejected(gz, "corrupt gzip data: incorrect data check");
}

// Concatenated gzip members are valid gzip (`cat a.gz b.gz`): the IDX bytes may span them.
TEST_CASE("IDX data split over concatenated gzip members reads whole", "[unit][datasets]") {
    DatasetTempDir dir;
    const std::vector<std::uint32_t> dims{3, 28, 28};
    const auto data = ramp_bytes(3 * 28 * 28);
    const std::string bytes = idx_bytes(dims, data);
    const auto part = dir.path / "part.gz", gz = dir.path / "joined.idx.gz";
    write_gz(part, bytes.substr(0, 1000));
    std::string joined = accel::test::read_file_bytes(part);
    write_gz(part, bytes.substr(1000));
    joined += accel::test::read_file_bytes(part);
    write_raw(gz, joined);
    const IdxArray a = read_idx(gz);
    CHECK(a.dims == dims);
    CHECK(a.data == data);
}

// A header claiming almost 1 GiB in a tiny gzip file must fail at the end of the data, without
// reserving memory for the claim (deflate expands at most 1032:1).
TEST_CASE("A gzip IDX header that lies about its size fails fast", "[unit][datasets]") {
    DatasetTempDir dir;
    const auto gz = dir.path / "liar.idx.gz";
    write_gz(gz, idx_bytes({1000, 1000, 1000}, ramp_bytes(100)));
    const auto t0 = std::chrono::steady_clock::now();
    check_rejected(gz, "declares 1000000000 data bytes");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
}

TEST_CASE("Missing files and non-files are rejected naming the path", "[unit][datasets]") {
    DatasetTempDir dir;
    check_rejected(dir.path / "nope.idx.gz", "no such file");
    check_rejected(dir.path, "not a regular file");
    const auto missing = dir.path / "no-fashion";
    check_message(data_error_of([&] { (void)load_fashion_mnist(Split::train, missing); }), missing,
                  "apt-get install dataset-fashion-mnist");
    check_message(data_error_of([&] { (void)load_mnist(Split::test, missing); }), missing, "directory not found");
}

TEST_CASE("Image/label pairs are checked for shape, count and classes", "[unit][datasets]") {
    DatasetTempDir dir;
    const auto images = dir.path / "images.idx.gz", labels = dir.path / "labels.idx.gz";
    write_gz(images, idx_bytes({5, 3, 2}, ramp_bytes(30)));
    write_gz(labels, idx_bytes({5}, {0, 3, 1, 3, 2}));
    const ImageSet set = load_images_and_labels(images, labels);
    CHECK(set.count == 5);
    CHECK(set.rows == 3);
    CHECK(set.cols == 2);
    CHECK(set.classes == 4);
    CHECK(set.pixels == ramp_bytes(30));

    const Dataset d = load_idx_dataset(images, labels, "tiny");
    CHECK(d.size() == 5);
    CHECK(d.name == "tiny");
    for (std::size_t i = 0; i < d.pixels.size(); ++i) CHECK(d.pixels[i] == static_cast<float>(set.pixels[i]) / 255.0f);

    write_gz(labels, idx_bytes({4}, {0, 1, 2, 3}));
    check_message(data_error_of([&] { (void)load_images_and_labels(images, labels); }), labels,
                  "holds 4 labels but " + images.string() + " holds 5 images");
    write_gz(labels, idx_bytes({5, 1}, {0, 1, 2, 3, 4}));
    check_message(data_error_of([&] { (void)load_images_and_labels(images, labels); }), labels, "expected 1-D labels");
    write_gz(labels, idx_bytes({5}, {0, 1, 2, 3, 4}));
    write_gz(images, idx_bytes({5, 6}, ramp_bytes(30)));
    check_message(data_error_of([&] { (void)load_images_and_labels(images, labels); }), images, "expected 3-D images");
}

namespace {

void check_standard_set(const Dataset& d, int count, int min_per_class) {
    CHECK(d.size() == count);
    CHECK(d.rows == 28);
    CHECK(d.cols == 28);
    CHECK(d.classes == 10);
    CHECK(d.pixels.size() == static_cast<std::size_t>(count) * 28 * 28);
    std::array<int, 10> histogram{};
    for (const auto l : d.labels) ++histogram.at(l);
    for (int c = 0; c < 10; ++c) {
        INFO(d.name << " class " << c);
        CHECK(histogram[static_cast<std::size_t>(c)] >= min_per_class);
    }
    const auto [lo, hi] = std::minmax_element(d.pixels.begin(), d.pixels.end());
    CHECK(*lo == 0.0f);
    CHECK(*hi == 1.0f);
}

}  // namespace

TEST_CASE("The repository's MNIST loads: 10,000 + 10,000 images of 28x28 in 10 classes", "[unit][datasets]") {
    const fs::path dir = fs::path(ACCEL_SOURCE_DIR) / mnist_dir_in_repository;
    const Dataset train = load_mnist(Split::train, dir);
    const Dataset test = load_mnist(Split::test, dir);
    check_standard_set(train, 10'000, 800);
    check_standard_set(test, 10'000, 800);
    CHECK(train.name == "mnist/train");
    CHECK(test.name == "mnist/test");
}

// Fashion-MNIST is installed by scripts/setup (Debian's dataset-fashion-mnist): its absence is
// a broken environment, so this fails rather than skips.
TEST_CASE("Fashion-MNIST loads from Debian's dataset-fashion-mnist: 60,000 + 10,000 images", "[unit][datasets]") {
    const fs::path dir{fashion_mnist_default_dir};
    INFO("Fashion-MNIST directory " << dir << " (apt-get install dataset-fashion-mnist, or scripts/setup)");
    REQUIRE(fs::is_directory(dir));
    const Dataset train = load_fashion_mnist(Split::train);
    const Dataset test = load_fashion_mnist(Split::test);
    check_standard_set(train, 60'000, 6'000);  // Fashion-MNIST is exactly balanced
    check_standard_set(test, 10'000, 1'000);
}
