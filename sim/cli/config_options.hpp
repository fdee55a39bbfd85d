#pragma once
// The configuration options every config-driven subcommand takes:
//   --preset NAME, -c FILE.toml, --set section.key=value (repeatable), --dry-run.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "accel/sim/config/config.hpp"

namespace accel::sim::cli {

struct ConfigOptions {
    std::string preset;
    std::string file;
    std::vector<std::string> overrides;
    bool dry_run = false;
};

void add_config_options(CLI::App* sub, ConfigOptions& o);

// Builds the effective configuration; InputError naming the preset, file or key at fault.
[[nodiscard]] Config load_config(const Schema& schema, const ConfigOptions& o);

}  // namespace accel::sim::cli
