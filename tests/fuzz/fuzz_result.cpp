// libFuzzer target: the readers of result files and checkpoints on arbitrary bytes. Each
// input is read as `accel inspect`, `accel eval`, `accel train --resume` and
// `accel sweep --resume` read a file: the listing, the stored configuration, the model
// parameters and training state (against the model that configuration builds, when it is
// small), and the sweep table. Rejection must be an InputError (exit code 2 at the command
// line); anything else that escapes, a crash or a sanitizer report is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <stdexcept>

#include "accel/core/errors.hpp"
#include "accel/datasets/dataset.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/sim/cli/inspect.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/model_io.hpp"
#include "accel/sim/run/model_construction.hpp"
#include "accel/sim/sweep/sweep_file.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

using namespace accel;
using namespace accel::sim;

// Models worth building per input: small masks and few layers (the seed corpus is of that kind).
bool small_enough(const Config& c) {
    return c.integer("optics.mask_pixels") <= 64 && c.integer("optics.padding_px") <= 64 && c.reals("optics.distances_mm").size() <= 4 &&
           c.integer("detector.rows") * c.integer("detector.cols") <= 256 && c.integer("digital.sensor_pixels") <= 4096;
}

// Building a model plans FFTs, far slower than reading a file: the models of the last few
// configurations are kept (mutated inputs mostly keep the seed's configuration).
struct ModelCache {
    optics::PropagationCache<float> propagation;
    std::map<std::string, std::unique_ptr<models::Model>> models;

    models::Model& model_for(const Config& c) {
        const std::string key = c.to_toml();
        auto it = models.find(key);
        if (it != models.end()) return *it->second;
        if (models.size() >= 8) models.clear();
        datasets::Dataset shape;
        shape.rows = shape.cols = 28;
        shape.classes = 2;
        return *models.emplace(key, make_model(describe_run(c), propagation, shape)).first->second;
    }
};

void read_as_run(const std::filesystem::path& path, const Schema& schema, ModelCache& cache) {
    const h5::InputFile in(path);
    const Config c = read_config(in.root(), schema);
    if (!small_enough(c)) return;
    models::Model& model = cache.model_for(c);
    (void)read_model_parameters(in.root(), model);
    (void)read_train_state(in.root(), model);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // The inspect listing goes nowhere: printing it for every input would only be slow.
    if (!std::freopen("/dev/null", "w", stdout)) return 1;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const Schema schema = accel_schema();
    static ModelCache cache;
    const auto path = accel::fuzz::scratch_file("result.h5", data, size);
    const auto tolerate = [](auto&& read) {
        try {
            read();
        } catch (const InputError&) {
        } catch (const std::invalid_argument&) {  // a value the library rejects: exit code 2 too
        }
    };
    tolerate([&] { cli::run_inspect({path.string()}); });
    tolerate([&] { read_as_run(path, schema, cache); });
    tolerate([&] { (void)read_sweep_file(path); });
    return 0;
}
