#include "accel/sim/run/conditions.hpp"

namespace accel::sim {

models::Conditions conditions_for(const RunDescription& run, Purpose purpose, std::uint32_t chip_index) {
    if (purpose == Purpose::training) return run.training.settings.conditions;
    models::Conditions k;
    k.frame_energy_J = run.light.frame_energy_J;
    k.seed = run.seed;
    k.quantise_phase = true;
    if (purpose == Purpose::noise_free) return k;
    const EvaluationDescription& e = run.evaluation;
    k.noise = e.noise;
    k.fixed_pattern = e.fixed_pattern;
    if (e.ideal_electronics) k.terms = analog::NoiseSwitches::photon_limit();
    k.chip = first_evaluation_chip + chip_index;
    k.phase_error_rad = e.phase_error_rad;
    const optics::PlaneMisalignment moved{e.shift_px, 0, e.rotation_rad};
    if (!moved.is_identity() && run.architecture != Architecture::digital)
        k.misalignment.assign(static_cast<std::size_t>(run.optics.layers()), moved);
    return k;
}

}  // namespace accel::sim
