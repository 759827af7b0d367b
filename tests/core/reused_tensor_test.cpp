// reused_or_empty and stack_rows with a kept result: memory is filled again only while no one else
// holds it; a result the caller keeps (or a view of it) is never overwritten.
#include <torch/types.h>

#include "core/reused_tensor.h"
#include "core/stack_rows.h"
#include "core/test_util.h"

namespace esvgd::test {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

TEST(ReusedOrEmpty, ADroppedResultIsFilledAgain) {
  torch::Tensor kept;
  const void* first = core::reused_or_empty(kept, {4, 3}, kF64).data_ptr();
  EXPECT_EQ(core::reused_or_empty(kept, {4, 3}, kF64).data_ptr(), first);
}

TEST(ReusedOrEmpty, AKeptResultOrViewIsNeverOverwritten) {
  torch::Tensor kept;
  auto held = core::reused_or_empty(kept, {4, 3}, kF64).fill_(1);
  auto next = core::reused_or_empty(kept, {4, 3}, kF64).fill_(2);
  EXPECT_NE(next.data_ptr(), held.data_ptr());
  EXPECT_TRUE(torch::equal(held, torch::ones({4, 3}, kF64)));
  // Only an alias of the result's memory survives: a view (which refers to its base tensor too) or
  // a detached tensor (which shares the memory alone).
  auto row = next.select(0, 1);
  next = torch::Tensor();
  core::reused_or_empty(kept, {4, 3}, kF64).fill_(3);
  EXPECT_TRUE(torch::equal(row, torch::full({3}, 2.0, kF64)));
  auto last = core::reused_or_empty(kept, {4, 3}, kF64).fill_(4);
  auto alias = last.detach();
  last = torch::Tensor();
  core::reused_or_empty(kept, {4, 3}, kF64).fill_(5);
  EXPECT_TRUE(torch::equal(alias, torch::full({4, 3}, 4.0, kF64)));
}

TEST(ReusedOrEmpty, OtherSizesOrDtypesGetNewTensors) {
  torch::Tensor kept;
  const void* first = core::reused_or_empty(kept, {4, 3}, kF64).data_ptr();
  auto wider = core::reused_or_empty(kept, {4, 5}, kF64);
  EXPECT_EQ(wider.sizes(), torch::IntArrayRef({4, 5}));
  auto single = core::reused_or_empty(kept, {4, 5}, kF64.dtype(torch::kFloat32));
  EXPECT_EQ(single.scalar_type(), torch::kFloat32);
  EXPECT_NE(single.data_ptr(), first);
}

TEST(StackRows, AKeptResultIsReusedOnlyWhenNoOneHoldsIt) {
  auto a = torch::randn({3, 2}, kF64), b = torch::randn({4, 2}, kF64);
  torch::Tensor kept;
  auto first = core::stack_rows(a, b, &kept);
  EXPECT_TRUE(torch::equal(first, torch::cat({a, b})));
  auto second = core::stack_rows(b, a, &kept);  // `first` is held: new memory
  EXPECT_NE(second.data_ptr(), first.data_ptr());
  EXPECT_TRUE(torch::equal(first, torch::cat({a, b})));
  EXPECT_TRUE(torch::equal(second, torch::cat({b, a})));
  const void* memory = second.data_ptr();
  first = second = torch::Tensor();
  auto third = core::stack_rows(a, b, &kept);
  EXPECT_EQ(third.data_ptr(), memory);
  EXPECT_TRUE(torch::equal(third, torch::cat({a, b})));
}

}  // namespace
}  // namespace esvgd::test
