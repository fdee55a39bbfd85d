#include "accel/sim/run/preflight.hpp"

#include <unistd.h>

#include <complex>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/optics/sampling.hpp"

namespace accel::sim {
namespace {

double physical_memory_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

}  // namespace

std::vector<std::string> preflight_checks(const RunDescription& run) {
    std::vector<std::string> warnings;
    if (run.architecture == Architecture::digital) return warnings;
    std::vector<optics::SamplingFinding> findings;
    for (const optics::PropagationGeometry& g : run.optics.propagations()) {
        for (auto& f : optics::check_transfer_function(g)) findings.push_back(std::move(f));
        for (auto& f : optics::check_wrap_around(g)) findings.push_back(std::move(f));
    }
    if (run.architecture == Architecture::d2nn)
        for (auto& f : optics::check_detectors(run.optics.stage.grid, run.detector.class_regions)) findings.push_back(std::move(f));
    std::string errors;
    for (const auto& f : findings) {
        if (f.severity == optics::Severity::error) errors += (errors.empty() ? "" : "; ") + f.check + ": " + f.message;
        else warnings.push_back(f.check + ": " + f.message);
    }
    if (!errors.empty()) throw InputError("sampling check failed: " + errors + " (keys optics.*, d2nn.*)");
    return warnings;
}

double estimated_memory_bytes(const RunDescription& run) {
    const double threads = run.threads;
    if (run.architecture == Architecture::digital) {
        // Weights with gradient and both Adam moments, and one sensor image per thread.
        const double pixels = static_cast<double>(run.digital_energy.sensor_pixels);
        return 4.0 * 8.0 * pixels * static_cast<double>(run.classes) + threads * 4.0 * 8.0 * pixels;
    }
    const models::OpticalStageSpec& stage = run.optics.stage;
    const double n = static_cast<double>(stage.grid.n + 2 * stage.pad_px);
    const double plane = n * n * sizeof(std::complex<float>);
    const double mask = static_cast<double>(stage.grid.n) * static_cast<double>(stage.grid.n);
    const double layers = static_cast<double>(stage.distances_m.size()) + (stage.input_distance_m > 0.0 ? 1.0 : 0.0);
    // Each thread keeps the field before and after every mask for the backward pass plus FFT
    // scratch; the cache one transfer function per distance; the parameters, their gradient
    // and Adam moments in double.
    return threads * (2.0 * layers + 4.0) * plane + layers * plane + 4.0 * 8.0 * layers * mask;
}

void check_memory(const RunDescription& run) {
    const double needed = estimated_memory_bytes(run), available = physical_memory_bytes();
    if (available > 0.0 && needed > available) {
        throw InputError("this design needs at least " + core::general_text(needed / (1u << 30), 3) + " GiB, more than the " +
                         core::general_text(available / (1u << 30), 3) + " GiB of this machine's memory (keys optics.mask_pixels, "
                         "optics.padding_px, optics.distances_mm, digital.sensor_pixels, train.threads)");
    }
}

}  // namespace accel::sim
