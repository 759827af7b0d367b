// RadialMixture: the exact sampler's radius law against radius_marginal, ring masses r·p_r, the
// parity sampler, and argument checks.
#include <algorithm>
#include <cstdio>

#include "esvgd/target/radial_mixture.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using target::RadialMixture;

/// Kolmogorov–Smirnov statistic of radii against the CDF of t.radius_marginal (cumulative
/// trapezoid on a fine grid, linear interpolation).
double ks_statistic(const RadialMixture& t, const torch::Tensor& r) {
  const double r_max = *std::max_element(t.radii().begin(), t.radii().end()) + 14 * t.width();
  const int64_t G = 400001;
  auto grid = torch::linspace(0, r_max, G, torch::kFloat64);
  auto dens = t.radius_marginal(grid);
  auto cdf = torch::cat({torch::zeros({1}, torch::kFloat64),
                         torch::cumsum((dens.narrow(0, 1, G - 1) + dens.narrow(0, 0, G - 1)) / 2, 0) *
                             (r_max / (G - 1))});
  auto sorted = std::get<0>(torch::sort(r));
  const int64_t n = sorted.size(0);
  auto pos = (sorted / (r_max / (G - 1))).clamp(0, G - 2);
  auto idx = pos.floor().to(torch::kLong);
  auto frac = pos - idx.to(torch::kFloat64);
  auto F = cdf.index_select(0, idx) * (1 - frac) + cdf.index_select(0, idx + 1) * frac;
  auto hi = torch::arange(1, n + 1, torch::kFloat64) / n, lo = torch::arange(0, n, torch::kFloat64) / n;
  return std::max((hi - F).max().item<double>(), (F - lo).max().item<double>());
}

TEST(RadialMixture, RadiusMarginalIsNormalised) {
  for (int64_t dim : {2, 3}) {
    RadialMixture t(dim, {1.0, 2.5}, 0.4, {1.0, 2.0});
    auto grid = torch::linspace(0, 10, 100001, torch::kFloat64);
    EXPECT_NEAR(torch::trapezoid(t.radius_marginal(grid), grid).item<double>(), 1.0, 1e-8) << dim;
    // ∝ r^{D−1} p_r(r): the ratio to r^{D−1} exp(radial_log_density) is constant.
    auto r = torch::tensor({0.5, 1.0, 2.0, 3.1}, torch::kFloat64);
    auto ratio = t.radius_marginal(r) / (torch::pow(r, double(dim - 1)) * torch::exp(t.radial_log_density(r)));
    EXPECT_LT((ratio / ratio[0] - 1).abs().max().item<double>(), 1e-12) << dim;
  }
  // p_r itself is a normalised mixture on the real line.
  RadialMixture t(2, {1.0, 2.5}, 0.4, {1.0, 2.0});
  auto grid = torch::linspace(-5, 10, 150001, torch::kFloat64);
  EXPECT_NEAR(torch::trapezoid(torch::exp(t.radial_log_density(grid)), grid).item<double>(), 1.0, 1e-10);
}

TEST(RadialMixture, LogProbIsRadialDensityOfTheNorm) {
  RadialMixture t(3, {1.0, 3.0}, 0.4, {0.3, 0.7});
  auto gen = make_gen(121);
  auto X = torch::randn({20, 3}, gen, torch::kFloat64) * 2;
  EXPECT_LT((t.log_prob(X) - t.radial_log_density(X.norm(2, 1))).abs().max().item<double>(), 1e-14);
  // Hand value: one ring, log N(|x|; 2, 0.5²) at |x| = 2.5.
  RadialMixture one(2, {2.0}, 0.5);
  const double expect = -0.5 * std::log(2 * M_PI) - std::log(0.5) - 0.5;
  EXPECT_NEAR(one.log_prob(torch::tensor({1.5, 2.0}, torch::kFloat64).view({1, 2})).item<double>(), expect, 1e-14);
}

TEST(RadialMixture, ExactSamplerMatchesRadiusMarginal) {
  // KS test at n = 20000. Under the null, P(√n D > 1.949) = 1e-3 (Kolmogorov limit), so the stated
  // false-failure rate of this check is 0.1% per (target, seed); the seed is fixed.
  auto gen = make_gen(122);
  const int64_t n = 20000;
  for (int64_t dim : {2, 3}) {
    for (const auto& radii : {std::vector<double>{4.0, 8.0}, std::vector<double>{0.5, 1.5}}) {
      RadialMixture t(dim, radii, 0.5);
      auto X = t.sample(n, gen);
      ASSERT_EQ(X.sizes(), (std::vector<int64_t>{n, dim}));
      const double D = ks_statistic(t, X.norm(2, 1));
      std::printf("[ radial D=%lld radii %.1f,%.1f ] KS sqrt(n) D = %.3f\n", static_cast<long long>(dim), radii[0],
                  radii[1], std::sqrt(double(n)) * D);
      EXPECT_LT(std::sqrt(double(n)) * D, 1.949) << "dim " << dim << " radii " << radii[0];
      // Directions are uniform on the sphere: the mean unit vector is 0 (each coordinate has
      // variance 1/D, so 5 SE = 5/√(nD)).
      auto u = X / X.norm(2, 1, true);
      EXPECT_LT(u.mean(0).abs().max().item<double>(), 5 / std::sqrt(double(n * dim))) << dim;
    }
  }
}

TEST(RadialMixture, KsTestHasPower) {
  // The parity sampler draws r ~ p_r, not r^{D−1} p_r: the KS test must reject it clearly.
  auto gen = make_gen(123);
  RadialMixture parity(2, {4.0, 8.0}, 0.5, {}, RadialMixture::SamplerKind::kParity);
  RadialMixture exact(2, {4.0, 8.0}, 0.5);
  const int64_t n = 20000;
  EXPECT_GT(std::sqrt(double(n)) * ks_statistic(exact, parity.sample(n, gen).norm(2, 1)), 10.0);
}

TEST(RadialMixture, RingMassesFollowRTimesPr) {
  // Equal weights, circles at 4 and 8: the marginal ∝ r p_r puts mass ∝ 4 : 8 on the rings.
  auto gen = make_gen(124);
  const int64_t n = 60000;
  RadialMixture t(2, {4.0, 8.0}, 0.5);
  auto r = t.sample(n, gen).norm(2, 1);
  const double inner = (r < 6.0).to(torch::kFloat64).mean().item<double>();
  const double se = std::sqrt((1.0 / 3) * (2.0 / 3) / n);
  std::printf("[ circles 4, 8 ] inner ring fraction %.4f (expected 1/3, se %.4f)\n", inner, se);
  EXPECT_NEAR(inner, 1.0 / 3.0, 5 * se);
  // The parity sampler gives 1 : 1 instead.
  RadialMixture parity(2, {4.0, 8.0}, 0.5, {}, RadialMixture::SamplerKind::kParity);
  const double inner_parity = (parity.sample(n, gen).norm(2, 1) < 6.0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(inner_parity, 0.5, 5 * std::sqrt(0.25 / n));
  // Spheres (D = 3): ∝ r² p_r, 16 : 64.
  RadialMixture s3(3, {4.0, 8.0}, 0.5);
  const double inner3 = (s3.sample(n, gen).norm(2, 1) < 6.0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(inner3, 0.2, 5 * std::sqrt(0.2 * 0.8 / n));
}

TEST(RadialMixture, SamplerIsDeterministicForASeed) {
  RadialMixture t(3, {1.0, 2.0}, 0.3);
  auto g1 = make_gen(9), g2 = make_gen(9);
  EXPECT_TRUE(torch::equal(t.sample(500, g1), t.sample(500, g2)));
}

TEST(RadialMixture, ZeroSamplesIsAnEmptyBatch) {
  // As for GaussianMixture: sample(0) should be an empty [0, D] batch.
  auto gen = make_gen(114);
  RadialMixture rings(3, {1.0, 2.0}, 0.3);
  torch::Tensor b;
  EXPECT_NO_THROW(b = rings.sample(0, gen));  // torch::cat of an empty list
  if (b.defined()) EXPECT_EQ(b.sizes(), (std::vector<int64_t>{0, 3}));
}

TEST(RadialMixture, BadArgumentsThrow) {
  expect_error([] { RadialMixture(0, {1.0}, 0.5); }, "D >= 1");
  expect_error([] { RadialMixture(2, {}, 0.5); }, "at least one radius");
  expect_error([] { RadialMixture(2, {1.0}, 0.0); }, "width");
  expect_error([] { RadialMixture(2, {1.0}, -1.0); }, "width");
  expect_error([] { RadialMixture(2, {1.0}, std::nan("")); }, "width");
  expect_error([] { RadialMixture(2, {1.0, 2.0}, 0.5, {1.0}); }, "weights");
  expect_error([] { RadialMixture(2, {1.0, 2.0}, 0.5, {1.0, 0.0}); }, "weights");
  RadialMixture t(2, {1.0}, 0.5);
  expect_error([&] { t.log_prob(torch::zeros({4, 3}, torch::kFloat64)); }, "circles");
  expect_error([&] { t.score(torch::zeros({4, 3}, torch::kFloat64)); }, "circles");
  EXPECT_EQ(RadialMixture(3, {1.0}, 0.5).name(), "spheres");
}

}  // namespace
}  // namespace esvgd::test
