#pragma once
// What the command-line tests share: a scratch folder removed afterwards, running the real
// `accel` binary with its output captured, and the check that bad input gets exit code 2
// with one line on stderr naming the culprit.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace accel::test {

namespace fs = std::filesystem;

// A fresh folder under the system's temporary directory, removed with everything in it.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& prefix = "accel-test") {
        static int counter = 0;  // distinct folders within one test process
        path = fs::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// The bytes of a file (empty if it cannot be read).
inline std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

struct Run {
    int exit_code = -1;
    std::string out;
    std::string err;
    [[nodiscard]] std::vector<std::string> err_lines() const {
        std::vector<std::string> lines;
        std::istringstream in(err);
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        return lines;
    }
};

// Runs a shell command line with stdout and stderr captured in files of `dir`.
inline Run run_command(const TempDir& dir, const std::string& command) {
    const std::string out = dir / "stdout.txt", err = dir / "stderr.txt";
    const int status = std::system((command + " >'" + out + "' 2>'" + err + "'").c_str());
    Run r;
    r.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    r.out = read_text(out);
    r.err = read_text(err);
    return r;
}

// `accel ARGS` (ARGS already shell-quoted where needed).
inline Run run_accel(const TempDir& dir, const std::string& args) {
    return run_command(dir, std::string("'") + ACCEL_CLI_PATH + "' " + args);
}

inline void expect_bad_input(const Run& r, const std::vector<std::string>& culprits) {
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 2);
    const auto lines = r.err_lines();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("accel: error: ", 0) == 0);
    for (const auto& c : culprits) CHECK_THAT(lines[0], Catch::Matchers::Contains(c));
}

}  // namespace accel::test
