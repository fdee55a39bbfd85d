// Every `accel` command shown in README.md and docs/*.md runs as shown: the commands are read
// from the ```sh blocks and the indented code blocks (lines starting with `build/accel` or
// `accel`, backslash continuations joined), run in order in a scratch folder per block with
// `build/accel` replaced by the binary under test, and must exit with code 0. A command that
// takes long (training a full preset, long sweeps) is skipped only through the reviewed list
// below; a new command that is neither runnable nor listed fails the test.

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/cli_support.hpp"

namespace fs = std::filesystem;
using namespace accel::test;

namespace {

struct DocCommand {
    std::string file;  // relative to the source directory
    int line = 0;      // where the command starts
    int block = 0;     // code block within the file; commands of one block share a folder
    std::string text;  // continuations joined, comments kept (the shell drops them)
};

// Commands not run, each by a substring that identifies it and the reason.
struct Skip {
    std::string pattern;
    std::string reason;
};

const std::vector<Skip> long_running = {
    {"train --preset accel-2023", "trains the full accel-2023 preset on Fashion-MNIST or MNIST: tens of minutes on 2 cores"},
    {"train --preset d2nn-5layer", "trains the full five-layer D2NN: tens of minutes"},
    {"train --resume accel-mnist.h5", "continues the full accel-2023 MNIST run above"},
    {"train --resume d2nn-fashion.h5", "continues the full D2NN Fashion-MNIST run above"},
    {"eval accel-2023-fashion.h5", "evaluates the full accel-2023 run of docs/RESULTS.md"},
    {"eval accel-mnist-elastic", "evaluates the full accel-2023 MNIST runs of docs/RESULTS.md"},
    {"configs/sweeps/low-light-", "trains, then evaluates 19 light levels x 10 chips: hours"},
    {"eval results/accel-2023-mnist.h5", "evaluates the low-light study's accel-2023 MNIST model (trained 16 min) at several light levels: minutes"},
    {"eval released.h5", "evaluates the accel-2023-released run of docs/RESULTS.md (trained 15 min) per perturbation with adaptation: minutes"},
    {"eval results/accel-2023-fashion-10k.h5", "evaluates the low-light study's Fashion-MNIST model (trained 28 min) with adaptation: minutes"},
    {"configs/sweeps/robustness-", "evaluates or trains a full accel-2023 model per point: hours"},
    {"mpirun ", "an MPI launch of a placeholder sweep file (SWEEP.toml); MPI runs are tested in test_cli_sweep.cpp"},
    {"srun ", "a line of the SLURM job script scripts/sweep.sbatch, which runs only under sbatch"},
};

// Result files of long runs that later commands read: a small file of the same kind stands
// in, so the command still runs as shown.
const std::map<std::string, std::string> substitutes = {
    {"accel.h5", "train --preset synthetic-quick -q -o accel.h5"},                    // for the accel-2023 run
    {"low-light.h5", "sweep configs/sweeps/energy-mask-size.toml -q -o low-light.h5"},  // any sweep table
};

constexpr int command_timeout_s = 60;  // "finishes in seconds", with room for a slow day

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

bool is_accel_command(const std::string& t) { return t.rfind("build/accel ", 0) == 0 || t.rfind("accel ", 0) == 0; }

// Lines of code blocks that show a command for accel: runnable ones start with it, others
// (launchers) contain it.
bool mentions_accel(const std::string& t) { return is_accel_command(t) || t.find("build/accel ") != std::string::npos; }

std::vector<DocCommand> commands_in(const fs::path& path, const std::string& name) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::vector<DocCommand> out;
    bool fenced = false, shell = false, indented = false;
    int block = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& raw = lines[i];
        const std::string t = trim(raw);
        if (t.rfind("```", 0) == 0) {
            if (!fenced) {
                const std::string lang = trim(t.substr(3));
                shell = lang == "sh" || lang == "bash" || lang == "shell";
                ++block;
            }
            fenced = !fenced;
            indented = false;
            continue;
        }
        // An indented code block: lines indented by 4 or more after a blank line.
        const bool code_indent = !fenced && raw.rfind("    ", 0) == 0 && !t.empty();
        if (code_indent && !indented && (i == 0 || trim(lines[i - 1]).empty())) {
            indented = true;
            ++block;
        } else if (!fenced && !t.empty() && !code_indent) {
            indented = false;
        }
        if (!((fenced && shell) || (indented && code_indent))) continue;
        if (!mentions_accel(t)) continue;
        DocCommand c{name, static_cast<int>(i + 1), block, t};
        while (!c.text.empty() && c.text.back() == '\\' && i + 1 < lines.size()) {
            c.text.pop_back();
            c.text += " " + trim(lines[++i]);
        }
        out.push_back(c);
    }
    return out;
}

std::vector<DocCommand> shown_commands() {
    const fs::path source(ACCEL_SOURCE_DIR);
    std::vector<std::string> docs;
    for (const auto& e : fs::directory_iterator(source / "docs"))
        if (e.path().extension() == ".md") docs.push_back("docs/" + e.path().filename().string());
    std::sort(docs.begin(), docs.end());
    docs.insert(docs.begin(), "README.md");
    std::vector<DocCommand> all;
    for (const auto& d : docs)
        for (auto& c : commands_in(source / d, d)) all.push_back(std::move(c));
    return all;
}

const Skip* skip_for(const DocCommand& c) {
    for (const auto& s : long_running)
        if (c.text.find(s.pattern) != std::string::npos) return &s;
    return nullptr;
}

// The command as the shell runs it here: in `dir`, the binary under test instead of
// build/accel, under a time limit; on a line of its own inside a group, so that a trailing
// comment of the doc ends at the newline and run_command's redirections apply to it.
std::string runnable(const TempDir& dir, const std::string& text) {
    const std::string rest = text.rfind("build/accel ", 0) == 0 ? text.substr(12) : text.substr(6);
    return "cd '" + dir.path.string() + "' && {\ntimeout " + std::to_string(command_timeout_s) + " '" + std::string(ACCEL_CLI_PATH) +
           "' " + rest + "\n}";
}

bool names_file(const std::string& text, const std::string& file) {
    return std::regex_search(text, std::regex("(^|[ =])" + std::regex_replace(file, std::regex("\\."), "\\.") + "($| )"));
}

}  // namespace

TEST_CASE("docs: every accel command shown in README.md and docs/*.md runs as shown", "[cli][docs]") {
    const std::vector<DocCommand> commands = shown_commands();
    REQUIRE(commands.size() > 20);  // the parser found the blocks

    // Every skip entry still matches a command: the list stays the reviewed one.
    for (const auto& s : long_running) {
        INFO("skip entry '" << s.pattern << "' matches no command shown; remove it");
        CHECK(std::any_of(commands.begin(), commands.end(), [&](const DocCommand& c) { return c.text.find(s.pattern) != std::string::npos; }));
    }

    std::map<std::pair<std::string, int>, std::unique_ptr<TempDir>> folders;
    int ran = 0;
    for (const auto& c : commands) {
        const std::string where = c.file + ":" + std::to_string(c.line);
        if (skip_for(c)) continue;
        if (!is_accel_command(c.text)) {
            FAIL_CHECK(where << ": '" << c.text << "' is not an accel command line; list it in long_running with a reason");
            continue;
        }
        auto& dir = folders[{c.file, c.block}];
        if (!dir) {
            dir = std::make_unique<TempDir>("accel-doc");
            fs::create_directory_symlink(fs::path(ACCEL_SOURCE_DIR) / "configs", dir->path / "configs");
        }
        for (const auto& [file, make] : substitutes)
            if (names_file(c.text, file) && !fs::exists(dir->path / file)) {
                const Run made = run_command(*dir, runnable(*dir, "accel " + make));
                INFO(where << ": making the stand-in " << file << ": " << made.err);
                REQUIRE(made.exit_code == 0);
            }
        const Run r = run_command(*dir, runnable(*dir, c.text));
        INFO(where << ": " << c.text << "\nstderr: " << r.err);
        if (r.exit_code == 124) FAIL_CHECK("takes longer than " << command_timeout_s << " s: list it in long_running with a reason");
        CHECK(r.exit_code == 0);
        ++ran;
    }
    CHECK(ran > 10);
}
