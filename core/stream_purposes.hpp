#pragma once
// The one registry of random-stream purposes. A training stream (StreamKind::training) says
// what it is for in its chip word: each purpose below owns one tag, and the tags are checked
// unique at compile time, so that two purposes can never draw the same numbers. The values
// are those every result so far was computed with; a new purpose gets a new, unused tag.
//
// Tags below `first_purpose_tag` are not purposes but indices, used by streams that number
// their chip word themselves: the parameter initialisation of a model (chip word 0, frame 0),
// the trainer's per-step stream (chip word = step, frame 1). Every tag is at or above it, so
// no step number reaches one. The chip, frame and fabrication streams are keyed by their own
// kind and number chips and frames (sim's first evaluation chip is 2^31).

#include <array>
#include <cstdint>
#include <string_view>

#include "accel/core/random_stream.hpp"

namespace accel::core {

enum class StreamPurpose : std::uint32_t {
    data_split = 0xDA7A5011u,         // training / validation split of the training set
    data_epoch_order = 0xDA7A0E90u,   // the order of the training images in each epoch
    data_train_subset = 0xDA7A5B5Eu,  // which data.train_images of the training split are used
    augmentation = 0xDA7A5A1Fu,       // random shifts and flips of a training presentation
    distortion = 0x0D15707Eu,         // random distortions of a training presentation
    synthetic_image = 0xDA7A5E01u,    // the shapes of the synthetic data set
    synthetic_label = 0xDA7A5E02u,    // the labels of the synthetic data set
};

inline constexpr std::uint32_t first_purpose_tag = 0x0100'0000u;

inline constexpr std::array all_stream_purposes{
    StreamPurpose::data_split,  StreamPurpose::data_epoch_order, StreamPurpose::data_train_subset, StreamPurpose::augmentation,
    StreamPurpose::distortion, StreamPurpose::synthetic_image,  StreamPurpose::synthetic_label,
};

[[nodiscard]] constexpr std::uint32_t tag_of(StreamPurpose p) { return static_cast<std::uint32_t>(p); }

[[nodiscard]] constexpr bool stream_purposes_are_valid() {
    for (std::size_t i = 0; i < all_stream_purposes.size(); ++i) {
        if (tag_of(all_stream_purposes[i]) < first_purpose_tag) return false;
        for (std::size_t j = i + 1; j < all_stream_purposes.size(); ++j)
            if (tag_of(all_stream_purposes[i]) == tag_of(all_stream_purposes[j])) return false;
    }
    return true;
}
static_assert(stream_purposes_are_valid(), "every stream purpose needs its own tag, at or above first_purpose_tag");

// The training stream of a purpose; `index` numbers its uses (an epoch, a presentation, an image).
[[nodiscard]] inline RandomStream purpose_stream(std::uint64_t seed, StreamPurpose purpose, std::uint32_t index) {
    return RandomStream(seed, StreamKind::training, tag_of(purpose), index);
}

}  // namespace accel::core
