#pragma once
// Every configuration key accel knows: type, default, range, unit (in the name) and the
// source of the default. docs/config.md is generated from this table (`accel config --reference`).

#include "accel/sim/config/config.hpp"

namespace accel::sim {

[[nodiscard]] Schema accel_schema();

}  // namespace accel::sim
