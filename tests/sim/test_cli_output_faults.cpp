// Where results go wrong without bad input: an output folder that takes no files, and a disk
// that fills up while a result is written. Both are exit code 2 with one line naming the file
// and the reason; the first is found before any computation, and neither loses a result that
// was already on disk.

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/sim/io/model_io.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace accel::test;

namespace {

const std::string small = "--preset synthetic-quick --set data.synthetic_train=400 --set data.synthetic_test=200 --set train.epochs=1 "
                          "--set eval.chips=2 -q ";
const std::string light_sweep = R"([sweep]
preset = "synthetic-quick"
set = ["data.synthetic_train = 300", "data.synthetic_test = 100", "train.epochs = 1"]
run = "eval"
chips = 2

[[axis]]
key = "light.energy_density_fJ_per_um2"
values = [0.01, 1.0]
)";

std::string quoted(const std::string& p) { return "'" + p + "'"; }

bool can_create_file_in(const fs::path& folder) {
    const fs::path probe = folder / "accel-test-probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return false;
    ::close(fd);
    ::unlink(probe.c_str());
    return true;
}

// A folder this process cannot create files in: a read-only folder of its own where the
// permission bits bind it; for root, who ignores them, sysfs, which takes no new files.
fs::path unwritable_folder(const TempDir& dir) {
    const fs::path ro = dir.path / "read-only";
    fs::create_directory(ro);
    fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
    if (!can_create_file_in(ro)) return ro;
    fs::permissions(ro, fs::perms::owner_all);
    return "/sys";
}

// `accel ARGS` allowed files of at most `bytes` (RLIMIT_FSIZE): writing past it fails with
// EFBIG, as a full disk fails with ENOSPC, through the same checked write.
Run run_accel_with_file_limit(const TempDir& dir, std::size_t bytes, const std::string& args) {
    return run_command(dir, "trap '' XFSZ; prlimit --fsize=" + std::to_string(bytes) + " '" + ACCEL_CLI_PATH + "' " + args);
}

void check_no_temporaries(const TempDir& dir) {
    for (const auto& e : fs::directory_iterator(dir.path)) CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

}  // namespace

TEST_CASE("an output folder that takes no files is reported before any computation", "[cli]") {
    TempDir dir("accel-cli-faults");
    const fs::path ro = unwritable_folder(dir);
    REQUIRE_FALSE(can_create_file_in(ro));
    const std::string folder = ro.string();
    const auto out = [&](const std::string& name) { return quoted((ro / name).string()); };

    // train would otherwise find out after its first epoch.
    const Run t = run_accel(dir, "train " + small + "-o " + out("run.h5"));
    expect_bad_input(t, {"--output", "cannot write in folder", folder});
    CHECK(t.out.empty());
    write_text(dir / "light.toml", light_sweep);
    expect_bad_input(run_accel(dir, "sweep " + quoted(dir / "light.toml") + " -o " + out("s.h5")), {"--output", folder});
    expect_bad_input(run_accel(dir, "energy --preset accel-2023 -o " + out("e.h5")), {"--output", folder});
    expect_bad_input(run_accel(dir, "propagate --source gaussian --n 16 --distance 1e-4 -o " + out("p.h5")), {"--output", folder});
    expect_bad_input(run_accel(dir, "propagate --source gaussian --n 16 --distance 1e-4 -o " + quoted(dir / "p.h5") + " --png " + out("p.png")),
                     {"--png", folder});
    CHECK_FALSE(fs::exists(dir / "p.h5"));
    REQUIRE(run_accel(dir, "train " + small + "-o " + quoted(dir / "model.h5")).exit_code == 0);
    expect_bad_input(run_accel(dir, "eval " + quoted(dir / "model.h5") + " -o " + out("e.h5")), {"--output", folder});
}

TEST_CASE("a disk that fills while a result is written: exit 2 with the reason, earlier results intact", "[cli]") {
    TempDir dir("accel-cli-faults");
    const std::string model = dir / "model.h5";
    REQUIRE(run_accel(dir, "train " + small + "-o " + quoted(model)).exit_code == 0);
    const std::string before = read_text(model);
    REQUIRE(before.size() > 65536);

    SECTION("train replacing an existing result") {
        const Run r = run_accel_with_file_limit(dir, 65536, "train " + small + "--set design.seed=2 --force -o " + quoted(model));
        expect_bad_input(r, {"model.h5", "File too large"});
    }
    SECTION("eval adding its report to the model file") {
        const Run r = run_accel_with_file_limit(dir, 65536, "eval -q " + quoted(model) + " --chips 2");
        expect_bad_input(r, {"model.h5", "File too large"});
    }
    SECTION("sweep") {
        write_text(dir / "light.toml", light_sweep);
        const Run r = run_accel_with_file_limit(dir, 8192, "sweep -q " + quoted(dir / "light.toml") + " -o " + quoted(dir / "s.h5"));
        expect_bad_input(r, {"s.h5", "File too large"});
        CHECK_FALSE(fs::exists(dir / "s.h5"));
    }
    CHECK(read_text(model) == before);
    check_no_temporaries(dir);
}

TEST_CASE("a PNG the disk refuses is bad input naming the file", "[unit]") {
    TempDir dir("accel-png-faults");
    const fs::path png = dir.path / "phase.png";
    std::vector<double> phase(64 * 64);
    for (std::size_t i = 0; i < phase.size(); ++i) phase[i] = 0.001 * static_cast<double>(i % 6283);
    struct rlimit old_limit {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = old_limit;
    limit.rlim_cur = 100;  // bytes: less than any PNG of 64×64 pixels
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
    std::string message;
    try {
        accel::sim::write_phase_png(png, phase, 64);
    } catch (const accel::InputError& e) {
        message = e.what();
    }
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
    std::signal(SIGXFSZ, old_handler);
    CHECK_THAT(message, Contains("phase.png"));
    CHECK(fs::is_empty(dir.path));  // no partial image or temporary left
}
