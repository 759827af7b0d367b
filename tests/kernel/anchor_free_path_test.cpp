// The anchor-free fast paths: when Y is the very tensor X (no anchors), RbfKernel and
// OrbitMatrixKernel compute each exponential once (symmetric kernel sum; pairs of inverse group
// elements). They must equal the general path, which a copy of X (a different tensor with the same
// values) takes. Sizes straddle the 256 tile; the groups cover involutions, inverse pairs and sets
// that are not closed under inverses.
#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

// Same sums in a different order (half the pairs, transposed accumulation): a few ulp of max|φ|.
constexpr double kAnchorFreeTol = 1e-13;

void expect_same_paths(const kernel::Kernel& k, const target::Target& t, int64_t n, at::Generator& gen,
                       const std::string& label) {
  auto X = t.sample(n, gen);
  auto S = t.score(X);
  for (double T : {0.0, 1.0, 2.0}) {
    auto fast = k.phi(X, X, S, T);
    auto general = k.phi(X, X.clone(), S, T);
    ASSERT_GT(max_abs(general), 1e-6) << label;
    EXPECT_LT(rel_err(fast, general), kAnchorFreeTol) << label << " n=" << n << " T=" << T;
  }
}

TEST(AnchorFreePath, RbfSymmetricSumEqualsGeneralPath) {
  auto gen = make_gen(81);
  for (int64_t n : {1, 2, 37, 256, 300, 600}) expect_same_paths(kernel::RbfKernel(0.6), c4_target(), n, gen, "rbf");
}

TEST(AnchorFreePath, OrbitMatrixInversePairsEqualGeneralPath) {
  auto gen = make_gen(82);
  group::OrthogonalGroup so3(3, true), o2(2, false);
  // C4 (an involution R_π and a pair R_{π/2}, R_{3π/2}), C6, the cube group, O(2)'s reflections
  // (all involutions), and a random SO(3) rule (pairs R, Rᵀ).
  std::vector<std::shared_ptr<kernel::Kernel>> ks{
      std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(4), 0.8, "C4"),
      std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(6), 0.8, "C6"),
      std::make_shared<kernel::OrbitMatrixKernel>(cube_rotations(), 0.8, "O"),
      std::make_shared<kernel::OrbitMatrixKernel>(o2, 0.8, 8, gen),
      std::make_shared<kernel::OrbitMatrixKernel>(so3, 0.8, 21, gen),
  };
  const target::Target* ts[] = {&c4_target(), &rings_target(), &spheres_target(), &rings_target(), &spheres_target()};
  for (size_t c = 0; c < ks.size(); ++c)
    for (int64_t n : {1, 5, 300}) expect_same_paths(*ks[c], *ts[c], n, gen, ks[c]->name());
}

TEST(AnchorFreePath, SetNotClosedUnderInversesFallsBack) {
  // {I, R_{π/2}}: R_{π/2}'s inverse is missing, so the pair trick does not apply; φ must still be
  // the average over the two images.
  auto gen = make_gen(83);
  auto R = torch::stack({cn_elements(4)[0], cn_elements(4)[1]});
  kernel::OrbitMatrixKernel k(R, 0.8, "half");
  expect_same_paths(k, c4_target(), 20, gen, "not closed");
  // And against the definition: textbook SVGD over the 2M images with weights 1/(2M).
  auto X = c4_target().sample(7, gen);
  auto S = c4_target().score(X);
  auto imgs = kernel::orbit_images(R, X), simgs = kernel::orbit_images(R, S);
  auto ref = kernel::rbf_stein_direction(X, imgs, simgs, 1.0, 0.8);
  EXPECT_LT(rel_err(k.phi(X, X, S, 1.0), ref), kAnchorFreeTol);
}

TEST(AnchorFreePath, NearlyInverseMatricesAreNotPaired) {
  // A rule whose "inverse" is off by 1e-6 is not closed: pairing R_g with an almost-inverse would
  // silently change the kernel. The general path's answer is the reference.
  auto gen = make_gen(84);
  auto R = torch::stack({cn_elements(4)[0], cn_elements(4)[1], group::rotation_2d(-M_PI / 2 + 1e-6)});
  kernel::OrbitMatrixKernel k(R, 0.8, "almost");
  expect_same_paths(k, c4_target(), 30, gen, "almost closed");
}

}  // namespace
}  // namespace esvgd::test
