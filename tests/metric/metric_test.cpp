// Metrics: MMD², KSD² (brute force and power), reference bandwidth, unfold, mode occupancy, TV,
// radius KL and ring fractions.
#include <cstdio>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/linalg.h>

#include "esvgd/core/error.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/group/orthogonal.h"
#include "esvgd/metric/discrepancy.h"
#include "esvgd/metric/orbit_metrics.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

const target::GaussianMixture& c4() {
  static const auto t = target::cn_gaussian_mixture(4, 3, 1, 0.2);
  return t;
}

double k_rbf(const torch::Tensor& a, const torch::Tensor& b, double h) {
  auto d = a - b;
  return std::exp(-d.dot(d).item<double>() / (2 * h * h));
}

TEST(Discrepancy, Mmd2BruteForce) {
  auto gen = make_gen(401);
  auto X = torch::randn({7, 2}, gen, torch::kFloat64), Y = torch::randn({5, 2}, gen, torch::kFloat64) + 0.5;
  const double h = 0.8;
  double xx = 0, yy = 0, xy = 0;
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 7; ++j)
      if (i != j) xx += k_rbf(X[i], X[j], h);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j)
      if (i != j) yy += k_rbf(Y[i], Y[j], h);
  for (int i = 0; i < 7; ++i)
    for (int j = 0; j < 5; ++j) xy += k_rbf(X[i], Y[j], h);
  const double ref = xx / 42 + yy / 20 - 2 * xy / 35;
  EXPECT_NEAR(metric::mmd2(X, Y, h), ref, 1e-14);
  // Symmetric in its arguments; float32 inputs are promoted.
  EXPECT_NEAR(metric::mmd2(Y, X, h), ref, 1e-14);
  EXPECT_NEAR(metric::mmd2(X.to(torch::kFloat32), Y.to(torch::kFloat32), h), ref, 1e-6);
}

TEST(Discrepancy, Mmd2SameLawVsShiftedLaw) {
  auto gen = make_gen(402);
  const int64_t n = 2000;
  auto Y = c4().sample(n, gen);
  // The median-heuristic scale of the C4 mixture is h ≈ 3, the size of the whole ring of modes; a
  // kernel at the scale of one mode (h = 1) sees a shift of one mode far better.
  const double h = 1.0;
  EXPECT_NEAR(metric::reference_bandwidth(Y), 3.0, 0.2);
  // Five independent same-law replicates give the null scale of the estimator.
  double null_max = 0;
  for (int r = 0; r < 5; ++r) null_max = std::max(null_max, std::abs(metric::mmd2(c4().sample(n, gen), Y, h)));
  auto X = c4().sample(n, gen);
  const double shifted = metric::mmd2(X + torch::tensor({0.5, 0.0}, torch::kFloat64), Y, h);
  const double shifted1 = metric::mmd2(X + torch::tensor({1.0, 0.0}, torch::kFloat64), Y, h);
  std::printf("[ mmd2 ] same law max |.| %.2e over 5 replicates; shifted by 0.5: %.2e, by 1: %.2e (h = %.3f)\n",
              null_max, shifted, shifted1, h);
  // Measured (seed 402): null replicates -2.6e-4 .. 1.6e-3 (mean ~0, sd ~7e-4: the unbiased
  // estimator's O(1/n) noise); a 0.5 shift gives 1.3e-2 and a shift of 1 gives 4.8e-2 (~quadratic).
  // Bounds: null < 3e-3 (~4 sd), shifted > 4 × the largest null value, shift 1 > 3 × shift 0.5.
  EXPECT_LT(null_max, 3e-3);
  EXPECT_GT(shifted, 4 * null_max);
  EXPECT_GT(shifted1, 3 * shifted);
  EXPECT_THROW(metric::mmd2(X.narrow(0, 0, 1), Y, h), esvgd::Error);
  EXPECT_THROW(metric::mmd2(X, torch::zeros({5, 3}, torch::kFloat64), h), esvgd::Error);
}

TEST(Discrepancy, Ksd2BruteForce) {
  // u(x, y) = k [s_x·s_y + (s_x − s_y)·(x − y)/h² + D/h² − ‖x − y‖²/h⁴], mean over i ≠ j.
  auto gen = make_gen(403);
  auto X = c4().sample(6, gen);
  auto S = c4().score(X);
  const double h = 1.1, h2 = h * h;
  double sum = 0;
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) {
      if (i == j) continue;
      auto d = X[i] - X[j];
      const double r2 = d.dot(d).item<double>();
      const double u = S[i].dot(S[j]).item<double>() + (S[i] - S[j]).dot(d).item<double>() / h2 + 2 / h2 - r2 / (h2 * h2);
      sum += std::exp(-r2 / (2 * h2)) * u;
    }
  EXPECT_NEAR(metric::ksd2(X, S, h), sum / 30, 1e-13);
}

TEST(Discrepancy, Ksd2ExactVsShiftedSamples) {
  auto gen = make_gen(404);
  const int64_t n = 1500;
  auto X = c4().sample(n, gen);
  const double h = 1.0;
  const double exact = metric::ksd2(X, c4().score(X), h);
  auto Xs = X + torch::tensor({0.5, 0.0}, torch::kFloat64);
  const double shifted = metric::ksd2(Xs, c4().score(Xs), h);
  std::printf("[ ksd2 ] exact samples %.2e, shifted %.2e\n", exact, shifted);
  // Under π the U-statistic has mean 0 and sd O(1/n); a shift of 0.5 gives an O(0.1) value.
  EXPECT_LT(std::abs(exact), 5e-3);
  EXPECT_GT(shifted, 20 * std::abs(exact));
  EXPECT_GT(shifted, 1e-2);
}

TEST(Discrepancy, ReferenceBandwidth) {
  // Points 0, 1, 3, 7 on a line: squared distances 1 4 9 16 36 49, lower median 9 → h = √(9/2).
  auto Y = torch::tensor({0.0, 1.0, 3.0, 7.0}, torch::kFloat64).view({4, 1});
  EXPECT_NEAR(metric::reference_bandwidth(Y), std::sqrt(4.5), 1e-12);
}

TEST(OrbitMetrics, UnfoldFiniteGroup) {
  auto gen = make_gen(405);
  auto X = torch::randn({5, 2}, gen, torch::kFloat64);
  group::CyclicGroup g(4);
  auto U = metric::unfold(g, X, 1, gen);
  ASSERT_EQ(U.sizes(), (std::vector<int64_t>{20, 2}));
  // g-major: rows [4 blocks of N]; block m is X rotated by 2πm/4: (x, y) → (−y, x) → (−x, −y) → (y, −x).
  auto x = X.select(1, 0), y = X.select(1, 1);
  std::vector<torch::Tensor> expect{X, torch::stack({-y, x}, 1), torch::stack({-x, -y}, 1), torch::stack({y, -x}, 1)};
  for (int m = 0; m < 4; ++m)
    EXPECT_LT((U.narrow(0, 5 * m, 5) - expect[m]).abs().max().item<double>(), 1e-15) << "block " << m;
}

TEST(OrbitMetrics, UnfoldContinuousGroup) {
  auto gen = make_gen(406);
  auto X = torch::randn({4, 3}, gen, torch::kFloat64);
  group::OrthogonalGroup so3(3, true);
  auto U = metric::unfold(so3, X, 6, gen);
  ASSERT_EQ(U.sizes(), (std::vector<int64_t>{24, 3}));
  EXPECT_TRUE(torch::equal(U.narrow(0, 0, 4), X)) << "the particles themselves first";
  // Every copy is a rotation of the particle: same norms, and one rotation per block.
  for (int c = 1; c < 6; ++c) {
    auto B = U.narrow(0, 4 * c, 4);
    EXPECT_LT((B.norm(2, 1) - X.norm(2, 1)).abs().max().item<double>(), 1e-13);
    // Least squares for B = X W (X has full column rank): W = (XᵀX)⁻¹ XᵀB must be orthogonal.
    auto W = torch::linalg::solve(torch::matmul(X.t(), X), torch::matmul(X.t(), B), true);
    EXPECT_LT((torch::matmul(X, W) - B).abs().max().item<double>(), 1e-10) << "block " << c;
    EXPECT_LT((torch::matmul(W, W.t()) - torch::eye(3, torch::kFloat64)).abs().max().item<double>(), 1e-10);
  }
  EXPECT_THROW(metric::unfold(so3, X, 0, gen), esvgd::Error);
}

TEST(OrbitMetrics, ModeOccupancyAndTv) {
  auto means = torch::tensor({0.0, 0.0, 10.0, 0.0, 0.0, 10.0}, torch::kFloat64).view({3, 2});
  // 4 points near mode 0, 1 near mode 1, 0 near mode 2 (ties are impossible here).
  auto X = torch::tensor({0.1, 0.0, -0.5, 0.2, 1.0, 1.0, 4.0, 0.0, 9.0, -1.0}, torch::kFloat64).view({5, 2});
  auto occ = metric::mode_occupancy(X, means);
  ASSERT_EQ(occ.size(), 3u);
  EXPECT_DOUBLE_EQ(occ[0], 0.8);
  EXPECT_DOUBLE_EQ(occ[1], 0.2);
  EXPECT_DOUBLE_EQ(occ[2], 0.0);
  // TV = ½ (|0.8 − ⅓| + |0.2 − ⅓| + |0 − ⅓|) = ½ (0.4667 + 0.1333 + 0.3333) = 0.4667.
  EXPECT_NEAR(metric::tv_to_uniform(occ), 7.0 / 15.0, 1e-15);
  EXPECT_NEAR(metric::tv_to_uniform({0.25, 0.25, 0.25, 0.25}), 0.0, 1e-15);
  EXPECT_NEAR(metric::tv_to_uniform({1.0, 0.0, 0.0, 0.0}), 0.75, 1e-15);
  // Exact C4 samples occupy the four modes evenly.
  auto gen = make_gen(407);
  auto occ4 = metric::mode_occupancy(c4().sample(40000, gen), c4().means());
  for (double p : occ4) EXPECT_NEAR(p, 0.25, 5 * std::sqrt(0.25 * 0.75 / 40000));
}

TEST(OrbitMetrics, RadialKlAndRingFractions) {
  auto gen = make_gen(408);
  target::RadialMixture t(2, {4.0, 8.0}, 0.5);
  const int64_t n = 20000;
  auto exact = t.sample(n, gen);
  // Samples at the wrong radii (rings at 5 and 9) and with the wrong ring masses (parity sampler).
  target::RadialMixture wrong(2, {5.0, 9.0}, 0.5);
  target::RadialMixture parity(2, {4.0, 8.0}, 0.5, {}, target::RadialMixture::SamplerKind::kParity);
  const double kl_exact = metric::radial_kl(exact, t, 50, 12.0);
  const double kl_wrong = metric::radial_kl(wrong.sample(n, gen), t, 50, 12.0);
  const double kl_parity = metric::radial_kl(parity.sample(n, gen), t, 50, 12.0);
  std::printf("[ radial_kl ] exact %.4f, parity sampler %.4f, wrong radii %.4f\n", kl_exact, kl_parity, kl_wrong);
  // With 50 bins and n = 2e4 the plug-in KL of exact samples is ~ bins/(2n) ~ 1e-3.
  EXPECT_LT(kl_exact, 0.01);
  EXPECT_GT(kl_parity, 5 * kl_exact);
  EXPECT_GT(kl_wrong, 0.5);
  EXPECT_GE(kl_exact, 0.0);
  // Ring masses ∝ r p_r: 1/3 and 2/3; sample fractions agree within 5 SE.
  auto masses = metric::true_ring_masses(t);
  ASSERT_EQ(masses.size(), 2u);
  EXPECT_NEAR(masses[0], 1.0 / 3.0, 1e-4);
  EXPECT_NEAR(masses[1], 2.0 / 3.0, 1e-4);
  auto frac = metric::ring_fractions(exact, t.radii());
  EXPECT_NEAR(frac[0], 1.0 / 3.0, 5 * std::sqrt(2.0 / 9.0 / n));
  EXPECT_NEAR(frac[0] + frac[1], 1.0, 1e-15);
  EXPECT_THROW(metric::radial_kl(exact, t, 0, 12.0), esvgd::Error);
}

}  // namespace
}  // namespace esvgd::test
