#include "accel/models/adaptation.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "accel/datasets/dataset.hpp"
#include "accel/models/parallel_internal.hpp"

namespace accel::models {
namespace {

// The read-out's blocks: every block after the masks' ("phase_…"), which the skeleton puts
// first. Their parameters are one contiguous tail of the vector.
std::vector<ParameterBlock> readout_blocks(const Model& model) {
    std::vector<ParameterBlock> blocks;
    for (const auto& b : model.blocks())
        if (b.name.rfind("phase_", 0) != 0) blocks.push_back(b);
    return blocks;
}

void check(const Model& model, std::span<const double> parameters, const ChipFrames& frames, const AdaptationSettings& s) {
    if (!model.adaptable_readout()) throw std::invalid_argument("adaptation: the " + model.architecture() + " model has no adaptable read-out");
    if (parameters.size() != model.parameter_count()) throw std::invalid_argument("adaptation: parameters do not match the model");
    if (frames.images() == 0) throw std::invalid_argument("adaptation: no frames to adapt on");
    if (frames.width != model.optical_output_size() || frames.signal_e.size() != frames.images() * frames.width)
        throw std::invalid_argument("adaptation: frames of " + std::to_string(frames.width) + " photodiodes for a design with " +
                                    std::to_string(model.optical_output_size()));
    for (double e : frames.signal_e)
        if (!(e >= 0.0) || !std::isfinite(e)) throw std::invalid_argument("adaptation: a frame holds a negative or non-finite charge");
    for (std::size_t i = 0; i < frames.images(); ++i)
        if (frames.labels[i] < 0 || frames.labels[i] >= model.classes())
            throw std::invalid_argument("adaptation: label " + std::to_string(frames.labels[i]) + " of frame " + std::to_string(i) +
                                        " is beyond the model's " + std::to_string(model.classes()) + " classes");
    if (s.epochs < 0 || s.batch_size < 1 || s.chunk_images < 1 || s.threads < 1 || !(s.learning_rate > 0.0))
        throw std::invalid_argument("adaptation: epochs ≥ 0, batch size, chunk size, threads ≥ 1 and a learning rate > 0 required");
}

}  // namespace

std::vector<double> adapt_readout(Model& model, std::span<const double> parameters, const ChipFrames& frames,
                                  const AdaptationSettings& s, AdaptationHistory* history) {
    check(model, parameters, frames, s);
    const std::vector<ParameterBlock> blocks = readout_blocks(model);
    const std::size_t tail = blocks.empty() ? parameters.size() : blocks.front().offset;
    const std::size_t n_params = parameters.size();
    const int chunk = s.chunk_images;
    const int max_chunks = (s.batch_size + chunk - 1) / chunk;
    const auto classes = static_cast<std::size_t>(model.classes());
    const auto n = static_cast<int>(frames.images());

    std::vector<double> p(parameters.begin(), parameters.end());
    AdamState adam;
    std::vector<std::unique_ptr<ModelWorkspace>> workspaces;
    for (int t = 0; t < s.threads; ++t) workspaces.push_back(model.make_workspace());
    // Gradients have the full length (the read-out writes at its blocks' offsets); only the
    // tail from `tail` on is ever non-zero, so only it is cleared and summed.
    std::vector<std::vector<double>> chunk_gradient(static_cast<std::size_t>(max_chunks), std::vector<double>(n_params, 0.0));
    std::vector<double> gradient(n_params, 0.0);
    std::vector<double> chunk_loss(static_cast<std::size_t>(max_chunks)), chunk_correct(static_cast<std::size_t>(max_chunks));
    std::vector<std::vector<double>> logits(static_cast<std::size_t>(s.threads), std::vector<double>(classes));

    for (int epoch = 0; epoch < s.epochs; ++epoch) {
        model.update_readout(p, true);
        const std::vector<int> order = datasets::shuffled_order(n, s.seed, static_cast<std::uint32_t>(epoch));
        const double lr = s.learning_rate * std::pow(s.learning_rate_decay, epoch);
        double loss_sum = 0.0, correct = 0.0;
        for (int first = 0; first < n; first += s.batch_size) {
            const int batch = std::min(s.batch_size, n - first);
            const int chunks = (batch + chunk - 1) / chunk;
            if (first > 0) model.update_readout(p, false);
            parallel_for(chunks, s.threads, [&](int c, int thread) {
                auto& g = chunk_gradient[static_cast<std::size_t>(c)];
                std::fill(g.begin() + static_cast<std::ptrdiff_t>(tail), g.end(), 0.0);
                auto& z = logits[static_cast<std::size_t>(thread)];
                double l = 0.0, ok = 0.0;
                for (int j = c * chunk; j < std::min(batch, (c + 1) * chunk); ++j) {
                    const int position = first + j;
                    const auto image = static_cast<std::size_t>(order[static_cast<std::size_t>(position)]);
                    const FrameKey frame{static_cast<std::uint32_t>(epoch * n + position), false, true};
                    const std::span<const double> signal(frames.signal_e.data() + image * frames.width, frames.width);
                    const int label = frames.labels[image];
                    l += model.readout_loss(signal, label, frame, *workspaces[static_cast<std::size_t>(thread)], z, g);
                    ok += std::max_element(z.begin(), z.end()) - z.begin() == label ? 1.0 : 0.0;
                }
                chunk_loss[static_cast<std::size_t>(c)] = l;
                chunk_correct[static_cast<std::size_t>(c)] = ok;
            });
            std::fill(gradient.begin() + static_cast<std::ptrdiff_t>(tail), gradient.end(), 0.0);
            for (int c = 0; c < chunks; ++c) {
                const auto& g = chunk_gradient[static_cast<std::size_t>(c)];
                for (std::size_t i = tail; i < n_params; ++i) gradient[i] += g[i];
                loss_sum += chunk_loss[static_cast<std::size_t>(c)];
                correct += chunk_correct[static_cast<std::size_t>(c)];
            }
            for (std::size_t i = tail; i < n_params; ++i) gradient[i] /= batch;
            for (std::size_t i = tail; i < n_params; ++i)
                if (!std::isfinite(gradient[i])) throw std::runtime_error("adaptation diverged: epoch " + std::to_string(epoch + 1) + " has a non-finite gradient");
            adam_step(p, gradient, lr, blocks, s.adam, adam);
        }
        if (history) {
            history->loss.push_back(loss_sum / n);
            history->accuracy.push_back(correct / n);
        }
    }
    model.update_readout(p, true);
    return p;
}

}  // namespace accel::models
