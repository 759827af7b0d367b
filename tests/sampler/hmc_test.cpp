// HMC and MALA: the stationary moments of a correlated Gaussian, the acceptance rate that dual
// averaging reaches, exactness at a step size far from the adapted one (a wrong Metropolis ratio
// shifts the variance there), the autograd gradient, and the errors.
#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/sampler/hmc.h"
#include "test_support.h"

using namespace esvgd;

namespace {

/// N(μ, Σ) in 3-D with correlations: log π and its gradient in closed form.
struct Gaussian {
  torch::Tensor mu = torch::tensor({1.0, -2.0, 0.5}, torch::kFloat64);
  torch::Tensor cov = torch::tensor({{2.0, 0.6, 0.0}, {0.6, 1.0, -0.3}, {0.0, -0.3, 0.5}}, torch::kFloat64);
  torch::Tensor precision = torch::inverse(cov);

  sampler::LogDensityAndGradient operator()(const torch::Tensor& X) const {
    const auto d = X - mu;
    const auto Pd = torch::matmul(d, precision);
    return {-0.5 * (d * Pd).sum(1), -Pd};
  }
  torch::Tensor exact(int64_t n, at::Generator& gen) const {
    return mu + torch::matmul(torch::randn({n, 3}, gen, torch::kFloat64), torch::linalg_cholesky(cov).t());
  }
};

/// Sample mean and covariance of [S, N, D] samples pooled over steps and chains.
std::pair<torch::Tensor, torch::Tensor> moments(const torch::Tensor& samples) {
  const auto x = samples.reshape({-1, samples.size(2)});
  const auto m = x.mean(0);
  const auto c = x - m;
  return {m, torch::matmul(c.t(), c) / static_cast<double>(x.size(0) - 1)};
}

void expect_moments(const Gaussian& g, const torch::Tensor& samples, double tol, const std::string& what) {
  const auto [m, c] = moments(samples);
  EXPECT_LT((m - g.mu).abs().max().item<double>(), tol) << what << ": mean " << m;
  EXPECT_LT((c - g.cov).abs().max().item<double>(), 2 * tol) << what << ": covariance " << c;
}

}  // namespace

TEST(Hmc, AdaptedChainsSampleTheGaussianAtTheTargetAcceptance) {
  const Gaussian g;
  auto gen = test::make_gen(1);
  const auto X0 = torch::randn({200, 3}, gen, torch::kFloat64);
  for (const int64_t L : {5, 1}) {  // HMC and MALA
    const auto o = sampler::HmcOptions().leapfrog_steps(L).step_size(0.5).warmup(300).max_steps(L == 1 ? 2300 : 1300);
    auto s = sampler::init(X0, g, o, gen);
    const auto r = sampler::run(s, g, o);
    const std::string what = L == 1 ? "MALA" : "HMC";
    EXPECT_EQ(r.samples.size(0), o.max_steps() - o.warmup()) << what;
    EXPECT_GE(r.acceptance_rate, 0.6) << what;
    EXPECT_LE(r.acceptance_rate, 0.9) << what;
    EXPECT_NE(r.step_size, 0.5) << what << ": the step size was not adapted";
    expect_moments(g, r.samples, 0.05, what);
  }
}

TEST(Hmc, ExactChainsKeepTheTargetAtABadStepSize) {
  // Started from exact samples with a step size that accepts about half the proposals: the law must
  // stay π. Dropping the kinetic energy from the Metropolis ratio, or the final half momentum step,
  // changes the variance by far more than the tolerance.
  const Gaussian g;
  auto gen = test::make_gen(2);
  const auto o = sampler::HmcOptions().leapfrog_steps(3).step_size(0.8).max_steps(60);
  auto s = sampler::init(g.exact(8000, gen), g, o, gen);
  const auto r = sampler::run(s, g, o);
  EXPECT_GT(r.acceptance_rate, 0.2) << r.acceptance_rate;
  EXPECT_LT(r.acceptance_rate, 0.8);
  expect_moments(g, r.samples.narrow(0, 20, 40), 0.05, "ε = 0.8");
}

TEST(Hmc, AutogradGradientEqualsTheClosedForm) {
  const Gaussian g;
  auto gen = test::make_gen(3);
  const auto X = torch::randn({7, 3}, gen, torch::kFloat64);
  const auto by_autograd = sampler::with_autograd([&](const torch::Tensor& x) {
    const auto d = x - g.mu;
    return -0.5 * (d * torch::matmul(d, g.precision)).sum(1);
  })(X);
  const auto exact = g(X);
  EXPECT_TRUE(torch::allclose(by_autograd.log_prob, exact.log_prob, 0, 1e-12));
  EXPECT_TRUE(torch::allclose(by_autograd.grad, exact.grad, 0, 1e-12));
}

TEST(Hmc, BadOptionsAndStartsAreClearErrors) {
  const Gaussian g;
  auto gen = test::make_gen(4);
  const auto X0 = torch::zeros({2, 3}, torch::kFloat64);
  test::expect_error([&] { sampler::init(X0, g, sampler::HmcOptions().step_size(0), gen); }, "HmcOptions::step_size");
  test::expect_error([&] { sampler::init(X0, g, sampler::HmcOptions().leapfrog_steps(0), gen); },
                     "HmcOptions::leapfrog_steps");
  test::expect_error([&] { sampler::init(X0, g, sampler::HmcOptions().max_steps(5).warmup(6), gen); },
                     "HmcOptions::warmup");
  test::expect_error([&] { sampler::init(X0, g, sampler::HmcOptions().target_acceptance(1), gen); },
                     "HmcOptions::target_acceptance");
  const sampler::LogDensityFn nowhere = [](const torch::Tensor& X) {
    return sampler::LogDensityAndGradient{torch::full({X.size(0)}, -INFINITY, X.options()), torch::zeros_like(X)};
  };
  auto s = sampler::init(X0, nowhere, sampler::HmcOptions(), gen);
  test::expect_error([&] { sampler::step(s, nowhere, sampler::HmcOptions()); }, ErrorKind::kNumerical,
                     {"HMC step 1", "log π is NaN or inf"});
}
