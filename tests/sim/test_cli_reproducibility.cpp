// Reproducibility of whole result files: the same seed gives the same file, byte for byte
// in every value, whatever the thread count (only time stamps and the record of the thread
// count differ); and extreme but legal parameters give finite results or a clear error,
// never a NaN in a result file.

#include <hdf5.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "accel/sim/io/hdf5_file.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel::sim;
using namespace accel::test;

namespace {

const std::string small = "--preset synthetic-quick --set data.synthetic_train=300 --set data.synthetic_test=100 --set train.epochs=2 "
                          "--set eval.chips=2 -q ";

std::string quoted(const std::string& p) { return "'" + p + "'"; }

// The objects h5diff finds different ("attribute: <name of </path>>", "dataset: </path>").
std::set<std::string> differing_objects(const TempDir& dir, const std::string& a, const std::string& b) {
    const Run r = run_command(dir, "h5diff -v " + quoted(a) + " " + quoted(b));
    INFO(r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));  // 2: h5diff could not compare
    std::set<std::string> objects;
    std::istringstream in(r.out);
    std::string last;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("attribute: ", 0) == 0 || line.rfind("dataset: ", 0) == 0) last = line.substr(0, line.find(" and "));
        const auto found = line.find(" differences found");
        if (found != std::string::npos && line.compare(0, found, "0") != 0 && !last.empty()) objects.insert(last);
    }
    return objects;
}

// The stored configuration without its train.threads line.
std::string config_without_threads(const std::string& file) {
    std::istringstream in(h5::InputFile(file).root().attribute_string("config_toml"));
    std::string kept;
    for (std::string line; std::getline(in, line);)
        if (line.rfind("threads = ", 0) != 0) kept += line + "\n";
    return kept;
}

// Whether a difference is one of time or of the thread count: the provenance attributes
// created_utc, command_line, threads and config_toml (its train.threads line, checked apart),
// and wall-clock durations (`seconds`).
bool time_or_threads(const std::string& object) {
    for (const char* name : {"created_utc", "command_line", "threads", "config_toml", "seconds"})
        if (object.rfind(std::string("attribute: <") + name + " of ", 0) == 0) return true;
    const std::string seconds = "/seconds>";
    return object.rfind("dataset: ", 0) == 0 && object.size() > seconds.size() &&
           object.compare(object.size() - seconds.size(), seconds.size(), seconds) == 0;
}

// The two files hold the same values everywhere but in the time stamps and thread records.
void check_same_but_threads(const TempDir& dir, const std::string& a, const std::string& b) {
    for (const auto& object : differing_objects(dir, a, b)) {
        INFO(a << " and " << b << " differ in " << object);
        CHECK(time_or_threads(object));
    }
    CHECK(config_without_threads(a) == config_without_threads(b));
}

// Every floating-point value of a file, in datasets (also inside compound members) and in
// attributes, collected by visiting all objects with the HDF5 C API.
struct FloatScan {
    std::size_t values = 0;
    std::vector<std::string> non_finite;  // where
};

void scan_floats(hid_t type, const unsigned char* data, std::size_t count, std::size_t stride, const std::string& where, FloatScan& scan) {
    if (H5Tget_class(type) == H5T_FLOAT) {
        const std::size_t size = H5Tget_size(type);
        for (std::size_t i = 0; i < count; ++i) {
            const unsigned char* p = data + i * stride;
            const double v = size == sizeof(float) ? static_cast<double>(*reinterpret_cast<const float*>(p)) : *reinterpret_cast<const double*>(p);
            ++scan.values;
            if (!std::isfinite(v) && scan.non_finite.size() < 10) scan.non_finite.push_back(where + "[" + std::to_string(i) + "]");
        }
    } else if (H5Tget_class(type) == H5T_COMPOUND) {
        for (int m = 0; m < H5Tget_nmembers(type); ++m) {
            const hid_t member = H5Tget_member_type(type, static_cast<unsigned>(m));
            char* name = H5Tget_member_name(type, static_cast<unsigned>(m));
            scan_floats(member, data + H5Tget_member_offset(type, static_cast<unsigned>(m)), count, stride, where + "." + name, scan);
            H5free_memory(name);
            H5Tclose(member);
        }
    }
}

// Reads `count` elements of a dataset or attribute in its native memory type and scans them.
template <class Read>
void scan_object(hid_t file_type, std::size_t count, const std::string& where, FloatScan& scan, Read read) {
    const H5T_class_t cls = H5Tget_class(file_type);
    if (cls != H5T_FLOAT && cls != H5T_COMPOUND) return;
    const hid_t memory = H5Tget_native_type(file_type, H5T_DIR_ASCEND);
    const std::size_t size = H5Tget_size(memory);
    std::vector<unsigned char> buffer(size * count);
    if (count > 0 && read(memory, buffer.data()) >= 0) scan_floats(memory, buffer.data(), count, size, where, scan);
    H5Tclose(memory);
}

herr_t scan_attribute(hid_t object, const char* name, const H5A_info_t*, void* context) {
    auto& [scan, where] = *static_cast<std::pair<FloatScan*, std::string>*>(context);
    const hid_t attr = H5Aopen(object, name, H5P_DEFAULT);
    const hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
    const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
    scan_object(type, count, where + "@" + name, *scan, [&](hid_t memory, void* buffer) { return H5Aread(attr, memory, buffer); });
    H5Sclose(space);
    H5Tclose(type);
    H5Aclose(attr);
    return 0;
}

herr_t scan_visited(hid_t root, const char* name, const H5O_info_t* info, void* context) {
    auto* scan = static_cast<FloatScan*>(context);
    const hid_t object = H5Oopen(root, name, H5P_DEFAULT);
    std::pair<FloatScan*, std::string> attribute_context{scan, std::string("/") + name};
    H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, scan_attribute, &attribute_context);
    if (info->type == H5O_TYPE_DATASET) {
        const hid_t type = H5Dget_type(object), space = H5Dget_space(object);
        const auto count = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
        scan_object(type, count, std::string("/") + name, *scan,
                    [&](hid_t memory, void* buffer) { return H5Dread(object, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer); });
        H5Sclose(space);
        H5Tclose(type);
    }
    H5Oclose(object);
    return 0;
}

FloatScan scan_file(const std::string& path) {
    FloatScan scan;
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(file >= 0);
    H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, scan_visited, &scan);
    H5Fclose(file);
    return scan;
}

}  // namespace

TEST_CASE("the same seed gives the same result files with 1 and 2 threads, apart from time stamps", "[cli]") {
    TempDir dir("accel-cli-repro");
    for (const char* t : {"1", "2"}) {
        const Run r = run_accel(dir, "train " + small + "--set train.threads=" + t + " -o " + quoted(dir / (std::string("t") + t + ".h5")));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    }
    check_same_but_threads(dir, dir / "t1.h5", dir / "t2.h5");
    // The noisy multi-chip evaluation too, written on its own.
    for (const char* t : {"1", "2"}) {
        const Run r = run_accel(dir, "eval -q " + quoted(dir / "t1.h5") + " --chips 3 --light 0.01,1 --threads " + t + " -o " +
                                         quoted(dir / (std::string("e") + t + ".h5")));
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    }
    check_same_but_threads(dir, dir / "e1.h5", dir / "e2.h5");

    SECTION("the comparison sees a changed value") {
        const Run r = run_accel(dir, "train " + small + "--set design.seed=2 -o " + quoted(dir / "seed2.h5"));
        REQUIRE(r.exit_code == 0);
        CHECK(differing_objects(dir, dir / "t1.h5", dir / "seed2.h5").count("dataset: </model/parameters>") == 1);
    }
}

TEST_CASE("extreme but legal parameters give finite results or a clear error, never NaN in a file", "[cli]") {
    TempDir dir("accel-cli-extreme");
    const std::string base = "--preset synthetic-quick --set data.synthetic_train=100 --set data.synthetic_test=50 --set train.epochs=1 "
                             "--set eval.chips=2 -q --force ";
    std::string sixty_four = "[20.0";
    for (int l = 1; l < 64; ++l) sixty_four += ", 20.0";
    sixty_four += "]";
    const std::vector<std::string> cases = {
        "--set light.energy_density_fJ_per_um2=1e-30",  // a photon in a billion frames
        "--set light.energy_density_fJ_per_um2=1e12",   // the key's maximum
        "--set optics.distances_mm=[1e-6,1e-6]",        // a nanometre
        "--set optics.distances_mm=[1e5,1e5]",          // a hundred metres
        "--set optics.distances_mm=[20.0]",             // one layer
        "--set 'optics.distances_mm=" + sixty_four + "'",  // 64 layers: the light is lost below single precision
        "--set train.noise_aware=true --set light.energy_density_fJ_per_um2=1e-30",
        "--preset digital-baseline --set data.dataset=synthetic --set digital.sensor_pixels=4096 --set light.energy_density_fJ_per_um2=1e-30",
        "--preset digital-baseline --set data.dataset=synthetic --set digital.sensor_pixels=4096 --set light.energy_density_fJ_per_um2=1e12",
    };
    int finished = 0;
    for (std::size_t k = 0; k < cases.size(); ++k) {
        const std::string out = dir / ("case" + std::to_string(k) + ".h5");
        const Run r = run_accel(dir, "train " + base + cases[k] + " -o " + quoted(out));
        INFO(cases[k] << "\nexit " << r.exit_code << "\nstderr: " << r.err);
        if (r.exit_code == 2) {  // a clear error is allowed: one line, and no NaN left behind
            expect_bad_input(r, {});
        } else {
            REQUIRE(r.exit_code == 0);
            ++finished;
            // And evaluated far from the trained light level.
            const Run e = run_accel(dir, "eval -q " + quoted(out) + " --chips 2 --light 1e-30,1e12");
            INFO("eval: " << e.err);
            CHECK(e.exit_code == 0);
        }
        if (!fs::exists(out)) continue;
        const FloatScan scan = scan_file(out);
        CHECK(scan.values > 100);
        for (const auto& where : scan.non_finite) FAIL_CHECK("non-finite value at " << where);
    }
    CHECK(finished >= 7);  // most of these are legal designs that must simply run
}
