// C4 on flattened images: the elements are the permutation matrices of rot90, closed under
// composition, and the fold picks one representative per orbit.
#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/group/image_rotation_group.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

TEST(ImageRotationGroup, ElementsArePixelPermutationsOfRot90) {
  group::ImageRotationGroup G(5);
  auto gen = make_gen(1);
  auto R = G.elements();
  ASSERT_EQ(R.sizes(), torch::IntArrayRef({4, 25, 25}));
  EXPECT_TRUE(torch::equal(R[0], torch::eye(25, torch::kFloat64)));
  auto X = torch::randn({3, 25}, gen, torch::kFloat64);
  for (int64_t g = 0; g < 4; ++g) {
    EXPECT_TRUE(torch::equal(group::act(R[g], X), torch::rot90(X.view({3, 5, 5}), g, {1, 2}).reshape({3, 25})));
    EXPECT_TRUE(torch::equal(G.rotate(X, g), group::act(R[g], X)));
    EXPECT_TRUE(torch::equal(torch::matmul(R[g], R[g].t()), torch::eye(25, torch::kFloat64)));  // orthogonal
    EXPECT_TRUE(torch::equal(torch::matmul(R[1], R[g]), R[(g + 1) % 4]));                        // closed
  }
  EXPECT_EQ(G.name(), "C4(5x5)");
  EXPECT_EQ(G.dim(), 25);
}

TEST(ImageRotationGroup, FoldIsConstantOnOrbits) {
  group::ImageRotationGroup G(6);
  auto gen = make_gen(2);
  auto X = torch::rand({8, 36}, gen, torch::kFloat64);
  auto F = G.fold(X);
  for (int64_t g = 1; g < 4; ++g) EXPECT_TRUE(torch::equal(G.fold(G.rotate(X, g)), F));
  auto R = G.random_element(gen);
  EXPECT_TRUE(torch::equal(torch::matmul(R, R.t()), torch::eye(36, torch::kFloat64)));
}

}  // namespace
}  // namespace esvgd::test
