// Stale temporaries: what a killed writer leaves beside its output is removed by the next
// writer, also when the killed process lingers as a zombie (killed with SIGKILL together with
// its parent, it waits for PID 1 to reap it, which in a container may never come, and
// kill(pid, 0) still finds it); a live writer's temporary is left alone.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "accel/sim/io/output_checks.hpp"
#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;

TEST_CASE("A zombie's temporary is stale; a live process's is not", "[unit][io]") {
    accel::test::TempDir dir;
    const fs::path result = dir / "run.h5";
    const pid_t zombie = ::fork();
    REQUIRE(zombie >= 0);
    if (zombie == 0) ::_exit(0);  // exits at once and is not reaped until the end of the test
    // Wait until it is a zombie (its exit may take a moment to show in /proc).
    for (int i = 0; i < 1000; ++i) {
        std::ifstream stat("/proc/" + std::to_string(zombie) + "/stat");
        std::string line;
        std::getline(stat, line);
        if (line.find(") Z ") != std::string::npos) break;
        ::usleep(1000);
    }
    const fs::path of_zombie = dir / ("run.h5.tmp-" + std::to_string(zombie));
    const fs::path of_parent = dir / ("run.h5.tmp-" + std::to_string(::getppid()));  // alive: the test's parent
    std::ofstream(of_zombie) << "partial";
    std::ofstream(of_parent) << "in progress";
    accel::sim::remove_stale_temporaries(result);
    CHECK_FALSE(fs::exists(of_zombie));
    CHECK(fs::exists(of_parent));
    int status = 0;
    ::waitpid(zombie, &status, 0);
}
