#include "accel/models/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cassert>
#include <stdexcept>

#include "accel/core/random_stream.hpp"
#include "accel/datasets/augment.hpp"
#include "accel/datasets/distortion.hpp"
#include "accel/models/parallel_internal.hpp"

namespace accel::models {
namespace {

using clock_type = std::chrono::steady_clock;

int argmax(std::span<const double> v) { return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin()); }

// The boundary check of every entry point that indexes by label (the loss's logits, the
// confusion matrix): the run layer reports bad labels as input errors before this is reached,
// so a label beyond the model's outputs here is a caller's bug.
void require_labels_within(const datasets::Dataset& data, const Model& model) {
    if (const auto bad = datasets::first_label_beyond(data, model.classes()))
        throw std::invalid_argument("trainer: label " + std::to_string(bad->label) + " at index " + std::to_string(bad->source_index) + " of " +
                                    data.name + " is beyond the " + std::to_string(model.classes()) + " classes of the " + model.architecture() +
                                    " model");
}

int phase_layers(const Model& model) {
    int n = 0;
    for (const auto& b : model.blocks())
        if (b.name.rfind("phase_", 0) == 0) ++n;
    return n;
}

// The conditions of one training step: a new chip per step if asked, and a random
// misalignment of every mask drawn from the step's own stream.
Conditions step_conditions(const TrainSettings& settings, int layers, std::uint32_t step) {
    Conditions cond = settings.conditions;
    if (settings.new_chip_per_step) cond.chip = step + 1;
    if (settings.max_shift_px > 0 || settings.max_rotation_rad > 0.0) {
        core::RandomStream rng(settings.seed, core::StreamKind::training, step, 1);
        cond.misalignment.assign(static_cast<std::size_t>(layers), {});
        for (auto& m : cond.misalignment) {
            const int span = 2 * settings.max_shift_px + 1;
            m.shift_x_px = static_cast<int>(rng.next_u32() % static_cast<std::uint32_t>(span)) - settings.max_shift_px;
            m.shift_y_px = static_cast<int>(rng.next_u32() % static_cast<std::uint32_t>(span)) - settings.max_shift_px;
            m.rotation_rad = settings.max_rotation_rad * (2.0 * rng.uniform() - 1.0);
        }
    }
    return cond;
}

// Image `index` as presented in frame `frame`: randomly shifted and distorted when the
// settings augment, into the thread's buffers.
std::span<const float> presented_image(const TrainSettings& settings, const datasets::Dataset& data, int index, std::uint32_t frame,
                                       std::vector<float>& shifted, std::vector<float>& distorted) {
    std::span<const float> image = data.image(index);
    if (settings.augment_shift_px > 0) {
        datasets::shift_image(image, data.rows, data.cols, datasets::random_shift(settings.seed, frame, settings.augment_shift_px), shifted);
        image = shifted;
    }
    if (settings.augment_distortion.active()) {
        datasets::distort_image(image, data.rows, data.cols,
                                datasets::random_distortion(settings.augment_distortion, settings.seed, frame, data.rows, data.cols),
                                distorted);
        image = distorted;
    }
    return image;
}

// A non-finite gradient would make every parameter NaN at this step and every checkpoint
// after it; stop with the reason instead, the last checkpoint intact.
void require_finite(std::span<const double> gradient, std::int64_t step, int epoch) {
    for (std::size_t i = 0; i < gradient.size(); ++i)
        if (!std::isfinite(gradient[i]))
            throw TrainingDiverged("training diverged: step " + std::to_string(step) + " (epoch " + std::to_string(epoch) +
                                   ") has a non-finite gradient (parameter " + std::to_string(i) +
                                   "); likely causes: a learning rate too high for this design (train.learning_rate), or "
                                   "a signal outside the simulation's numerical range (the light level, the distances or "
                                   "the number of layers)");
}

// Records a finished epoch and keeps the best parameters. Ties go to the later epoch: at
// equal validation accuracy the more trained parameters are kept (a small validation set
// saturates early).
void finish_epoch(TrainState& state, const EpochRecord& record, bool validated, int patience) {
    state.history.push_back(record);
    ++state.epochs_done;
    if (!validated || record.validation_accuracy >= state.best_validation_accuracy) {
        state.best_validation_accuracy = record.validation_accuracy;
        state.best_parameters = state.parameters;
        state.epochs_without_improvement = 0;
    } else if (++state.epochs_without_improvement >= patience && patience > 0) {
        state.stopped_early = true;
    }
}

}  // namespace

bool chips_share_optics(const Model& model, const Conditions& conditions) {
    return conditions.phase_error_rad == 0.0 &&
           std::all_of(conditions.misalignment.begin(), conditions.misalignment.end(),
                       [](const optics::PlaneMisalignment& m) { return m.is_identity(); }) &&
           model.optical_output_size() > 0;
}

Trainer::Trainer(Model& model, TrainSettings settings) : model_(model), settings_(std::move(settings)) {
    if (settings_.epochs < 0 || settings_.batch_size < 1 || settings_.chunk_images < 1 || settings_.threads < 1)
        throw std::invalid_argument("trainer: epochs ≥ 0, batch size, chunk size and threads ≥ 1 required");
    if (!(settings_.learning_rate > 0.0)) throw std::invalid_argument("trainer: learning rate must be > 0");
}

std::vector<std::unique_ptr<ModelWorkspace>>& Trainer::thread_workspaces() {
    if (workspaces_.empty())
        for (int t = 0; t < settings_.threads; ++t) workspaces_.push_back(model_.make_workspace());
    return workspaces_;
}

TrainState Trainer::initial_state() const {
    TrainState s;
    s.parameters = model_.initial_parameters(settings_.seed);
    s.best_parameters = s.parameters;
    return s;
}

void Trainer::train(const datasets::Dataset& data, std::span<const int> train_indices, std::span<const int> validation_indices,
                    TrainState& state, const std::function<void(const Progress&)>& progress,
                    const std::function<void(const TrainState&)>& epoch_done) {
    const int threads = settings_.threads;
    const std::size_t n_params = model_.parameter_count();
    if (state.parameters.size() != n_params) throw std::invalid_argument("trainer: state does not match the model");
    require_labels_within(data, model_);
    const int classes = model_.classes();
    const int chunk = settings_.chunk_images;
    const int max_chunks = (settings_.batch_size + chunk - 1) / chunk;
    auto& workspaces = thread_workspaces();
    std::vector<std::vector<double>> chunk_gradient(static_cast<std::size_t>(max_chunks), std::vector<double>(n_params));
    std::vector<double> gradient(n_params);
    std::vector<double> chunk_loss(static_cast<std::size_t>(max_chunks)), chunk_correct(static_cast<std::size_t>(max_chunks));
    std::vector<std::vector<double>> logits(static_cast<std::size_t>(threads), std::vector<double>(static_cast<std::size_t>(classes)));
    std::vector<std::vector<float>> shifted(static_cast<std::size_t>(threads), std::vector<float>(data.pixels_per_image()));
    std::vector<std::vector<float>> distorted(static_cast<std::size_t>(threads), std::vector<float>(data.pixels_per_image()));
    const int layers = phase_layers(model_);

    while (state.epochs_done < settings_.epochs && !state.stopped_early) {
        const int epoch = state.epochs_done;
        const auto start = clock_type::now();
        const std::vector<int> order =
            datasets::shuffled_order(static_cast<int>(train_indices.size()), settings_.seed, static_cast<std::uint32_t>(epoch));
        const double lr = settings_.learning_rate * std::pow(settings_.learning_rate_decay, epoch);
        double loss_sum = 0.0, correct = 0.0;
        std::size_t done = 0;
        for (std::size_t first = 0; first < order.size(); first += static_cast<std::size_t>(settings_.batch_size)) {
            const int batch = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(settings_.batch_size), order.size() - first));
            const int chunks = (batch + chunk - 1) / chunk;
            model_.prepare(state.parameters, step_conditions(settings_, layers, static_cast<std::uint32_t>(state.adam.steps)));
            parallel_for(chunks, threads, [&](int c, int thread) {
                auto& g = chunk_gradient[static_cast<std::size_t>(c)];
                std::fill(g.begin(), g.end(), 0.0);
                double l = 0.0, ok = 0.0;
                const int end = std::min(batch, (c + 1) * chunk);
                for (int j = c * chunk; j < end; ++j) {
                    const std::size_t position = first + static_cast<std::size_t>(j);
                    const int index = train_indices[static_cast<std::size_t>(order[position])];
                    const int label = data.labels[static_cast<std::size_t>(index)];
                    const FrameKey frame{static_cast<std::uint32_t>(static_cast<std::size_t>(epoch) * order.size() + position), true};
                    auto& z = logits[static_cast<std::size_t>(thread)];
                    const std::span<const float> image = presented_image(settings_, data, index, frame.frame, shifted[static_cast<std::size_t>(thread)],
                                                                         distorted[static_cast<std::size_t>(thread)]);
                    l += model_.loss(image, label, frame, *workspaces[static_cast<std::size_t>(thread)], z, g);
                    ok += argmax(z) == label ? 1.0 : 0.0;
                }
                chunk_loss[static_cast<std::size_t>(c)] = l;
                chunk_correct[static_cast<std::size_t>(c)] = ok;
            });
            std::fill(gradient.begin(), gradient.end(), 0.0);
            for (int c = 0; c < chunks; ++c) {
                const auto& g = chunk_gradient[static_cast<std::size_t>(c)];
                for (std::size_t i = 0; i < n_params; ++i) gradient[i] += g[i];
                loss_sum += chunk_loss[static_cast<std::size_t>(c)];
                correct += chunk_correct[static_cast<std::size_t>(c)];
            }
            for (double& g : gradient) g /= batch;  // mean loss over the batch
            require_finite(gradient, state.adam.steps + 1, epoch + 1);
            adam_step(state.parameters, gradient, lr, model_.blocks(), settings_.adam, state.adam);
            done += static_cast<std::size_t>(batch);
            if (progress) {
                const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
                progress({epoch + 1, settings_.epochs, done, order.size(), loss_sum / static_cast<double>(done),
                          correct / static_cast<double>(done), seconds > 0 ? static_cast<double>(done) / seconds : 0.0});
            }
        }
        EpochRecord record;
        record.train_loss = loss_sum / static_cast<double>(std::max<std::size_t>(done, 1));
        record.train_accuracy = correct / static_cast<double>(std::max<std::size_t>(done, 1));
        if (!validation_indices.empty()) {
            Conditions clean = settings_.conditions;
            clean.misalignment.clear();
            const EvalResult v = evaluate(data, validation_indices, state.parameters, clean, false);
            record.validation_loss = v.loss;
            record.validation_accuracy = v.accuracy;
        }
        record.seconds = std::chrono::duration<double>(clock_type::now() - start).count();
        finish_epoch(state, record, !validation_indices.empty(), settings_.early_stopping_patience);
        if (epoch_done) epoch_done(state);
    }
}

EvalResult Trainer::evaluate(const datasets::Dataset& data, std::span<const int> indices, std::span<const double> parameters,
                             const Conditions& conditions, bool hardware, const std::function<void(const Progress&)>& progress) {
    const int threads = settings_.threads;
    require_labels_within(data, model_);
    const int classes = model_.classes();
    model_.prepare(parameters, conditions);
    auto& workspaces = thread_workspaces();
    std::vector<double> losses(indices.size());
    std::vector<int> predicted(indices.size());
    std::vector<char> clipped(indices.size(), 0);
    std::vector<std::vector<double>> logits(static_cast<std::size_t>(threads), std::vector<double>(static_cast<std::size_t>(classes)));
    const int block = 256;  // images between progress reports
    const auto start = clock_type::now();
    for (std::size_t first = 0; first < indices.size(); first += block) {
        const int count = static_cast<int>(std::min<std::size_t>(block, indices.size() - first));
        parallel_for(count, threads, [&](int j, int thread) {
            const std::size_t i = first + static_cast<std::size_t>(j);
            const int index = indices[i];
            const FrameKey frame{static_cast<std::uint32_t>(index), false};
            auto& ws = *workspaces[static_cast<std::size_t>(thread)];
            auto& z = logits[static_cast<std::size_t>(thread)];
            if (hardware) {
                predicted[i] = model_.predict(data.image(index), frame, ws);
                clipped[i] = ws.clipped ? 1 : 0;
            } else {
                losses[i] = model_.loss(data.image(index), data.labels[static_cast<std::size_t>(index)], frame, ws, z, {});
                predicted[i] = argmax(z);
            }
        });
        if (progress) {
            const std::size_t done = first + static_cast<std::size_t>(count);
            const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
            progress({0, 0, done, indices.size(), 0.0, 0.0, seconds > 0 ? static_cast<double>(done) / seconds : 0.0});
        }
    }
    EvalResult r;
    r.images = indices.size();
    r.confusion.assign(static_cast<std::size_t>(classes * classes), 0);
    double loss = 0.0, correct = 0.0;
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const int label = data.labels[static_cast<std::size_t>(indices[i])];
        loss += losses[i];
        correct += predicted[i] == label ? 1.0 : 0.0;
        r.clipped_frames += clipped[i] != 0 ? 1u : 0u;
        assert(label >= 0 && label < classes);
        ++r.confusion[static_cast<std::size_t>(label * classes + predicted[i])];
    }
    r.loss = indices.empty() || hardware ? std::nan("") : loss / static_cast<double>(indices.size());
    r.gain_setting = model_.gain_setting();
    r.accuracy = indices.empty() ? 0.0 : correct / static_cast<double>(indices.size());
    return r;
}

std::vector<EvalResult> Trainer::evaluate_chips(const datasets::Dataset& data, std::span<const int> indices, std::span<const double> parameters,
                                                const Conditions& conditions, int chips, const std::function<void(const Progress&)>& progress) {
    if (chips < 1) throw std::invalid_argument("evaluate_chips: need at least one chip");
    std::vector<EvalResult> results;
    const bool shared_optics = chips_share_optics(model_, conditions);
    const auto chip_conditions = [&](int k) {
        Conditions c = conditions;
        c.chip = conditions.chip + static_cast<std::uint32_t>(k);
        return c;
    };
    if (!shared_optics) {
        for (int k = 0; k < chips; ++k) results.push_back(evaluate(data, indices, parameters, chip_conditions(k), true, progress));
        return results;
    }
    require_labels_within(data, model_);
    model_.prepare(parameters, chip_conditions(0));
    const std::vector<double> optical = optical_outputs(data, indices, progress);
    return evaluate_chips_from_optical(data, indices, parameters, conditions, chips, optical);
}

bool Trainer::chips_share_optical_stage(const Conditions& conditions) const { return chips_share_optics(model_, conditions); }

std::vector<EvalResult> Trainer::evaluate_chips_from_optical(const datasets::Dataset& data, std::span<const int> indices,
                                                             std::span<const double> parameters, const Conditions& conditions, int chips,
                                                             std::span<const double> optical) {
    if (chips < 1) throw std::invalid_argument("evaluate_chips_from_optical: need at least one chip");
    if (!chips_share_optics(model_, conditions)) throw std::invalid_argument("evaluate_chips_from_optical: these chips do not share the optics");
    require_labels_within(data, model_);
    std::vector<EvalResult> results;
    for (int k = 0; k < chips; ++k) {
        Conditions c = conditions;
        c.chip = conditions.chip + static_cast<std::uint32_t>(k);
        model_.prepare(parameters, c);
        results.push_back(evaluate_from_optical(data, indices, optical));
    }
    return results;
}

std::vector<double> Trainer::optical_outputs(const datasets::Dataset& data, std::span<const int> indices,
                                             const std::function<void(const Progress&)>& progress) {
    const std::size_t width = model_.optical_output_size();
    auto& workspaces = thread_workspaces();
    std::vector<double> optical(indices.size() * width);
    const auto start = clock_type::now();
    const int block = 256;
    for (std::size_t first = 0; first < indices.size(); first += block) {
        const int count = static_cast<int>(std::min<std::size_t>(block, indices.size() - first));
        parallel_for(count, settings_.threads, [&](int j, int thread) {
            const std::size_t i = first + static_cast<std::size_t>(j);
            model_.optical_output(data.image(indices[i]), *workspaces[static_cast<std::size_t>(thread)],
                                  std::span<double>(optical.data() + i * width, width));
        });
        if (progress) {
            const std::size_t done = first + static_cast<std::size_t>(count);
            const double seconds = std::chrono::duration<double>(clock_type::now() - start).count();
            progress({0, 0, done, indices.size(), 0.0, 0.0, seconds > 0 ? static_cast<double>(done) / seconds : 0.0});
        }
    }
    return optical;
}

EvalResult Trainer::evaluate_from_optical(const datasets::Dataset& data, std::span<const int> indices, std::span<const double> optical) {
    require_labels_within(data, model_);
    std::vector<int> labels(indices.size());
    for (std::size_t i = 0; i < indices.size(); ++i) labels[i] = data.labels[static_cast<std::size_t>(indices[i])];
    return evaluate_frames(optical, analog::FrameUnit::power_W, labels, indices);
}

EvalResult Trainer::evaluate_frames(std::span<const double> values, analog::FrameUnit unit, std::span<const int> labels,
                                    std::span<const int> frame_numbers) {
    const int classes = model_.classes();
    const std::size_t width = model_.optical_output_size();
    const std::size_t n = labels.size();
    if (values.size() != n * width || frame_numbers.size() != n)
        throw std::invalid_argument("evaluate_frames: values, labels and frame numbers do not describe the same frames");
    for (int label : labels)
        if (label < 0 || label >= classes) throw std::invalid_argument("evaluate_frames: label " + std::to_string(label) + " is beyond the model's classes");
    auto& workspaces = thread_workspaces();
    std::vector<int> predicted(n);
    std::vector<char> clipped(n, 0);
    parallel_for(static_cast<int>(n), settings_.threads, [&](int j, int thread) {
        const std::size_t i = static_cast<std::size_t>(j);
        const FrameKey frame{static_cast<std::uint32_t>(frame_numbers[i]), false};
        auto& ws = *workspaces[static_cast<std::size_t>(thread)];
        predicted[i] = model_.predict_from_optical(std::span<const double>(values.data() + i * width, width), unit, frame, ws);
        clipped[i] = ws.clipped ? 1 : 0;
    });
    EvalResult r;
    r.images = n;
    r.loss = std::nan("");
    r.gain_setting = model_.gain_setting();
    r.confusion.assign(static_cast<std::size_t>(classes * classes), 0);
    double correct = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const int label = labels[i];
        correct += predicted[i] == label ? 1.0 : 0.0;
        r.clipped_frames += clipped[i] != 0 ? 1u : 0u;
        ++r.confusion[static_cast<std::size_t>(label * classes + predicted[i])];
    }
    r.accuracy = n == 0 ? 0.0 : correct / static_cast<double>(n);
    return r;
}

}  // namespace accel::models
