// The closed-form SO(3) orbit kernel K(x, y) = ∫ k(x, R y) R dR against an independent, accurate
// Haar quadrature (ZYZ Euler angles: trapezoid in α and γ, Gauss–Legendre in β with the sin β
// density), its small-κ series, the origin, and the quadrature-based OrbitMatrixKernel.
#include <chrono>
#include <cstdio>

#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

/// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n from the Chebyshev guess).
void gauss_legendre(int n, std::vector<double>& x, std::vector<double>& w) {
  x.assign(n, 0);
  w.assign(n, 0);
  for (int i = 0; i < n; ++i) {
    double z = std::cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 0;
    for (int it = 0; it < 100; ++it) {
      double p0 = 1, p1 = z;
      for (int k = 2; k <= n; ++k) {
        const double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      dp = n * (z * p1 - p0) / (z * z - 1);
      const double dz = p1 / dp;
      z -= dz;
      if (std::abs(dz) < 1e-16) break;
    }
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
}

struct HaarRule {
  torch::Tensor R, w;  // [Q, 3, 3], [Q] summing to 1
};

/// R = R_z(α) R_y(β) R_z(γ); Haar measure dα sin β dβ dγ / (8π²).
HaarRule euler_rule(int n) {
  std::vector<double> t, tw;
  gauss_legendre(n, t, tw);
  std::vector<torch::Tensor> Rs;
  std::vector<double> ws;
  auto rz = [](double a) {
    return torch::tensor({std::cos(a), -std::sin(a), 0.0, std::sin(a), std::cos(a), 0.0, 0.0, 0.0, 1.0},
                         torch::kFloat64).view({3, 3});
  };
  auto ry = [](double b) {
    return torch::tensor({std::cos(b), 0.0, std::sin(b), 0.0, 1.0, 0.0, -std::sin(b), 0.0, std::cos(b)},
                         torch::kFloat64).view({3, 3});
  };
  std::vector<torch::Tensor> Za, Yb;
  for (int i = 0; i < n; ++i) Za.push_back(rz(2 * M_PI * i / n));
  for (int i = 0; i < n; ++i) Yb.push_back(ry(M_PI / 2 * (1 + t[i])));
  auto Z = torch::stack(Za), Y = torch::stack(Yb);  // [n, 3, 3]
  // All triples at once: [n(α), n(β), n(γ), 3, 3].
  auto R = torch::matmul(torch::matmul(Z.view({n, 1, 1, 3, 3}), Y.view({1, n, 1, 3, 3})), Z.view({1, 1, n, 3, 3}));
  auto wb = torch::tensor(tw, torch::kFloat64) * (M_PI / 2) * torch::sin(M_PI / 2 * (1 + torch::tensor(t, torch::kFloat64)));
  auto w = (wb / (2.0 * n * n)).view({1, n, 1}).expand({n, n, n});  // (2π/n)²/(8π²) = 1/(2n²)
  return {R.reshape({-1, 3, 3}), w.reshape({-1}).contiguous()};
}

const HaarRule& rule() {
  // 64000 rotations; trapezoid error ~ I_40(κ)/I_0(κ) < 1e-17 for κ ≤ 17 (radii ≤ 3.7, h ≥ 0.9).
  static const HaarRule r = euler_rule(40);
  return r;
}

torch::Tensor quad_gram(const torch::Tensor& A, const torch::Tensor& B, double h) {
  const auto& q = rule();
  auto imgs = torch::matmul(B.unsqueeze(0), q.R.transpose(1, 2));                   // [Q, M, 3]
  auto d2 = (A.unsqueeze(0).unsqueeze(2) - imgs.unsqueeze(1)).pow(2).sum(-1);       // [Q, N, M]
  auto k = torch::exp(-d2 / (2 * h * h)) * q.w.view({-1, 1, 1});
  return torch::einsum("qnm,qab->nmab", {k, q.R});
}

torch::Tensor quad_phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S, double h, double T) {
  const auto& q = rule();
  const int64_t M = Y.size(0);
  auto imgs = torch::matmul(Y.unsqueeze(0), q.R.transpose(1, 2));   // [Q, M, 3]
  auto simgs = torch::matmul(S.unsqueeze(0), q.R.transpose(1, 2));  // R_q s_j
  auto diff = X.unsqueeze(0).unsqueeze(2) - imgs.unsqueeze(1);      // [Q, N, M, 3]
  auto k = torch::exp(-diff.pow(2).sum(-1) / (2 * h * h)) * q.w.view({-1, 1, 1});  // [Q, N, M]
  auto drive = torch::einsum("qnm,qmd->nd", {k, simgs});
  auto rep = torch::einsum("qnm,qnmd->nd", {k, diff}) / (h * h);
  return (drive + T * rep) / static_cast<double>(M);
}

TEST(So3Orbit, EulerRuleIsAHaarRule) {
  // Sanity of the reference itself: weights sum to 1, ∫ R dR = 0, ∫ R_ab² dR = 1/3.
  const auto& q = rule();
  EXPECT_NEAR(q.w.sum().item<double>(), 1.0, 1e-14);
  auto mean = (q.R * q.w.view({-1, 1, 1})).sum(0);
  EXPECT_LT(mean.abs().max().item<double>(), 1e-14);
  auto sq = (q.R * q.R * q.w.view({-1, 1, 1})).sum(0);
  EXPECT_LT((sq - 1.0 / 3).abs().max().item<double>(), 1e-14);
}

TEST(So3Orbit, ClosedFormMatchesHaarQuadrature) {
  auto gen = make_gen(71);
  // Radii ≤ ~3.7 with h ≥ 0.9: κ ≤ 17, where the 40-point rules are exact to rounding.
  auto X = spheres_target().sample(5, gen);
  auto Y = torch::cat({X, spheres_target().sample(4, gen)});
  auto S = spheres_target().score(Y);
  for (double h : {0.9, 1.5}) {
    kernel::So3OrbitKernel k(h);
    const double eg = rel_err(k.gram(X, Y), quad_gram(X, Y, h));
    const double ep = rel_err(k.phi(X, Y, S, 1.0), quad_phi(X, Y, S, h, 1.0));
    const double ed = rel_err(k.phi(X, Y, S, 0.0), quad_phi(X, Y, S, h, 0.0));
    std::printf("[ SO3 closed vs Euler quadrature ] h = %.1f: gram %.2e, phi %.2e, drive %.2e\n", h, eg, ep, ed);
    // Both sides are accurate to rounding: 1e-12 relative to the largest entry.
    EXPECT_LT(eg, 1e-12) << h;
    EXPECT_LT(ep, 1e-12) << h;
    EXPECT_LT(ed, 1e-12) << h;
  }
}

/// e^{−κ} B(κ), B = (κ cosh κ − sinh κ)/κ² = Σ_{n≥1} 2n κ^{2n−1}/(2n+1)!, in long double.
double scaled_b_reference(double kappa) {
  long double k = kappa, sum = 0, term = 0;
  if (kappa < 1) {
    long double fact = 6;  // (2n+1)! for n = 1
    long double pw = k;    // κ^{2n−1}
    for (int n = 1; n <= 30; ++n) {
      term = 2 * n * pw / fact;
      sum += term;
      fact *= (2 * n + 2) * (2 * n + 3);
      pw *= k * k;
    }
    return static_cast<double>(std::exp(-k) * sum);
  }
  return static_cast<double>((k * (1 + std::exp(-2 * k)) + std::expm1(-2 * k)) / (2 * k * k));
}

TEST(So3Orbit, SmallAndLargeKappaAccuracy) {
  // With x = y = √κ e₁ and h = 1 the kernel is e^{−κ}B(κ) e₁e₁ᵀ. The closed form cancels for small
  // κ (numerator ~κ³ from terms ~κ); the implementation switches to the series below κ = 1e-3.
  double worst = 0, worst_k = 0;
  kernel::So3OrbitKernel k(1.0);
  for (double kappa : {1e-8, 1e-5, 5e-4, 9.99e-4, 1.001e-3, 2e-3, 1e-2, 0.05, 0.3, 1.0, 4.0, 30.0, 300.0, 3000.0}) {
    const double r = std::sqrt(kappa);
    auto x = torch::tensor({r, 0.0, 0.0}, torch::kFloat64).view({1, 3});
    const double got = k.gram(x, x)[0][0][0][0].item<double>();
    const double ref = scaled_b_reference(kappa);
    const double rel = std::abs(got - ref) / ref;
    if (rel > worst) worst = rel, worst_k = kappa;
    EXPECT_TRUE(std::isfinite(got)) << kappa;
  }
  std::printf("[ SO3 e^-k B(k) ] worst relative error %.2e at kappa = %.4g\n", worst, worst_k);
  // Measured ~1e-10 just above the switch (cancellation of O(κ) terms into κ³/3: error
  // ~ε/κ² ≈ 1e-10 at κ = 1e-3); elsewhere ~1e-16. The entry itself is ~κ/3, tiny next to the
  // e^{−κ}A(κ) ≈ 1 of the repulsion, so φ is unaffected at 1e-13. Tolerance 1e-9.
  EXPECT_LT(worst, 1e-9);
}

TEST(So3Orbit, OriginIsHandled) {
  auto gen = make_gen(72);
  auto X = torch::cat({torch::zeros({1, 3}, torch::kFloat64), spheres_target().sample(6, gen)});
  auto S = spheres_target().score(X);
  kernel::So3OrbitKernel k(1.0);
  auto phi = k.phi(X, X, S, 1.0);
  ASSERT_TRUE(torch::isfinite(phi).all().item<bool>());
  ASSERT_TRUE(torch::isfinite(k.gram(X, X)).all().item<bool>());
  EXPECT_LT(rel_err(phi, quad_phi(X, X, S, 1.0, 1.0)), 1e-12);
}

TEST(So3Orbit, QuadratureOrbitKernelApproachesClosedForm) {
  // The OrbitMatrixKernel over a random SO(3) rule is a Monte Carlo estimate of the same integral.
  auto gen = make_gen(73);
  auto X = spheres_target().sample(8, gen);
  auto S = spheres_target().score(X);
  kernel::So3OrbitKernel closed(1.0);
  auto exact = closed.phi(X, X, S, 1.0);
  std::vector<double> errs;
  for (int64_t q : {10, 300}) {
    kernel::OrbitMatrixKernel mc(group::OrthogonalGroup(3, true), 1.0, q, gen);
    errs.push_back(rel_err(mc.phi(X, X, S, 1.0), exact));
  }
  std::printf("[ SO3 random rule vs closed form ] relative error 11 nodes %.3g, 301 nodes %.3g\n", errs[0], errs[1]);
  EXPECT_LT(errs[1], errs[0]);
  EXPECT_LT(errs[1], 0.3);
}

TEST(So3Orbit, QuadratureKernelConstructionIsFast) {
  // OrbitMatrixKernel's constructor pairs each matrix with its inverse (find_inverses). An earlier
  // version used one torch::allclose per (g, q) pair, O(Q²) tensor calls: a 4001-node SO(3) rule
  // took 477 s to build. One batched distance takes milliseconds. Bound: 1 s for 501 nodes.
  auto gen = make_gen(74);
  group::OrthogonalGroup so3(3, true);
  auto Q = so3.quadrature(501, gen);
  const auto t0 = std::chrono::steady_clock::now();
  kernel::OrbitMatrixKernel k(Q, 1.0, "SO3~501");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ OrbitMatrixKernel ] construction with %lld matrices: %.2f s\n", static_cast<long long>(Q.size(0)),
              secs);
  EXPECT_LT(secs, 1.0);
}

}  // namespace
}  // namespace esvgd::test
