#pragma once
// Pieces shared by the subcommands of the `accel` command line: the top-level app set-up,
// the one-line diagnostics format, validators and common option checks. Each subcommand
// lives in its own file (propagate.hpp, ...) with its options struct and an
// `add_<name>(CLI::App&, const Invocation&)` that registers it.

#include <string>
#include <vector>
#include <string_view>

#include <CLI/CLI.hpp>

#include "accel/sim/io/output_checks.hpp"

namespace accel::sim::cli {

// What a subcommand needs to know about how the process was invoked.
struct Invocation {
    std::string command_line;  // shell-quoted argv, recorded in the provenance block
};

// Name, description, --version, and "exactly one subcommand".
void configure_app(CLI::App& app);

// Prints `accel: error: <message>` (newlines folded, so it stays one line) on stderr and
// returns `exit_code` for main to return.
int report_error(std::string_view message, int exit_code);
// `accel: warning: <message>` on stderr.
void print_warning(std::string_view message);

// Validators whose failures read "--opt: must be ..., got VALUE".
CLI::Validator finite_positive(const std::string& unit);  // finite and > 0
CLI::Validator finite_number(const std::string& unit);    // finite

// InputError unless `path` may be written by the option `option`: its folder exists and can
// take a new file, it is not a folder, and it does not exist unless `force` (the --force flag)
// is set. Checked before any computation, so a run never ends unable to save its result.
void check_output_path(const std::string& path, bool force, std::string_view option);

// A file a run reads, with its role in messages ("the config file (-c)").
struct RunInput {
    std::string path;
    std::string role;
};
// check_output_path, and InputError if `path` is one of the run's `inputs`: no output may
// replace an input, with or without --force. Paths are compared normalised and absolute, and
// as files (links and other spellings of one file are one file).
void check_output_path(const std::string& path, bool force, std::string_view option, const std::vector<RunInput>& inputs);
void check_not_an_input(const std::string& path, std::string_view option, const std::vector<RunInput>& inputs);
using accel::sim::same_file;

// --threads: 0 means the OpenMP default (OMP_NUM_THREADS, else all cores).
int resolve_threads(int requested);

}  // namespace accel::sim::cli
