// Analytic scores against autograd of log_prob and against central finite differences of log_prob.
#include <memory>
#include <vector>

#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

torch::Tensor autograd_score(const target::Target& t, const torch::Tensor& X) {
  torch::AutoGradMode on(true);
  auto x = X.detach().clone().requires_grad_(true);
  return torch::autograd::grad({t.log_prob(x).sum()}, {x})[0];
}

torch::Tensor fd_score(const target::Target& t, const torch::Tensor& X, double delta) {
  auto out = torch::zeros_like(X);
  for (int64_t d = 0; d < X.size(1); ++d) {
    auto Xp = X.clone(), Xm = X.clone();
    Xp.select(1, d) += delta;
    Xm.select(1, d) -= delta;
    out.select(1, d).copy_((t.log_prob(Xp) - t.log_prob(Xm)) / (2 * delta));
  }
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<target::Target>>> targets() {
  // A general 3-D mixture: unequal weights, correlated covariances.
  auto means = torch::tensor({0.0, 0.0, 0.0, 2.0, -1.0, 0.5, -1.5, 1.0, 2.0}, torch::kFloat64).view({3, 3});
  auto A = torch::tensor({1.0, 0.3, -0.2, 0.0, 0.8, 0.4, 0.1, 0.0, 0.5}, torch::kFloat64).view({3, 3});
  auto covs = torch::stack({torch::eye(3, torch::kFloat64), torch::matmul(A, A.t()) + 0.1 * torch::eye(3, torch::kFloat64),
                            torch::diag(torch::tensor({0.3, 2.0, 0.7}, torch::kFloat64))});
  auto weights = torch::tensor({1.0, 3.0, 0.5}, torch::kFloat64);
  return {
      {"gmm-3d", std::make_shared<target::GaussianMixture>(means, covs, weights)},
      {"c4", std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(4, 3, 1, 0.2))},
      {"c6", std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(6, 2, 0.5, 0.1))},
      {"circles", std::make_shared<target::RadialMixture>(2, std::vector<double>{4.0, 8.0}, 0.5)},
      {"circles-weighted",
       std::make_shared<target::RadialMixture>(2, std::vector<double>{1.0, 2.0, 3.5}, 0.3,
                                               std::vector<double>{0.2, 0.5, 0.3})},
      {"spheres", std::make_shared<target::RadialMixture>(3, std::vector<double>{1.0, 3.0}, 0.4)},
  };
}

TEST(Score, MatchesAutogradAndFiniteDifferences) {
  auto gen = make_gen(101);
  for (const auto& [label, t] : targets()) {
    // Typical points (exact samples) and far ones (tails, where responsibilities saturate).
    auto X = torch::cat({t->sample(200, gen), 4.0 * torch::randn({50, t->dim()}, gen, torch::kFloat64)});
    // Keep away from the origin, where the radial scores have their kink.
    X = X.index({X.norm(2, 1) > 0.05});
    auto s = t->score(X);
    ASSERT_EQ(s.sizes(), X.sizes()) << label;
    // Autograd differentiates the same closed form: agreement to rounding (~1e-15) is expected;
    // 1e-10 relative to max|s| is the brief's bound.
    EXPECT_LT(rel_err(s, autograd_score(*t, X)), 1e-10) << label;
    // Central differences, δ = 1e-5: truncation δ²|∂³log π| ~ 1e-10, rounding 1e-16 |log π|/δ ≲ 1e-9.
    EXPECT_LT(rel_err(s, fd_score(*t, X, 1e-5)), 1e-6) << label;
    // The default Target::score (autograd) agrees as well.
    EXPECT_LT(rel_err(s, t->target::Target::score(X)), 1e-10) << label;
  }
}

TEST(Score, InvariantTargetsHaveEquivariantScores) {
  // π(R x) = π(x) ⇒ s(R x) = R s(x): C4 rotations for the C4 mixture, any rotation for the rings.
  auto gen = make_gen(102);
  auto c4 = target::cn_gaussian_mixture(4, 3, 1, 0.2);
  auto X = c4.sample(100, gen);
  const double c = std::cos(M_PI / 2), s = std::sin(M_PI / 2);
  auto R = torch::tensor({c, -s, s, c}, torch::kFloat64).view({2, 2});
  auto XR = torch::matmul(X, R.t());
  EXPECT_LT(rel_err(c4.score(XR), torch::matmul(c4.score(X), R.t())), 1e-12);
  EXPECT_LT((c4.log_prob(XR) - c4.log_prob(X)).abs().max().item<double>(), 1e-12);
  target::RadialMixture rings(2, {4.0, 8.0}, 0.5);
  auto R2 = torch::tensor({std::cos(0.7), -std::sin(0.7), std::sin(0.7), std::cos(0.7)}, torch::kFloat64).view({2, 2});
  auto Y = rings.sample(100, gen);
  EXPECT_LT(rel_err(rings.score(torch::matmul(Y, R2.t())), torch::matmul(rings.score(Y), R2.t())), 1e-12);
}

TEST(Score, RadialScoreIsZeroAtOrigin) {
  target::RadialMixture rings(2, {4.0, 8.0}, 0.5);
  auto s = rings.score(torch::zeros({1, 2}, torch::kFloat64));
  EXPECT_TRUE(torch::isfinite(s).all().item<bool>());
  EXPECT_EQ(s.abs().max().item<double>(), 0.0);
}

TEST(Score, Float32InputsAreAccepted) {
  auto c4 = target::cn_gaussian_mixture(4, 3, 1, 0.2);
  auto gen = make_gen(103);
  auto X = c4.sample(50, gen);
  auto s32 = c4.score(X.to(torch::kFloat32));
  EXPECT_LT(rel_err(s32.to(torch::kFloat64), c4.score(X)), 1e-5);
}

}  // namespace
}  // namespace esvgd::test
