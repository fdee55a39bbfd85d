#pragma once
// `accel config`: print the effective configuration as TOML (or, with --reference, every
// key with its unit, range, default and source as Markdown); `accel presets`: list presets.

#include <CLI/CLI.hpp>

#include "accel/sim/cli/app.hpp"

namespace accel::sim::cli {

void add_config(CLI::App& app, const Invocation& invocation);
void add_presets(CLI::App& app, const Invocation& invocation);

}  // namespace accel::sim::cli
