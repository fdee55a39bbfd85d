#pragma once
// Physical constants, SI. Source: CODATA 2018 (exact by the 2019 SI definitions; NIST,
// physics.nist.gov/constants).

namespace accel::core::constants {

inline constexpr double elementary_charge_C = 1.602176634e-19;  // q, exact
inline constexpr double planck_J_s = 6.62607015e-34;            // h, exact
inline constexpr double speed_of_light_m_s = 299792458.0;       // c, exact
inline constexpr double boltzmann_J_K = 1.380649e-23;           // k_B, exact

// h·c, the numerator of every photon energy (evaluated at compile time, so that h·c/λ written
// with it rounds exactly as h * c / λ written out).
inline constexpr double planck_times_speed_of_light_J_m = planck_J_s * speed_of_light_m_s;

}  // namespace accel::core::constants

namespace accel::core {

// Energy of one photon of vacuum wavelength λ: E = h·c/λ (J).
[[nodiscard]] constexpr double photon_energy_J(double wavelength_m) {
    return constants::planck_times_speed_of_light_J_m / wavelength_m;
}

}  // namespace accel::core
