#include "accel/sim/cli/energy.hpp"

#include <cstdio>
#include <iostream>
#include <memory>

#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/provenance.hpp"
#include "accel/sim/io/results.hpp"

namespace accel::sim::cli {
namespace {

void print_report(const analog::EnergyReport& r, const RunDescription& run) {
    std::printf("%s\n", r.design.c_str());
    std::printf("  %-30s %14s %9s\n", "component", "energy/frame", "share");
    for (const auto& comp : r.components) {
        if (comp.systemic) std::printf("  %-30s %11.4g pJ %8.2f%%\n", comp.name.c_str(), comp.energy_J * 1e12, 100.0 * r.share(comp));
        else std::printf("  %-30s %11.4g pJ %9s\n", comp.name.c_str(), comp.energy_J * 1e12, "excluded");
    }
    std::printf("  %-30s %11.4g pJ %8.2f%%\n", "total (systemic)", r.energy_per_frame_J() * 1e12, 100.0);
    std::printf("  optical source: %.4g pJ per frame (%.4g photons at %.4g nm), %s the systemic total\n",
                run.light.frame_energy_J * 1e12, run.light.photons_per_frame, run.optics.stage.wavelength_m * 1e9,
                r.optical_source_in_systemic ? "included in" : "not included in");
    std::printf("\n");
    std::printf("  ops per frame      %.6g (optical %.6g + electronic %.6g; 2 ops per multiply-add)\n", r.total_ops(),
                r.optical_ops, r.electronic_ops);
    std::printf("  latency            %.6g ns per frame\n", r.latency_s * 1e9);
    std::printf("  frames per second  %.6g\n", r.frames_per_s());
    std::printf("  throughput         %.4g POPS (PFLOPS-equivalent)\n", r.ops_per_s() * 1e-15);
    std::printf("  efficiency         %.4g POPS/W (systemic)\n", r.ops_per_J() * 1e-15);
    std::printf("  energy per frame   %.4g nJ (systemic)\n", r.energy_per_frame_J() * 1e9);
}

}  // namespace

void run_energy(const EnergyOptions& o, const Invocation& invocation) {
    const Schema schema = accel_schema();
    const Config config = load_config(schema, o.config);
    if (o.config.dry_run) {
        std::cout << config.to_toml();
        return;
    }
    if (!o.output_path.empty()) {
        std::vector<RunInput> inputs;
        if (!o.config.file.empty()) inputs.push_back({o.config.file, "the config file (-c)"});
        check_output_path(o.output_path, o.force, "--output", inputs);
    }
    const analog::EnergyReport report = energy_report(config);  // checks the architecture first
    print_report(report, describe_run(config));
    if (o.output_path.empty()) return;
    h5::OutputFile file(o.output_path, o.force ? h5::Overwrite::yes : h5::Overwrite::no);
    write_provenance(file.root(), make_provenance(invocation.command_line, config.to_toml(), 0, 1));
    write_energy(file.root(), report);
    file.commit();
    std::printf("  wrote %s\n", o.output_path.c_str());
}

void add_energy(CLI::App& app, const Invocation& invocation) {
    auto opt = std::make_shared<EnergyOptions>();
    CLI::App* sub = app.add_subcommand("energy", "Energy per frame, latency, POPS and POPS/W of a design");
    add_config_options(sub, opt->config);
    sub->add_option("-o,--output", opt->output_path, "Write the report under /energy of this HDF5 file");
    sub->add_flag("--force", opt->force, "Overwrite an existing output file");
    sub->callback([opt, invocation] { run_energy(*opt, invocation); });
}

}  // namespace accel::sim::cli
