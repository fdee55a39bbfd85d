#pragma once
// A seeded synthetic image set of simple procedural shapes: a stand-in for MNIST-like data in
// fast tests and demos, learnable by a linear classifier but not trivially (size, position,
// rotation, stroke width and brightness vary, and pixel noise is added).

#include <cstdint>

#include "accel/datasets/dataset.hpp"

namespace accel::datasets {

// Shapes in class order; make_synthetic(…, classes = k) uses the first k.
//   0 filled square, 1 ring, 2 horizontal bar, 3 cross (+), 4 filled triangle, 5 diagonal cross (×)
inline constexpr int synthetic_max_classes = 6;

// `count` images of size×size pixels with values in [0, 1], classes balanced (counts differ by
// at most one, labels in shuffled order). Image k depends only on (seed, k, its label, size),
// so the set is identical for a given seed on any machine. Throws std::invalid_argument for
// count < 0, classes outside 2..synthetic_max_classes or size outside 8..4096.
Dataset make_synthetic(int count, int classes, std::uint64_t seed, int size = 28);

}  // namespace accel::datasets
