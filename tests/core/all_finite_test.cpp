// core::all_finite: false for exactly the arrays holding an inf or a NaN, at any position (the
// vectorised loop's body and its tail), for float and double.
#include <cmath>
#include <limits>
#include <vector>

#include "core/all_finite.h"
#include "core/test_util.h"

namespace esvgd::test {
namespace {

template <typename T>
void expect_only_inf_and_nan_fail() {
  using limits = std::numeric_limits<T>;
  const std::vector<T> finite{T(0), -T(0), T(1.5), -T(3), limits::max(), limits::lowest(), limits::min(),
                              limits::denorm_min(), -limits::denorm_min()};
  const std::vector<T> bad{limits::infinity(), -limits::infinity(), limits::quiet_NaN(), -limits::quiet_NaN(),
                           limits::signaling_NaN()};
  for (int64_t n = 1; n <= 40; ++n) {
    std::vector<T> v(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) v[i] = finite[static_cast<size_t>(i) % finite.size()];
    EXPECT_TRUE(core::all_finite(v.data(), n)) << n << " finite values";
    for (int64_t at = 0; at < n; ++at)
      for (const T b : bad) {
        auto w = v;
        w[at] = b;
        EXPECT_FALSE(core::all_finite(w.data(), n)) << b << " at " << at << " of " << n;
      }
  }
  EXPECT_TRUE(core::all_finite<T>(nullptr, 0));
}

TEST(AllFinite, FloatFailsForInfAndNanOnly) { expect_only_inf_and_nan_fail<float>(); }
TEST(AllFinite, DoubleFailsForInfAndNanOnly) { expect_only_inf_and_nan_fail<double>(); }

}  // namespace
}  // namespace esvgd::test
