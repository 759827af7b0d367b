#pragma once
/// What the hot loops share (kernel/kernel_sum.cpp, model/frozen_egnn.cpp): compilation for several
/// instruction sets with the choice made at load time, and an exponential that vectorises.
#include <cstdint>
#include <cstring>

// GCC function multi-versioning: a function marked ESVGD_SIMD_CLONES is compiled for AVX-512, AVX2
// and baseline x86-64, and the CPU picks one when the program loads.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ESVGD_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ESVGD_SIMD_CLONES
#endif
// Everything a clone calls must be inlined into it: a call out of the clone runs baseline code.
#define ESVGD_INLINE __attribute__((always_inline)) inline

namespace esvgd::simd {

template <typename T>
struct ExpConst;

template <>
struct ExpConst<double> {
  using Int = int64_t;
  static constexpr double kMin = -708.0;  // exp below this underflows to denormals: return 0
  static constexpr double kLog2e = 1.4426950408889634;
  static constexpr double kLn2Hi = 0.6931471803691238;
  static constexpr double kLn2Lo = 1.9082149292705877e-10;
  static constexpr int kMantissa = 52;
  static constexpr double kBias = 1023.0;
  static constexpr double kShifter = 4503599627370496.0;  // 2^52: n + bias lands in the low mantissa bits
  static constexpr double kRound = 6755399441055744.0;    // 1.5·2^52
};

template <>
struct ExpConst<float> {
  using Int = int32_t;
  static constexpr float kMin = -87.0f;
  static constexpr float kLog2e = 1.44269504f;
  static constexpr float kLn2Hi = 0.693359375f;
  static constexpr float kLn2Lo = -2.12194440e-4f;
  static constexpr int kMantissa = 23;
  static constexpr float kBias = 127.0f;
  static constexpr float kShifter = 8388608.0f;  // 2^23
  static constexpr float kRound = 12582912.0f;   // 1.5·2^23
};

/// exp(x), x ≤ 0: x = n ln2 + r with |r| ≤ ln2/2, e^r by a Taylor polynomial in Estrin's scheme (short
/// dependency chains), 2^n from the exponent bits. Branch-free bit tricks only, so that `omp simd`
/// loops over it vectorise on AVX2 (which has no 64-bit float→int conversion).
template <typename T>
ESVGD_INLINE T exp_nonpositive(T x) {
  using C = ExpConst<T>;
  using Int = typename C::Int;
  const bool underflow = x < C::kMin;
  x = underflow ? C::kMin : x;
  // Round to nearest by adding and subtracting 1.5·2^52 (2^23 for float).
  const T n = (x * C::kLog2e + C::kRound) - C::kRound;
  const T r = (x - n * C::kLn2Hi) - n * C::kLn2Lo;
  const T r2 = r * r, r4 = r2 * r2;
  T p;
  if constexpr (sizeof(T) == 8) {
    // Degree 12: remainder r^13/13! < 2e-16 on |r| ≤ 0.347.
    const T r8 = r4 * r4;
    const T a01 = 1.0 + r, a23 = 0.5 + r * (1.0 / 6), a45 = 1.0 / 24 + r * (1.0 / 120);
    const T a67 = 1.0 / 720 + r * (1.0 / 5040), a89 = 1.0 / 40320 + r * (1.0 / 362880);
    const T a1011 = 1.0 / 3628800 + r * (1.0 / 39916800), a12 = 1.0 / 479001600;
    p = ((a01 + r2 * a23) + r4 * (a45 + r2 * a67)) + r8 * ((a89 + r2 * a1011) + r4 * a12);
  } else {
    // Degree 7: remainder r^8/8! < 5e-9 on |r| ≤ 0.347.
    const T a01 = 1.0f + r, a23 = 0.5f + r * (1.0f / 6), a45 = 1.0f / 24 + r * (1.0f / 120);
    const T a67 = 1.0f / 720 + r * (1.0f / 5040);
    p = (a01 + r2 * a23) + r4 * (a45 + r2 * a67);
  }
  // 2^n: n + bias + 2^52 holds n + bias in its low mantissa bits; shift them into the exponent.
  const T shifted = n + (C::kBias + C::kShifter);
  Int bits;
  std::memcpy(&bits, &shifted, sizeof(T));
  bits <<= C::kMantissa;
  T scale;
  std::memcpy(&scale, &bits, sizeof(T));
  return underflow ? T(0) : p * scale;
}

}  // namespace esvgd::simd
