#pragma once
// Numbers as text, for messages and for files a person reads. Two forms, each written here
// once:
// - shortest_text: the shortest decimal that reads back to the very same double
//   (std::to_chars): "0.03", "1e-08", "5399.999999999999", "inf", "-nan". For a value the
//   reader may copy back into a configuration, where a rounded one would be another value.
// - general_text: printf's "%.<digits>g" (6 significant digits unless told; trailing zeros
//   dropped, an exponent only for very large or small values): "8e-06", "0.0532", "1.23457e+09".
//   For a measured or derived quantity in a message, where digits beyond these are noise;
//   significant_digits is taken in [1, 17].
// Both ignore the locale: the decimal point is always '.'.

#include <string>

namespace accel::core {

[[nodiscard]] std::string shortest_text(double value);
[[nodiscard]] std::string general_text(double value, int significant_digits = 6);

}  // namespace accel::core
