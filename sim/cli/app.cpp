#include "accel/sim/cli/app.hpp"

#include <cmath>
#include <filesystem>
#include <iostream>

#include <omp.h>

#include "accel/core/errors.hpp"
#include "accel/sim/io/output_checks.hpp"
#include "accel_version.hpp"

namespace accel::sim::cli {

void configure_app(CLI::App& app) {
    app.name("accel");
    app.description("accel: simulator of photonic-analog vision accelerators (ACCEL-style optics + analog compute)");
    app.set_version_flag("--version", std::string(accel::version) + " (" + accel::git_commit + ")");
    app.require_subcommand(1);
}

namespace {
std::string one_line(std::string_view message) {
    std::string line(message);
    for (char& c : line)
        if (c == '\n' || c == '\r') c = ' ';
    return line;
}
}  // namespace

int report_error(std::string_view message, int exit_code) {
    std::cerr << "accel: error: " << one_line(message) << '\n';
    return exit_code;
}

void print_warning(std::string_view message) { std::cerr << "accel: warning: " << one_line(message) << '\n'; }

namespace {
// strtod accepts "nan" and "inf"; the checks below reject them with a clear message.
bool parse_double(const std::string& text, double& value) {
    char* end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return !text.empty() && end == text.c_str() + text.size();
}
}  // namespace

CLI::Validator finite_positive(const std::string& unit) {
    return CLI::Validator(
        [unit](std::string& text) -> std::string {
            double v = 0;
            if (!parse_double(text, v) || !std::isfinite(v) || !(v > 0))
                return "must be a finite number > 0 (" + unit + "), got '" + text + "'";
            return {};
        },
        "FINITE>0 (" + unit + ")");
}

CLI::Validator finite_number(const std::string& unit) {
    return CLI::Validator(
        [unit](std::string& text) -> std::string {
            double v = 0;
            if (!parse_double(text, v) || !std::isfinite(v))
                return "must be a finite number (" + unit + "), got '" + text + "'";
            return {};
        },
        "FINITE (" + unit + ")");
}

void check_output_path(const std::string& path, bool force, std::string_view option) {
    namespace fs = std::filesystem;
    const fs::path p(path);
    const std::string opt(option);
    if (path.empty() || !p.has_filename()) throw InputError(opt + ": '" + path + "' does not name a file");
    std::error_code ec;
    const fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    if (!fs::is_directory(folder, ec))
        throw InputError(opt + ": folder '" + folder.string() + "' of '" + path + "' does not exist");
    if (fs::is_directory(p, ec)) throw InputError(opt + ": '" + path + "' is a folder");
    if (!force && fs::exists(p, ec))
        throw InputError(opt + ": '" + path + "' already exists; use --force to overwrite it");
    check_folder_writable(path, option);
}

void check_not_an_input(const std::string& path, std::string_view option, const std::vector<RunInput>& inputs) {
    for (const auto& input : inputs)
        if (same_file(path, input.path))
            throw InputError(std::string(option) + ": '" + path + "' is " + input.role + " of this run; an output never replaces one of its inputs, " +
                             "not even with --force");
}

void check_output_path(const std::string& path, bool force, std::string_view option, const std::vector<RunInput>& inputs) {
    check_not_an_input(path, option, inputs);
    check_output_path(path, force, option);
}

int resolve_threads(int requested) { return requested > 0 ? requested : omp_get_max_threads(); }

}  // namespace accel::sim::cli
