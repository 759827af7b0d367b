// GaussianMixture: normalisation, exact sampler moments, the C_n construction, argument checks.
#include <cstdio>

#include "esvgd/target/gaussian_mixture.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using target::GaussianMixture;

GaussianMixture two_component_2d() {
  auto means = torch::tensor({-1.0, 0.5, 2.0, -1.0}, torch::kFloat64).view({2, 2});
  auto covs = torch::tensor({1.0, 0.6, 0.6, 0.8, 0.3, -0.1, -0.1, 0.2}, torch::kFloat64).view({2, 2, 2});
  return GaussianMixture(means, covs, torch::tensor({2.0, 1.0}, torch::kFloat64));
}

TEST(GaussianMixture, LogProbIsNormalised) {
  auto t = two_component_2d();
  // Midpoint rule on [-12, 12]² with step 0.02: for a smooth density that decays like e^{-x²} the
  // error is far below 1e-6 (measured ~1e-12); the brief's bound is 1e-3.
  const double step = 0.02, lo = -12.0;
  const int64_t n = 1200;
  auto g = lo + step * (torch::arange(n, torch::kFloat64) + 0.5);
  auto grids = torch::meshgrid({g, g}, "ij");
  auto X = torch::stack({grids[0].reshape(-1), grids[1].reshape(-1)}, 1);
  const double mass = torch::exp(t.log_prob(X)).sum().item<double>() * step * step;
  std::printf("[ gmm ] grid integral of exp(log_prob) = 1 %+.2e\n", mass - 1);
  EXPECT_NEAR(mass, 1.0, 1e-3);
  // And at a point, the density equals the hand formula Σ w_k N(x; μ_k, Σ_k).
  auto x = torch::tensor({0.3, -0.4}, torch::kFloat64);
  auto dens = [&](const torch::Tensor& mu, const torch::Tensor& S) {
    auto d = x - mu;
    auto q = d.dot(torch::matmul(torch::inverse(S), d)).item<double>();
    return std::exp(-0.5 * q) / (2 * M_PI * std::sqrt(torch::det(S).item<double>()));
  };
  const double ref = (2.0 / 3.0) * dens(torch::tensor({-1.0, 0.5}, torch::kFloat64),
                                        torch::tensor({1.0, 0.6, 0.6, 0.8}, torch::kFloat64).view({2, 2})) +
                     (1.0 / 3.0) * dens(torch::tensor({2.0, -1.0}, torch::kFloat64),
                                        torch::tensor({0.3, -0.1, -0.1, 0.2}, torch::kFloat64).view({2, 2}));
  EXPECT_NEAR(std::exp(t.log_prob(x.unsqueeze(0)).item<double>()), ref, 1e-14);
}

/// Checks sample mean and covariance against analytic values, each entry within 5 standard errors
/// estimated from the per-sample terms (x_a for the mean, x_a x_b for the second moment).
void expect_moments(const torch::Tensor& X, const torch::Tensor& mean, const torch::Tensor& cov,
                    const std::string& label) {
  const double n = static_cast<double>(X.size(0));
  auto m = X.mean(0);
  auto se_m = X.std(0) / std::sqrt(n);
  for (int64_t a = 0; a < X.size(1); ++a)
    EXPECT_LT(std::abs((m[a] - mean[a]).item<double>()), 5 * se_m[a].item<double>()) << label << " mean " << a;
  // Centre on the true mean: E[(x − μ)(x − μ)ᵀ] = Σ, per-sample terms are i.i.d.
  auto Xc = X - mean;
  for (int64_t a = 0; a < X.size(1); ++a)
    for (int64_t b = 0; b < X.size(1); ++b) {
      auto p = Xc.select(1, a) * Xc.select(1, b);
      const double est = p.mean().item<double>(), se = p.std().item<double>() / std::sqrt(n);
      EXPECT_LT(std::abs(est - cov[a][b].item<double>()), 5 * se) << label << " cov " << a << b << ": " << est;
    }
}

TEST(GaussianMixture, CnMixtureSampleMoments) {
  auto gen = make_gen(111);
  const int64_t n = 200000;
  // Mean 0; covariance (1/n)Σ_m [μ_m μ_mᵀ + R_m diag(a, b) R_mᵀ] = (r²/2 + (a + b)/2) I for n ≥ 3;
  // for n = 2 the means are ±(r, 0) and it is diag(r² + a, b).
  struct C {
    int64_t order;
    double r, a, b;
  };
  for (const C& c : {C{4, 3, 1, 0.2}, C{6, 2, 0.5, 0.1}, C{3, 1.5, 0.3, 0.6}, C{2, 3, 1, 0.2}}) {
    auto t = target::cn_gaussian_mixture(c.order, c.r, c.a, c.b);
    auto X = t.sample(n, gen);
    ASSERT_EQ(X.sizes(), (std::vector<int64_t>{n, 2}));
    torch::Tensor cov = c.order == 2 ? torch::diag(torch::tensor({c.r * c.r + c.a, c.b}, torch::kFloat64))
                                     : (c.r * c.r / 2 + (c.a + c.b) / 2) * torch::eye(2, torch::kFloat64);
    expect_moments(X, torch::zeros({2}, torch::kFloat64), cov, "C" + std::to_string(c.order));
  }
}

TEST(GaussianMixture, CnMixtureGeometry) {
  auto t = target::cn_gaussian_mixture(4, 3, 1, 0.2);
  auto expect_means = torch::tensor({3.0, 0.0, 0.0, 3.0, -3.0, 0.0, 0.0, -3.0}, torch::kFloat64).view({4, 2});
  EXPECT_LT((t.means() - expect_means).abs().max().item<double>(), 1e-15);
  // Mode 1 (on +y) is elongated radially, i.e. along y: log density drops faster along x.
  auto p = t.log_prob(torch::tensor({0.5, 3.0, 0.0, 3.5}, torch::kFloat64).view({2, 2}));
  EXPECT_LT(p[0].item<double>(), p[1].item<double>());
  EXPECT_EQ(t.name(), "C4-gaussians");
}

TEST(GaussianMixture, GeneralSampleMoments) {
  auto gen = make_gen(112);
  auto t = two_component_2d();
  auto X = t.sample(200000, gen);
  auto w = torch::tensor({2.0 / 3, 1.0 / 3}, torch::kFloat64);
  auto mu = torch::tensor({-1.0, 0.5, 2.0, -1.0}, torch::kFloat64).view({2, 2});
  auto S = torch::tensor({1.0, 0.6, 0.6, 0.8, 0.3, -0.1, -0.1, 0.2}, torch::kFloat64).view({2, 2, 2});
  auto mean = (w.unsqueeze(1) * mu).sum(0);
  auto second = (w.view({2, 1, 1}) * (S + mu.unsqueeze(2) * mu.unsqueeze(1))).sum(0);
  expect_moments(X, mean, second - mean.unsqueeze(1) * mean.unsqueeze(0), "gmm");
  // Same seed, same samples.
  auto g1 = make_gen(5), g2 = make_gen(5);
  EXPECT_TRUE(torch::equal(t.sample(100, g1), t.sample(100, g2)));
}

// sample(n) returns [n, D]; n = 0 is a valid count (e.g. zero anchors or zero extra particles
// requested) and should give an empty [0, D] batch.
TEST(GaussianMixture, ZeroSamplesIsAnEmptyBatch) {
  auto gen = make_gen(113);
  auto t = two_component_2d();
  torch::Tensor a;
  EXPECT_NO_THROW(a = t.sample(0, gen));  // torch::multinomial rejects n = 0
  if (a.defined()) EXPECT_EQ(a.sizes(), (std::vector<int64_t>{0, 2}));
}

TEST(GaussianMixture, BadArgumentsThrow) {
  auto eye = torch::eye(2, torch::kFloat64).unsqueeze(0);
  auto mu = torch::zeros({1, 2}, torch::kFloat64);
  auto w = torch::ones({1}, torch::kFloat64);
  expect_error([&] { GaussianMixture(torch::zeros({2}, torch::kFloat64), eye, w); }, "means");
  expect_error([&] { GaussianMixture(mu, torch::eye(2, torch::kFloat64), w); }, "covariances");
  expect_error([&] { GaussianMixture(mu, torch::eye(3, torch::kFloat64).unsqueeze(0), w); }, "covariances");
  expect_error([&] { GaussianMixture(mu, eye, torch::ones({2}, torch::kFloat64)); }, "weights");
  expect_error([&] { GaussianMixture(mu, eye, torch::zeros({1}, torch::kFloat64)); }, "weights");
  expect_error([&] { GaussianMixture(mu, eye, -torch::ones({1}, torch::kFloat64)); }, "weights");
  // cn_gaussian_mixture
  expect_error([] { target::cn_gaussian_mixture(0, 3, 1, 0.2); }, "n >= 1");
  expect_error([] { target::cn_gaussian_mixture(4, -1, 1, 0.2); }, "radius");
  expect_error([] { target::cn_gaussian_mixture(4, 3, 0, 0.2); }, "variances");
  expect_error([] { target::cn_gaussian_mixture(4, 3, 1, -0.2); }, "variances");
  // Points of the wrong dimension name the target.
  auto t = two_component_2d();
  expect_error([&] { t.log_prob(torch::zeros({3, 3}, torch::kFloat64)); }, "gmm");
  expect_error([&] { t.score(torch::zeros({3}, torch::kFloat64)); }, "gmm");
}

TEST(GaussianMixture, NonPositiveDefiniteCovarianceIsAnEsvgdError) {
  // Bad user input like the shapes above: the library's one exception type is esvgd::Error
  // (error.h: "use ESVGD_CHECK at every boundary"), not a LibTorch error from inside the Cholesky.
  auto mu = torch::zeros({1, 2}, torch::kFloat64);
  auto w = torch::ones({1}, torch::kFloat64);
  expect_error([&] { GaussianMixture(mu, -torch::eye(2, torch::kFloat64).unsqueeze(0), w); }, "positive");
  auto indefinite = torch::tensor({1.0, 2.0, 2.0, 1.0}, torch::kFloat64).view({1, 2, 2});
  expect_error([&] { GaussianMixture(mu, indefinite, w); }, "positive");
}

TEST(GaussianMixture, AsymmetricCovarianceIsRejected) {
  // The Cholesky reads the lower triangle only, so an asymmetric "covariance" is silently replaced
  // by its lower triangle's symmetric completion: [[1, 0.9], [0, 1]] acts as the identity.
  auto mu = torch::zeros({1, 2}, torch::kFloat64);
  auto w = torch::ones({1}, torch::kFloat64);
  auto asym = torch::tensor({1.0, 0.9, 0.0, 1.0}, torch::kFloat64).view({1, 2, 2});
  expect_error([&] { GaussianMixture(mu, asym, w); }, "symmetric");
}

}  // namespace
}  // namespace esvgd::test
