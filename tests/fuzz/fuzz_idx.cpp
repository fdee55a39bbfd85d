// libFuzzer target: the IDX reader (raw and gzip) on arbitrary bytes. A malformed file must
// end in DataError (exit code 2 at the command line); anything else that escapes, a crash,
// a sanitizer report or a huge allocation is a bug.

#include <cstddef>
#include <cstdint>

#include "accel/datasets/idx.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = accel::fuzz::scratch_file("input.idx", data, size);
    try {
        const accel::datasets::IdxArray a = accel::datasets::read_idx(path);
        // What the reader promises of a file it accepts.
        if (a.dims.empty() || a.data.size() != a.element_count()) __builtin_trap();
    } catch (const accel::datasets::DataError&) {
    }
    try {  // the same bytes as both images and labels: the pairing checks run on them
        (void)accel::datasets::load_images_and_labels(path, path);
    } catch (const accel::datasets::DataError&) {
    }
    return 0;
}
