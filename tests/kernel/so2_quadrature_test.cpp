// The closed-form SO(2) orbit kernel (Bessel functions) against the orbit matrix kernel over the
// uniform angle grid C_q. The integrand is a smooth periodic function of θ, so the q-point rule
// converges geometrically (error ~ I_q(a)/I_0(a) with a = |x||y|/h²): q = 1024 is exact to rounding.
#include <cstdio>

#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

struct Setup {
  torch::Tensor X, Y, S;
};

Setup setup(at::Generator& gen) {
  auto X = rings_target().sample(11, gen);
  auto Y = torch::cat({X, rings_target().sample(5, gen)});
  return {X, Y, rings_target().score(Y)};
}

TEST(So2Quadrature, ClosedFormEqualsFineGrid) {
  auto gen = make_gen(51);
  auto p = setup(gen);
  for (double h : {0.5, 1.0, 2.0}) {
    kernel::So2OrbitKernel closed(h);
    kernel::OrbitMatrixKernel grid(group::OrthogonalGroup(2, true), h, 1024, gen);
    ASSERT_EQ(grid.matrices().size(0), 1024);
    for (double T : {0.0, 1.0}) {
      // Both are ~1e-16-accurate evaluations of the same integral (the grid rule's own error is far
      // below rounding at q = 1024); measured 3e-16 (T = 0) to 1.4e-14 (T = 1); the bound 1e-10 is
      // the brief's.
      const double e = rel_err(closed.phi(p.X, p.Y, p.S, T), grid.phi(p.X, p.Y, p.S, T));
      std::printf("[ SO2 closed vs C1024 ] h = %.1f, T = %.0f: relative error %.2e\n", h, T, e);
      EXPECT_LT(e, 1e-10) << "h=" << h;
    }
    EXPECT_LT(rel_err(closed.gram(p.X, p.Y), grid.gram(p.X, p.Y)), 1e-10) << "h=" << h;
  }
}

TEST(So2Quadrature, CoarseGridErrorDecreases) {
  auto gen = make_gen(52);
  auto p = setup(gen);
  const double h = 0.5;  // a = r r'/h² up to ~15: coarse grids are visibly wrong
  kernel::So2OrbitKernel closed(h);
  auto exact = closed.phi(p.X, p.Y, p.S, 1.0);
  std::vector<double> errs;
  for (int64_t q : {8, 16, 32, 64}) {
    kernel::OrbitMatrixKernel grid(cn_elements(q), h, "C" + std::to_string(q));
    errs.push_back(rel_err(grid.phi(p.X, p.Y, p.S, 1.0), exact));
  }
  std::printf("[ SO2 grid ] relative error of C_q vs closed form, q = 8/16/32/64: %.2e %.2e %.2e %.2e\n", errs[0],
              errs[1], errs[2], errs[3]);
  // Measured (seed 52, h = 0.5): 0.84, 0.25, 6.5e-5, 4e-15 for q = 8, 16, 32, 64.
  EXPECT_GT(errs[0], 1e-3);
  EXPECT_LT(errs[1], errs[0]);
  EXPECT_LT(errs[2], errs[1]);
  EXPECT_LT(errs[3], 1e-10);
}

TEST(So2Quadrature, OriginIsHandled) {
  // A particle at the origin: K(0, y) = 0 (I₁(0) = 0) and div_y K(0, y) = (v·0 − w|y|·x̂)/h² = 0, so
  // φ(0) = 0; as a source, 0 repels x by e^{−|x|²/(2h²)} x/h². The polar angle of 0 is undefined,
  // so this is where a closed form can produce NaN; it must stay finite and match the grid rule.
  auto gen = make_gen(53);
  auto X = torch::cat({torch::zeros({1, 2}, torch::kFloat64), rings_target().sample(6, gen)});
  auto S = rings_target().score(X);
  kernel::So2OrbitKernel closed(1.0);
  kernel::OrbitMatrixKernel grid(cn_elements(1024), 1.0, "C1024");
  auto phi = closed.phi(X, X, S, 1.0);
  ASSERT_TRUE(torch::isfinite(phi).all().item<bool>());
  EXPECT_LT(rel_err(phi, grid.phi(X, X, S, 1.0)), 1e-10);
}

}  // namespace
}  // namespace esvgd::test
