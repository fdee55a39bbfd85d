#include "accel/sim/cli/config_options.hpp"

namespace accel::sim::cli {

void add_config_options(CLI::App* sub, ConfigOptions& o) {
    sub->add_option("--preset", o.preset, "Start from a preset (see `accel presets`)");
    sub->add_option("-c,--config", o.file, "TOML file applied over the preset");
    sub->add_option("--set", o.overrides, "Override one key: section.key=value (repeatable, applied last)")->take_all();
    sub->add_flag("--dry-run", o.dry_run, "Print the effective configuration as TOML and stop");
}

Config load_config(const Schema& schema, const ConfigOptions& o) {
    ConfigSources sources;
    if (!o.preset.empty()) sources.preset = o.preset;
    if (!o.file.empty()) sources.file = o.file;
    sources.overrides = o.overrides;
    return Config::load(schema, sources);
}

}  // namespace accel::sim::cli
