#pragma once
// Physical constants, SI. Source: CODATA 2018 (exact by the 2019 SI definitions).

namespace accel::analog::constants {

inline constexpr double elementary_charge_C = 1.602176634e-19;  // q, exact
inline constexpr double planck_J_s = 6.62607015e-34;            // h, exact
inline constexpr double speed_of_light_m_s = 299792458.0;       // c, exact
inline constexpr double boltzmann_J_K = 1.380649e-23;           // k_B, exact

}  // namespace accel::analog::constants
