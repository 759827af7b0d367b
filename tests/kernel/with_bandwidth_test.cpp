// Kernels are values: with_bandwidth(h) is a copy that equals a kernel built at h, and the
// original is unchanged (samplers keep h in their state, so one kernel can serve many runs).
#include "test_support.h"
#include "test_util.h"

namespace esvgd::test {
namespace {

TEST(KernelWithBandwidth, EqualsTheKernelBuiltAtThatBandwidthAndLeavesTheOriginal) {
  auto gen = make_gen(41);
  const auto at_09 = all_kernel_cases(0.9), at_13 = all_kernel_cases(1.3);
  ASSERT_EQ(at_09.size(), at_13.size());
  for (size_t i = 0; i < at_09.size(); ++i) {
    const auto& c = at_09[i];
    const auto copy = c.kernel->with_bandwidth(1.3);
    EXPECT_EQ(copy->name(), c.kernel->name()) << c.label;
    EXPECT_EQ(copy->bandwidth(), 1.3) << c.label;
    EXPECT_EQ(c.kernel->bandwidth(), 0.9) << c.label << ": the original changed";
    const auto X = case_points(c, 12, gen);
    const auto S = c.target->score(X);
    EXPECT_TRUE(torch::equal(copy->phi(X, X, S, 1.0), at_13[i].kernel->phi(X, X, S, 1.0))) << c.label;
    EXPECT_FALSE(torch::equal(copy->phi(X, X, S, 1.0), c.kernel->phi(X, X, S, 1.0))) << c.label;
  }
}

TEST(KernelWithBandwidth, RejectsBadBandwidths) {
  const auto k = all_kernel_cases(0.9).front().kernel;
  for (double h : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()})
    expect_error([&] { k->with_bandwidth(h); }, "bandwidth");
  EXPECT_EQ(k->bandwidth(), 0.9);
}

}  // namespace
}  // namespace esvgd::test
