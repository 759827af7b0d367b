// stack_rows: the same rows, dtype and gradients as torch::cat, whichever way it takes.
#include <torch/autograd.h>
#include <torch/types.h>

#include "core/stack_rows.h"
#include "core/test_util.h"

namespace esvgd::test {
namespace {

TEST(StackRows, EqualsCatForEveryDtypeAndRowCount) {
  for (auto dtype : {torch::kFloat64, torch::kFloat32, torch::kInt64}) {
    for (int64_t top : {0, 1, 64}) {
      auto a = (torch::arange(top * 3, torch::kFloat64) * 0.7 - 2).to(dtype).reshape({top, 3});
      auto b = (torch::arange(15, torch::kFloat64) * 1.3).to(dtype).reshape({5, 3});
      auto joined = core::stack_rows(a, b);
      EXPECT_EQ(joined.scalar_type(), dtype);
      EXPECT_TRUE(torch::equal(joined, torch::cat({a, b}))) << "dtype " << dtype << ", " << top << " top rows";
    }
  }
}

TEST(StackRows, NonContiguousAndMixedInputsGoThroughCat) {
  auto a = torch::arange(12, torch::kFloat64).reshape({3, 4}).t();  // [4, 3], not contiguous
  auto b = torch::ones({2, 3}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(core::stack_rows(a, b), torch::cat({a, b})));
  EXPECT_TRUE(torch::equal(core::stack_rows(b, a), torch::cat({b, a})));
  auto f = torch::ones({2, 3}, torch::kFloat32);
  EXPECT_TRUE(torch::equal(core::stack_rows(b, f), torch::cat({b, f})));  // cat promotes to float64
}

TEST(StackRows, KeepsTheGradientPath) {
  auto a = torch::randn({3, 2}, torch::kFloat64).requires_grad_(true);
  auto b = torch::randn({4, 2}, torch::kFloat64);
  auto joined = core::stack_rows(a, b);
  ASSERT_TRUE(joined.requires_grad());
  auto g = torch::autograd::grad({(joined * joined).sum()}, {a})[0];
  EXPECT_TRUE(torch::allclose(g, 2 * a));
}

}  // namespace
}  // namespace esvgd::test
