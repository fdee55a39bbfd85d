// Workload benchmarks: the d2nn-5layer inference and training of the PyTorch peer
// (../shared/peers/torch_d2nn.py), the analog stage of accel-2023 for a batch, and ACCEL's
// adaptive training of one accel-2023 chip against one optical pass over its frames.
//
//   build/accel_bench --benchmark_filter='D2nn|AnalogStage|Adaptation' --benchmark_repetitions=5
//
// The d2nn workload is the peer's: five 200×200 phase masks at 36 µm, 532 nm, 0.3 m between
// planes, padded to 400×400, and — as the peer does — the input propagated 0.3 m to the first
// mask, so six propagations per image forward (the `d2nn-5layer` preset writes the image on
// the first mask; the benchmark adds optics.input_distance_mm = 300 to match the peer).
// Inputs are random 200×200 images in [0, 1] like the peer's torch.rand; batch 32. Inference
// computes the logits and the argmax of every image; a training step computes the loss, the
// full backward pass through all five masks and the logit scale, and one Adam update.
// The argument of each benchmark is the thread count.

#include <benchmark/benchmark.h>

#include <omp.h>

#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "accel/datasets/dataset.hpp"
#include "accel/models/adaptation.hpp"
#include "accel/models/trainer.hpp"
#include "accel/sim/config/config.hpp"
#include "accel/sim/config/run_description.hpp"
#include "accel/sim/config/schema.hpp"
#include "accel/sim/run/conditions.hpp"
#include "accel/sim/run/model_construction.hpp"

namespace {

using namespace accel;

constexpr int batch = 32;

datasets::Dataset random_images(int count, int side, int classes) {
    datasets::Dataset d;
    d.rows = d.cols = side;
    d.classes = classes;
    d.name = "random";
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    d.pixels.resize(static_cast<std::size_t>(count) * d.pixels_per_image());
    for (auto& p : d.pixels) p = u(rng);
    for (int i = 0; i < count; ++i) d.labels.push_back(static_cast<std::uint8_t>(rng() % static_cast<unsigned>(classes)));
    return d;
}

// A Config keeps a pointer to its schema, which must outlive it.
const sim::Schema& schema() {
    static const sim::Schema s = sim::accel_schema();
    return s;
}

// A preset with overrides, a model built from it, and `count` random images of `side` px.
struct Workload {
    sim::Config config;
    sim::RunDescription run;
    optics::PropagationCache<float> cache;
    datasets::Dataset images;
    std::unique_ptr<models::Model> model;
    std::vector<int> indices;

    Workload(const std::string& preset, std::vector<std::string> overrides, int side, int count)
        : config(sim::Config::load(schema(), {preset, std::nullopt, std::move(overrides)})),
          run(sim::describe_run(config)),
          images(random_images(count, side, 10)),
          model(sim::make_model(run, cache, images)),
          indices(static_cast<std::size_t>(count)) {
        std::iota(indices.begin(), indices.end(), 0);
    }
};

std::vector<std::string> d2nn_overrides(int threads) {
    return {"optics.input_distance_mm = 300.0", "train.threads = " + std::to_string(threads), "train.batch_size = 32",
            "train.learning_rate = 0.05", "train.learning_rate_decay = 1.0"};
}

void BM_D2nnInference(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    Workload w("d2nn-5layer", d2nn_overrides(threads), 200, batch);
    models::Trainer trainer(*w.model, w.run.training.settings);
    const auto parameters = w.model->initial_parameters(1);
    const auto clean = sim::conditions_for(w.run, sim::Purpose::noise_free);
    for (auto _ : state) {
        const auto result = trainer.evaluate(w.images, w.indices, parameters, clean, false);
        benchmark::DoNotOptimize(result.accuracy);
    }
    state.SetItemsProcessed(state.iterations() * batch);
}

// Steps per timed call: the trainer sets up its per-thread workspaces once per call (once per
// epoch in a real run), so the call covers several steps, as an epoch does.
constexpr int steps_per_call = 8;

void BM_D2nnTrainStep(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    Workload w("d2nn-5layer", d2nn_overrides(threads), 200, batch * steps_per_call);
    auto settings = w.run.training.settings;
    settings.epochs = 1;
    models::Trainer trainer(*w.model, settings);
    auto state0 = trainer.initial_state();
    for (auto _ : state) {
        state0.epochs_done = 0;
        state0.history.clear();
        trainer.train(w.images, w.indices, {}, state0, {}, {});
        benchmark::DoNotOptimize(state0.parameters.data());
    }
    state.SetItemsProcessed(state.iterations() * batch * steps_per_call);
}

// The electronics of accel-2023 for a batch: 1,024 photodiode charges with shot, dark,
// thermal and reset noise and chip mismatch at 0.14 fJ/µm², the EAC lines and the comparator
// read-out, from stored photodiode powers (the optics are not part of this benchmark).
void BM_AnalogStageBatch(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    Workload w("accel-2023", {"train.threads = " + std::to_string(threads)}, 28, batch);
    const auto parameters = w.model->initial_parameters(1);
    w.model->prepare(parameters, sim::conditions_for(w.run, sim::Purpose::noise_free));
    const std::size_t width = w.model->optical_output_size();
    std::vector<double> optical(batch * width);
    auto ws = w.model->make_workspace();
    for (int i = 0; i < batch; ++i)
        w.model->optical_output(w.images.image(i), *ws, std::span<double>(optical.data() + static_cast<std::size_t>(i) * width, width));
    w.model->prepare(parameters, sim::conditions_for(w.run, sim::Purpose::chip_test, sim::first_evaluation_chip));
    std::vector<std::unique_ptr<models::ModelWorkspace>> workspaces;
    for (int t = 0; t < threads; ++t) workspaces.push_back(w.model->make_workspace());
    std::vector<int> predicted(batch);
    std::uint32_t frame = 0;
    for (auto _ : state) {
#pragma omp parallel for num_threads(threads) schedule(static)
        for (int i = 0; i < batch; ++i) {
            predicted[static_cast<std::size_t>(i)] = w.model->predict_from_optical(
                std::span<const double>(optical.data() + static_cast<std::size_t>(i) * width, width), analog::FrameUnit::power_W,
                models::FrameKey{frame + static_cast<std::uint32_t>(i), false}, *workspaces[static_cast<std::size_t>(omp_get_thread_num())]);
        }
        frame += batch;
        benchmark::DoNotOptimize(predicted.data());
    }
    state.SetItemsProcessed(state.iterations() * batch);
}

// ACCEL's adaptive training of one chip (models/adaptation.hpp) on accel-2023: the chip's optics
// run once per frame (BM_AdaptationOpticalPass: the noise-free optical outputs of the frames,
// at 1,024 photodiodes) and the read-out is retrained on them for 20 epochs
// (BM_AdaptationEpochs20: noise drawn per presentation, forward, backward, Adam). Both costs
// are per frame (the minibatch is fixed at 32), so adapting on 9,000 frames costs
// 9,000 × (optical + epochs) per-frame times; the item rate of each gives them.
constexpr int adaptation_frames = 9 * batch;

std::vector<std::string> adaptation_overrides(int threads) { return {"train.threads = " + std::to_string(threads)}; }

void BM_AdaptationOpticalPass(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    Workload w("accel-2023", adaptation_overrides(threads), 28, adaptation_frames);
    models::Trainer trainer(*w.model, w.run.training.settings);
    w.model->prepare(w.model->initial_parameters(1), sim::conditions_for(w.run, sim::Purpose::noise_free));
    for (auto _ : state) {
        const std::vector<double> optical = trainer.optical_outputs(w.images, w.indices);
        benchmark::DoNotOptimize(optical.data());
    }
    state.SetItemsProcessed(state.iterations() * adaptation_frames);
}

void BM_AdaptationEpochs20(benchmark::State& state) {
    const int threads = static_cast<int>(state.range(0));
    Workload w("accel-2023", adaptation_overrides(threads), 28, adaptation_frames);
    models::Trainer trainer(*w.model, w.run.training.settings);
    const auto parameters = w.model->initial_parameters(1);
    w.model->prepare(parameters, sim::conditions_for(w.run, sim::Purpose::chip_test, sim::first_evaluation_chip));
    const std::vector<double> optical = trainer.optical_outputs(w.images, w.indices);
    models::ChipFrames frames{w.model->optical_output_size(), std::vector<double>(optical.size()), {}};
    w.model->signal_electrons(optical, frames.signal_e);
    frames.labels.assign(w.images.labels.begin(), w.images.labels.end());
    models::AdaptationSettings settings = w.run.evaluation.adaptation;
    settings.epochs = 20;
    for (auto _ : state) {
        const std::vector<double> adapted = models::adapt_readout(*w.model, parameters, frames, settings);
        benchmark::DoNotOptimize(adapted.data());
    }
    state.SetItemsProcessed(state.iterations() * adaptation_frames);
}

}  // namespace

BENCHMARK(BM_D2nnInference)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_D2nnTrainStep)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AnalogStageBatch)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_AdaptationOpticalPass)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AdaptationEpochs20)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
