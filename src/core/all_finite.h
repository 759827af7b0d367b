#pragma once
/// Whether n floats are all finite, tested on their exponent bits (all ones: inf or NaN). Unlike a loop
/// of std::isfinite, this vectorises: the SVGD step's checks run over every particle and every
/// kernel-sum weight at each step (docs/results.md).
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace esvgd::core {

template <typename T>
bool all_finite(const T* v, int64_t n) {
  static_assert(std::is_floating_point_v<T> && (sizeof(T) == 4 || sizeof(T) == 8), "float or double");
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits exponent = sizeof(T) == 4 ? Bits(0x7f800000u) : Bits(0x7ff0000000000000ull);
  Bits any_all_ones = 0;
  for (int64_t i = 0; i < n; ++i) {
    Bits b;
    std::memcpy(&b, v + i, sizeof b);
    any_all_ones |= static_cast<Bits>((b & exponent) == exponent);
  }
  return any_all_ones == 0;
}

}  // namespace esvgd::core
