// The commit a binary reports is the one its sources were at when it was built, not when
// CMake last configured: a rebuild after new commits must not record an older commit.

#include <catch2/catch.hpp>

#include <string>

#include "tests/support/cli_support.hpp"

using namespace accel::test;

TEST_CASE("accel --version and result files name the commit the binary was built from", "[cli]") {
    TempDir dir;
    const std::string source = ACCEL_SOURCE_DIR;
    const Run head = run_command(dir, "git -C '" + source + "' rev-parse --short=12 HEAD");
    if (head.exit_code != 0) {
        WARN("not a git checkout (" << head.err << "): the binary records 'unknown'");
        CHECK_THAT(run_accel(dir, "--version").out, Catch::Matchers::Contains("unknown"));
        return;
    }
    const std::string commit = head.out.substr(0, head.out.find('\n'));
    REQUIRE(commit.size() == 12);
    const Run version = run_accel(dir, "--version");
    REQUIRE(version.exit_code == 0);
    // "-dirty" follows when tracked files differ from the commit; the hash itself must match.
    CHECK_THAT(version.out, Catch::Matchers::Contains("(" + commit));
}
