#pragma once
// Every configuration key accel knows: type, default, range, unit (in the name) and the
// source of the default. docs/config.md is generated from this table (`accel config --reference`).

#include "accel/sim/config/config.hpp"

namespace accel::sim {

[[nodiscard]] Schema accel_schema();

// Whether `accel eval` may change `key` of a trained model's configuration: the evaluation's
// own keys (eval.*) and the electronics of the chip, which leave the trained parameters as
// they are (photodiode.*, chip.*, and eac.* but the outputs and the weight alphabet): the
// same masks and weights evaluated with, say, offset calibration or another line capacitance.
[[nodiscard]] bool evaluation_may_change(std::string_view key);

}  // namespace accel::sim
