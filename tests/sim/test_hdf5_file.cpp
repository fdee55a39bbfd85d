// Round trips and the atomic-commit guarantee of the HDF5 wrappers.

#include <sys/resource.h>

#include <csignal>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <unistd.h>

#include "accel/core/errors.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel::sim;
using accel::InputError;

using namespace accel::test;

namespace {

template <class Real>
std::vector<std::complex<Real>> ramp(std::size_t count) {
    std::vector<std::complex<Real>> v(count);
    for (std::size_t k = 0; k < count; ++k)
        v[k] = {static_cast<Real>(0.25 * static_cast<double>(k)), static_cast<Real>(-1.5 * static_cast<double>(k) + 0.125)};
    return v;
}

}  // namespace

TEMPLATE_TEST_CASE("complex datasets round-trip exactly as compound {r,i}", "[unit]", float, double) {
    TempDir dir;
    const fs::path file = dir.path / "c.h5";
    const auto values = ramp<TestType>(3 * 4);
    {
        h5::OutputFile out(file, h5::Overwrite::no);
        auto ds = out.root().write_complex<TestType>("field", values, 3, 4);
        ds.set_unit("sqrt(W)/m");
        out.commit();
    }
    const h5::InputFile in(file);
    const h5::Dataset ds = in.open_dataset("/field");
    CHECK(ds.shape() == std::vector<std::size_t>{3, 4});
    CHECK(ds.attribute_string("unit") == "sqrt(W)/m");
    const auto same = ds.read_complex_2d<TestType>();
    CHECK(same.rows == 3);
    CHECK(same.cols == 4);
    CHECK(same.values == values);  // exact: the stored type is the written type
    // Reading in the other precision converts.
    const auto as_double = ds.read_complex_2d<double>();
    for (std::size_t k = 0; k < values.size(); ++k) CHECK(as_double.values[k] == std::complex<double>(values[k]));
}

TEST_CASE("attributes of every kind round-trip, and groups and arrays are written", "[unit]") {
    TempDir dir;
    const fs::path file = dir.path / "a.h5";
    {
        h5::OutputFile out(file, h5::Overwrite::no);
        auto& root = out.root();
        root.set_attribute("pitch_m", 2.5e-6);
        root.set_attribute("count", std::int64_t{-42});
        root.set_attribute("seed", std::uint64_t{18446744073709551615ull});
        root.set_attribute("flag", true);
        root.set_attribute("note", "µm and ünïcode");
        root.set_attribute("note", std::string("replaced"));  // rewriting an attribute replaces it
        auto group = root.create_group("metrics/epochs");
        const std::vector<double> loss{1.0, 0.5, 0.25};
        group.write_array<double>("loss", loss, {3}).set_unit("1");
        const std::vector<std::int8_t> weights{-1, 1, 1, -1, 1, -1};
        root.write_array<std::int8_t>("model/weights", weights, {2, 3});
        out.commit();
    }
    const h5::InputFile in(file);
    const auto& root = in.root();
    CHECK(root.attribute_double("pitch_m") == 2.5e-6);
    CHECK(root.attribute_int64("count") == -42);
    CHECK(root.attribute_double("count") == -42.0);
    CHECK(root.attribute_int64("flag") == 1);
    CHECK(root.attribute_string("note") == "replaced");
    CHECK(root.has_attribute("seed"));
    CHECK_FALSE(root.has_attribute("absent"));
    CHECK(root.has("metrics/epochs/loss"));
    CHECK(root.has("/model/weights"));
    CHECK_FALSE(root.has("metrics/nothing/loss"));
    CHECK(root.open_group("metrics").open_dataset("epochs/loss").shape() == std::vector<std::size_t>{3});
    CHECK(in.open_dataset("model/weights").shape() == std::vector<std::size_t>{2, 3});
    CHECK_THROWS_AS(root.attribute_double("absent"), InputError);
    CHECK_THROWS_AS(root.attribute_double("note"), InputError);
    CHECK_THROWS_AS(root.attribute_int64("pitch_m"), InputError);
    CHECK_THROWS_AS(in.open_dataset("nothing"), InputError);
    CHECK_THROWS_AS(in.open_dataset("metrics"), InputError);  // a group, not a dataset
}

TEST_CASE("reading rejects wrong types, ranks, oversized shapes and non-finite values", "[unit]") {
    TempDir dir;
    const fs::path file = dir.path / "bad.h5";
    {
        h5::OutputFile out(file, h5::Overwrite::no);
        const std::vector<double> reals(16, 1.0);
        out.root().write_array<double>("reals", reals, {4, 4});
        out.root().write_array<double>("cube", reals, {2, 2, 4});
        auto values = ramp<double>(16);
        values[5] = {std::nan(""), 0.0};
        out.root().write_complex<double>("nan_field", values, 4, 4);
        out.commit();
    }
    const h5::InputFile in(file);
    CHECK_THROWS_AS(in.open_dataset("reals").read_complex_2d<double>(), InputError);
    CHECK_THROWS_AS(in.open_dataset("cube").read_real_2d<double>(), InputError);
    CHECK_THROWS_AS(in.open_dataset("reals").read_real_2d<double>(h5::ReadLimits{3, 100}), InputError);
    CHECK_THROWS_AS(in.open_dataset("reals").read_real_2d<double>(h5::ReadLimits{100, 15}), InputError);
    CHECK(in.open_dataset("reals").read_real_2d<double>(h5::ReadLimits{4, 16}).values.size() == 16);
    CHECK_THROWS_WITH(in.open_dataset("nan_field").read_complex_2d<double>(), Catch::Contains("non-finite value at [1, 1]"));
}

TEST_CASE("opening a missing or non-HDF5 file is an InputError naming it", "[unit]") {
    TempDir dir;
    CHECK_THROWS_WITH(h5::InputFile(dir.path / "missing.h5"), Catch::Contains("missing.h5") && Catch::Contains("does not exist"));
    const fs::path text = dir.path / "text.h5";
    std::ofstream(text) << "not hdf5\n";
    CHECK_THROWS_WITH(h5::InputFile(text), Catch::Contains("text.h5") && Catch::Contains("not an HDF5 file"));
}

TEST_CASE("an output file appears only on commit and never clobbers a good file", "[unit]") {
    TempDir dir;
    const fs::path file = dir.path / "result.h5";

    SECTION("destroyed without commit: no file, no temporary left") {
        {
            h5::OutputFile out(file, h5::Overwrite::no);
            out.root().set_attribute("x", 1.0);
            CHECK_FALSE(fs::exists(out.temp_path()));  // built in memory until commit
            CHECK_FALSE(fs::exists(file));
        }
        CHECK_FALSE(fs::exists(file));
        CHECK(fs::is_empty(dir.path));
    }

    SECTION("an existing file survives an uncommitted overwrite, byte for byte") {
        {
            h5::OutputFile good(file, h5::Overwrite::no);
            good.root().set_attribute("version", "good");
            good.commit();
        }
        const std::string before = read_text(file);
        {
            h5::OutputFile bad(file, h5::Overwrite::yes);
            bad.root().set_attribute("version", "half-written");
            const std::vector<double> big(1000, 3.0);
            bad.root().write_array<double>("data", big, {1000});
            // an exception here would unwind without commit
        }
        CHECK(read_text(file) == before);
        CHECK(h5::InputFile(file).root().attribute_string("version") == "good");
        CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
    }

    SECTION("overwrite only when asked") {
        { h5::OutputFile(file, h5::Overwrite::no).commit(); }
        CHECK_THROWS_AS(h5::OutputFile(file, h5::Overwrite::no), InputError);
        {
            h5::OutputFile again(file, h5::Overwrite::yes);
            again.root().set_attribute("version", "new");
            again.commit();
        }
        CHECK(h5::InputFile(file).root().attribute_string("version") == "new");
    }

    SECTION("a write the system refuses at commit is an InputError with the reason; the good file stays") {
        {
            h5::OutputFile good(file, h5::Overwrite::no);
            good.root().set_attribute("version", "good");
            good.commit();
        }
        const std::string before = read_text(file);
        // A file-size limit fails write(2) as a full disk does, without needing one.
        struct rlimit old_limit {};
        REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
        const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = old_limit;
        limit.rlim_cur = 4096;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
        std::string message;
        try {
            h5::OutputFile big(file, h5::Overwrite::yes);
            const std::vector<double> data(100000, 1.0);
            big.root().write_array<double>("data", data, {data.size()});
            big.commit();
        } catch (const InputError& e) {
            message = e.what();
        }
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
        std::signal(SIGXFSZ, old_handler);
        CHECK_THAT(message, Catch::Contains("result.h5") && Catch::Contains("File too large"));
        CHECK(read_text(file) == before);
        CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
    }

    SECTION("a missing folder is an InputError naming it") {
        CHECK_THROWS_WITH(h5::OutputFile(dir.path / "no" / "such.h5", h5::Overwrite::no), Catch::Contains("does not exist"));
    }
}
