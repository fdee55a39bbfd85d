#include "accel/sim/io/results.hpp"

namespace accel::sim {

void write_energy(h5::Group& root, const analog::EnergyReport& r) {
    h5::Group g = root.create_group("energy");
    g.set_attribute("design", r.design);
    g.set_attribute("optical_ops_per_frame", r.optical_ops);
    g.set_attribute("electronic_ops_per_frame", r.electronic_ops);
    g.set_attribute("total_ops_per_frame", r.total_ops());
    g.set_attribute("ops_convention", "optical: 2·N_in·N_pd (equivalent dense map, multiply and add); electronic: 2·N_pd·N_out");
    g.set_attribute("latency_s", r.latency_s);
    g.set_attribute("frames_per_s", r.frames_per_s());
    g.set_attribute("energy_per_frame_J", r.energy_per_frame_J());
    g.set_attribute("throughput_POPS", r.ops_per_s() * 1e-15);
    g.set_attribute("efficiency_POPS_per_W", r.ops_per_J() * 1e-15);
    g.set_attribute("optical_source_in_systemic", r.optical_source_in_systemic);
    h5::Group components = g.create_group("components");
    for (const auto& c : r.components) {
        h5::Group cg = components.create_group(c.name);
        cg.set_attribute("energy_J", c.energy_J);
        cg.set_attribute("systemic", c.systemic);
        cg.set_attribute("share_of_systemic", r.share(c));
        cg.set_attribute("formula", c.formula);
    }
}

}  // namespace accel::sim
