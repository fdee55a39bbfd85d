// libFuzzer target: the configuration loader and the sweep-file loader on arbitrary text.
// The first byte picks which: even, the rest is a config document (as `-c FILE.toml`) run
// through every check a run makes before it starts; odd, the rest is a sweep file, loaded
// and expanded into its points. Rejection must be an InputError (exit code 2 at the command
// line); anything else that escapes, a crash or a sanitizer report is a bug.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "accel/core/errors.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/run/preflight.hpp"
#include "accel/sim/sweep/sweep_spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace accel::sim;
using accel::InputError;

void run_config(const Schema& schema, const std::string& text) {
    Config c = Config::defaults(schema);
    c.merge_toml(text, "fuzz input");
    const RunDescription run = describe_run(c);
    (void)preflight_checks(run);
    if (run.architecture != Architecture::d2nn) (void)energy_report(run);
    // An accepted configuration reads back to itself from its own TOML (result files store it so).
    Config back = Config::defaults(schema);
    back.merge_toml(c.to_toml(), "round trip");
    if (back.to_toml() != c.to_toml()) __builtin_trap();
}

void run_sweep_file(const Schema& schema, const std::uint8_t* data, std::size_t size) {
    const auto path = accel::fuzz::scratch_file("sweep.toml", data, size);
    const SweepSpec spec = load_sweep_spec(path, schema);
    const Config base = sweep_base_config(spec, schema);
    const auto points = expand_points(spec);
    // The first points are enough to exercise every axis; a million would only be slow.
    for (std::size_t k = 0; k < points.size() && k < 64; ++k) (void)point_config(base, points[k]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const Schema schema = accel_schema();
    try {
        if (data[0] % 2 == 0) run_config(schema, std::string(reinterpret_cast<const char*>(data + 1), size - 1));
        else run_sweep_file(schema, data + 1, size - 1);
    } catch (const InputError&) {
    } catch (const std::invalid_argument&) {  // a value the library rejects: exit code 2 too
    }
    return 0;
}
