// Kernel strength, kernel mass and the coupling diagnostic: the RBF's strength is its Gram matrix,
// a matrix kernel's is ‖K‖_F/√D (k for K = k·I), self pairs do not count, rows are subsampled
// without randomness.
#include "esvgd/kernel/coupling.h"
#include "esvgd/kernel/particle_orbit.h"
#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

TEST(Coupling, StrengthOfAScalarKernelIsItsGram) {
  auto gen = make_gen(2);
  auto X = torch::randn({5, 3}, gen, torch::kFloat64), Y = torch::randn({7, 3}, gen, torch::kFloat64);
  kernel::RbfKernel k(0.8);
  EXPECT_TRUE(torch::allclose(kernel::kernel_strength(k, X, Y), k.gram(X, Y)));
  EXPECT_TRUE(torch::allclose(kernel::kernel_mass(k, X, Y), k.gram(X, Y).mean(1)));
}

TEST(Coupling, StrengthOfAMatrixKernelIsItsScaledFrobeniusNorm) {
  auto gen = make_gen(3);
  auto X = torch::randn({3, 8}, gen, torch::kFloat64), Y = torch::randn({4, 8}, gen, torch::kFloat64);
  kernel::ParticleOrbitKernel k(4, 1.2);
  const auto K = k.gram(X, Y);
  EXPECT_TRUE(torch::allclose(kernel::kernel_strength(k, X, Y), K.square().sum({2, 3}).div(8).sqrt()));
}

TEST(Coupling, CountsOtherPointsWithinReach) {
  kernel::RbfKernel k(1.0);
  // Three particles close together and one alone: 2, 2, 2, 0 others within reach.
  auto X = torch::tensor({{0.0, 0.0}, {0.5, 0.0}, {0.0, 0.5}, {20.0, 0.0}}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(kernel::mean_interacting(k, X, X), 1.5);
  // k = e^{-d²/2} > 1e-3 ⇔ d < 3.717: a point at 3.6 counts, one at 3.8 does not.
  auto pair = [&](double d) { return torch::tensor({{0.0, 0.0}, {d, 0.0}}, torch::kFloat64); };
  EXPECT_DOUBLE_EQ(kernel::mean_interacting(k, pair(3.6), pair(3.6)), 1.0);
  EXPECT_DOUBLE_EQ(kernel::mean_interacting(k, pair(3.8), pair(3.8)), 0.0);
  // Rows 0 and 2 of 4 measured (⌊r·4/2⌋): both in the cluster.
  EXPECT_DOUBLE_EQ(kernel::mean_interacting(k, X, X, 1e-3, 2), 2.0);
  // Anchors after X count as points.
  auto Y = torch::cat({X, torch::tensor({{20.5, 0.0}}, torch::kFloat64)});
  EXPECT_DOUBLE_EQ(kernel::mean_interacting(k, X, Y), 7.0 / 4.0);
}

}  // namespace
}  // namespace esvgd::test
