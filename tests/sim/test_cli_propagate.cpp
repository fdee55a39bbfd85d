// `accel propagate` end to end: the real binary, its files and its exit codes.

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <complex>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "accel/sim/io/hdf5_file.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel::sim;

using namespace accel::test;

namespace {

// Runs `accel <args>` with stdout and stderr captured to files in `dir`.
// A small grid and a beam well inside it: w0 = 12 µm on a 64 × 2 µm window, z_R ≈ 0.85 mm.
const std::string small_gaussian = "propagate --source gaussian --n 64 --pitch 2e-6 --wavelength 532e-9 --waist 12e-6 ";

// A field file with a chosen /field; attributes only where asked.
void write_field_file(const std::string& path, const std::vector<std::complex<double>>& values, std::size_t rows,
                      std::size_t cols, bool with_pitch = true) {
    h5::OutputFile out(path, h5::Overwrite::yes);
    auto ds = out.root().write_complex<double>("field", values, rows, cols);
    if (with_pitch) ds.set_attribute("pitch_m", 2e-6);
    ds.set_attribute("wavelength_m", 532e-9);
    out.commit();
}

std::vector<std::complex<double>> smooth_field(std::size_t n) {
    std::vector<std::complex<double>> v(n * n);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
            const double x = static_cast<double>(c) - 0.5 * static_cast<double>(n - 1);
            const double y = static_cast<double>(r) - 0.5 * static_cast<double>(n - 1);
            v[r * n + c] = std::exp(-(x * x + y * y) / 40.0);
        }
    return v;
}

double sampled_power_W(const h5::Dataset& field) {
    const double pitch = field.attribute_double("pitch_m");
    double sum = 0.0;
    for (const auto& u : field.read_complex_2d<double>().values) sum += std::norm(u);
    return sum * pitch * pitch;
}

}  // namespace

TEST_CASE("propagate: a Gaussian beam gives a readable result with units, provenance and conserved power", "[cli]") {
    TempDir dir;
    const Run r = run_accel(dir, small_gaussian + "--distance 5e-4 --power 2e-3 -o '" + dir / "out.h5" + "'");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("power out") != std::string::npos);

    const h5::InputFile file(dir / "out.h5");
    const auto& root = file.root();
    const h5::Dataset field = file.open_dataset("/field");
    CHECK(field.shape() == std::vector<std::size_t>{64, 64});
    CHECK(field.attribute_double("pitch_m") == 2e-6);
    CHECK(field.attribute_double("wavelength_m") == 532e-9);
    CHECK(field.attribute_double("distance_m") == 5e-4);
    CHECK(field.attribute_string("unit") == "sqrt(W)/m");
    const h5::Dataset input = file.open_dataset("/input_field");
    CHECK(input.shape() == std::vector<std::size_t>{64, 64});
    CHECK(input.attribute_double("pitch_m") == 2e-6);

    CHECK(root.attribute_int64("padding_px") == 32);
    CHECK(root.attribute_int64("band_limit") == 1);
    CHECK(root.attribute_double("power_in_W") == Approx(2e-3).epsilon(1e-12));
    for (const char* key : {"accel_version", "git_commit", "command_line", "config_toml", "fftw_version", "hdf5_version"})
        CHECK_FALSE(root.attribute_string(key).empty());
    CHECK(root.attribute_string("created_utc").back() == 'Z');
    CHECK(root.attribute_string("command_line").find("--distance 5e-4") != std::string::npos);
    CHECK(root.attribute_int64("threads") >= 1);

    // Energy conservation for a beam far from the window edges (reason: no light is lost).
    CHECK(std::abs(sampled_power_W(field) / 2e-3 - 1.0) < 1e-3);
    CHECK(std::abs(root.attribute_double("power_out_W") / 2e-3 - 1.0) < 1e-3);
}

TEST_CASE("propagate: --input reads a previous output, and z then z equals 2z", "[cli]") {
    TempDir dir;
    REQUIRE(run_accel(dir, small_gaussian + "--distance 4e-4 -q -o '" + dir / "a.h5" + "'").exit_code == 0);
    REQUIRE(run_accel(dir, small_gaussian + "--distance 8e-4 -q -o '" + dir / "direct.h5" + "'").exit_code == 0);
    const Run r = run_accel(dir, "propagate --input '" + dir / "a.h5" + "' --distance 4e-4 -q -o '" + dir / "b.h5" + "'");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.empty());  // --quiet

    const auto twice = h5::InputFile(dir / "b.h5").open_dataset("field").read_complex_2d<double>();
    const auto direct = h5::InputFile(dir / "direct.h5").open_dataset("field").read_complex_2d<double>();
    REQUIRE(twice.values.size() == direct.values.size());
    double peak = 0.0, worst = 0.0;
    for (std::size_t k = 0; k < direct.values.size(); ++k) {
        peak = std::max(peak, std::abs(direct.values[k]));
        worst = std::max(worst, std::abs(twice.values[k] - direct.values[k]));
    }
    // Propagators compose; the band limits of z and 2z differ only far out in the spectrum.
    CHECK(worst <= 1e-6 * peak);
}

TEST_CASE("propagate: --png writes a PNG of the output intensity", "[cli]") {
    TempDir dir;
    const Run r = run_accel(dir, "propagate --source aperture --side 40e-6 --tilt-x 0.01 --n 64 --distance 2e-4 --precision float -q -o '" +
                                 dir / "out.h5" + "' --png '" + dir / "out.png" + "'");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string png = read_text(dir / "out.png");
    REQUIRE(png.size() > 8);
    CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    CHECK(h5::InputFile(dir / "out.h5").root().attribute_string("precision") == "float");
}

TEST_CASE("propagate: bad input files exit with code 2 and one line naming the culprit", "[cli]") {
    TempDir dir;
    const std::string out = " --distance 1e-3 -o '" + dir / "out.h5" + "'";
    const auto with_input = [&](const std::string& file) { return run_accel(dir, "propagate --input '" + file + "'" + out); };

    SECTION("missing file") { expect_bad_input(with_input(dir / "missing.h5"), {"missing.h5"}); }
    SECTION("not an HDF5 file") {
        std::ofstream(dir / "text.h5") << "hello\n";
        expect_bad_input(with_input(dir / "text.h5"), {"text.h5"});
    }
    SECTION("no /field dataset") {
        {
            h5::OutputFile f(dir / "empty.h5", h5::Overwrite::no);
            f.root().set_attribute("x", 1.0);
            f.commit();
        }
        expect_bad_input(with_input(dir / "empty.h5"), {"/field"});
    }
    SECTION("/field of real numbers") {
        {
            h5::OutputFile f(dir / "real.h5", h5::Overwrite::no);
            const std::vector<double> reals(64 * 64, 1.0);
            auto ds = f.root().write_array<double>("field", reals, {64, 64});
            ds.set_attribute("pitch_m", 2e-6);
            ds.set_attribute("wavelength_m", 532e-9);
            f.commit();
        }
        expect_bad_input(with_input(dir / "real.h5"), {"/field"});
    }
    SECTION("non-square /field") {
        write_field_file(dir / "rect.h5", std::vector<std::complex<double>>(64 * 32, 1.0), 64, 32);
        expect_bad_input(with_input(dir / "rect.h5"), {"64x32"});
    }
    SECTION("missing pitch_m") {
        write_field_file(dir / "nopitch.h5", smooth_field(64), 64, 64, false);
        expect_bad_input(with_input(dir / "nopitch.h5"), {"pitch_m"});
    }
    SECTION("non-finite sample") {
        auto values = smooth_field(64);
        values[3 * 64 + 7] = {0.0, std::numeric_limits<double>::infinity()};
        write_field_file(dir / "inf.h5", values, 64, 64);
        expect_bad_input(with_input(dir / "inf.h5"), {"non-finite value at [3, 7]"});
    }
    SECTION("mask of the wrong size") {
        {
            h5::OutputFile f(dir / "mask.h5", h5::Overwrite::no);
            const std::vector<double> phase(32 * 32, 0.5);
            f.root().write_array<double>("phase_rad", phase, {32, 32});
            f.commit();
        }
        expect_bad_input(run_accel(dir, small_gaussian + "--mask '" + dir / "mask.h5" + "'" + out), {"/phase_rad"});
    }
    CHECK_FALSE(fs::exists(dir / "out.h5"));
}

TEST_CASE("propagate: bad arguments exit with code 2 and one line naming the option", "[cli]") {
    TempDir dir;
    const std::string out = " -o '" + dir / "out.h5" + "'";
    SECTION("zero distance") { expect_bad_input(run_accel(dir, small_gaussian + "--distance 0" + out), {"--distance"}); }
    SECTION("negative distance") { expect_bad_input(run_accel(dir, small_gaussian + "--distance -1e-3" + out), {"--distance"}); }
    SECTION("NaN distance") { expect_bad_input(run_accel(dir, small_gaussian + "--distance nan" + out), {"--distance"}); }
    SECTION("missing distance") { expect_bad_input(run_accel(dir, small_gaussian + out), {"--distance"}); }
    SECTION("unknown option") { expect_bad_input(run_accel(dir, small_gaussian + "--distance 1e-3 --bogus 3" + out), {"--bogus"}); }
    SECTION("option of the other source") {
        expect_bad_input(run_accel(dir, small_gaussian + "--side 1e-4 --distance 1e-3" + out), {"--side"});
    }
    SECTION("no source") { expect_bad_input(run_accel(dir, "propagate --distance 1e-3" + out), {"--source"}); }
    SECTION("aperture tilt beyond the grid's Nyquist angle") {
        expect_bad_input(run_accel(dir, "propagate --source aperture --n 64 --side 40e-6 --tilt-x 0.5 --distance 1e-3" + out), {"tilt_x_rad"});
    }
    CHECK_FALSE(fs::exists(dir / "out.h5"));
}

TEST_CASE("propagate: an existing output is kept unless --force", "[cli]") {
    TempDir dir;
    const std::string target = dir / "out.h5";
    REQUIRE(run_accel(dir, small_gaussian + "--distance 1e-4 -q -o '" + target + "'").exit_code == 0);
    const std::string before = read_text(target);

    expect_bad_input(run_accel(dir, small_gaussian + "--distance 2e-4 -q -o '" + target + "'"), {"--force"});
    CHECK(read_text(target) == before);

    REQUIRE(run_accel(dir, small_gaussian + "--distance 2e-4 -q --force -o '" + target + "'").exit_code == 0);
    CHECK(h5::InputFile(target).open_dataset("field").attribute_double("distance_m") == 2e-4);
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 3);  // out.h5, stdout, stderr
}

TEST_CASE("propagate: a sampling error stops the run with code 2 unless allowed", "[cli]") {
    TempDir dir;
    // Without the band limit, H's phase aliases on a fine grid over a long distance.
    const std::string args = "propagate --source gaussian --n 64 --pitch 1e-6 --waist 8e-6 --no-band-limit --distance 0.05 -q";
    expect_bad_input(run_accel(dir, args + " -o '" + dir / "out.h5" + "'"), {"--allow-sampling-errors"});
    CHECK_FALSE(fs::exists(dir / "out.h5"));

    const Run allowed = run_accel(dir, args + " --allow-sampling-errors -o '" + dir / "out.h5" + "'");
    CHECK(allowed.exit_code == 0);
    CHECK(allowed.err.find("accel: warning: ") == 0);
    CHECK(fs::exists(dir / "out.h5"));
}

TEST_CASE("propagate: --mask multiplies the input by exp(i*phase) before propagating", "[cli]") {
    TempDir dir;
    {
        h5::OutputFile f(dir / "mask.h5", h5::Overwrite::no);
        const std::vector<double> phase(64 * 64, 3.141592653589793);  // a constant π flips the sign
        f.root().write_array<double>("phase_rad", phase, {64, 64}).set_unit("rad");
        f.commit();
    }
    REQUIRE(run_accel(dir, small_gaussian + "--distance 3e-4 -q -o '" + dir / "plain.h5" + "'").exit_code == 0);
    const Run r = run_accel(dir, small_gaussian + "--distance 3e-4 -q --mask '" + dir / "mask.h5" + "' -o '" +
                                     dir / "masked.h5" + "'");
    INFO("stderr: " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto plain = h5::InputFile(dir / "plain.h5").open_dataset("field").read_complex_2d<double>();
    const auto masked = h5::InputFile(dir / "masked.h5").open_dataset("field").read_complex_2d<double>();
    double peak = 0.0, worst = 0.0;
    for (std::size_t k = 0; k < plain.values.size(); ++k) {
        peak = std::max(peak, std::abs(plain.values[k]));
        worst = std::max(worst, std::abs(masked.values[k] + plain.values[k]));
    }
    CHECK(worst <= 1e-12 * peak);  // exact up to rounding: the same transform of −u
}

TEST_CASE("propagate: --pad 0 warns about light that wraps round the padded window", "[cli]") {
    TempDir dir;
    // A 100 µm aperture tilted by 0.1 rad towards +x on 128 px at 2 µm: over 1 mm it walks
    // 100 µm, so its right fifth leaves the 256 µm window; without padding that part re-enters
    // from the left (estimated 22 %), with the default n/2 it leaves into the padding.
    const std::string args = "propagate --source aperture --n 128 --pitch 2e-6 --side 100e-6 --tilt-x 0.1 --distance 1e-3 -q";
    const Run unpadded = run_accel(dir, args + " --pad 0 -o '" + dir / "wrapped.h5" + "'");
    INFO("stderr: " << unpadded.err);
    CHECK(unpadded.exit_code == 0);
    CHECK_THAT(unpadded.err, Catch::Matchers::Contains("accel: warning: wrap_around: an estimated "));
    CHECK_THAT(unpadded.err, Catch::Matchers::Contains("pad to ≥ "));
    CHECK(fs::exists(dir / "wrapped.h5"));

    const Run padded = run_accel(dir, args + " -o '" + dir / "padded.h5" + "'");
    CHECK(padded.exit_code == 0);
    CHECK(padded.err.find("wrap_around") == std::string::npos);
}
