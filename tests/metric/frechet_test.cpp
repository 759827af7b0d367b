// The Fréchet distance against its closed form for Gaussians, its invariances, and its errors.
#include <gtest/gtest.h>

#include "esvgd/core/error.h"
#include "esvgd/metric/frechet.h"

namespace esvgd::test {
namespace {

/// Rows whose sample mean and covariance are exactly mean and L Lᵀ: whitened Gaussian draws mapped
/// by L (so the closed form applies to the estimate itself, not only in expectation).
torch::Tensor exact_moments(const torch::Tensor& mean, const torch::Tensor& L, int64_t n, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto Z = torch::randn({n, mean.size(0)}, gen, torch::kFloat64);
  Z = Z - Z.mean(0);
  const auto C = torch::matmul(Z.t(), Z) / static_cast<double>(n - 1);
  Z = torch::matmul(Z, torch::linalg_inv(torch::linalg_cholesky(C)).t());  // sample covariance I
  return torch::matmul(Z, L.t()) + mean;
}

TEST(Frechet, MatchesTheClosedFormOfTwoGaussians) {
  // FD = |μa − μb|² + tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½); for Σa = diag(a²), Σb = R diag(b²) Rᵀ in 2-D the
  // cross term is computed here independently from the 2×2 formula tr(√M) = √(tr M + 2 √det M).
  const auto mu_a = torch::tensor({0.0, 1.0}, torch::kFloat64), mu_b = torch::tensor({2.0, -1.0}, torch::kFloat64);
  const double t = 0.7;
  const auto R = torch::tensor({std::cos(t), -std::sin(t), std::sin(t), std::cos(t)}, torch::kFloat64).view({2, 2});
  const auto La = torch::diag(torch::tensor({1.0, 3.0}, torch::kFloat64));
  const auto Lb = torch::matmul(R, torch::diag(torch::tensor({2.0, 0.5}, torch::kFloat64)));
  const auto A = exact_moments(mu_a, La, 500, 1), B = exact_moments(mu_b, Lb, 700, 2);
  const auto Sa = torch::matmul(La, La.t()), Sb = torch::matmul(Lb, Lb.t());
  const auto root_a = torch::diag(torch::tensor({1.0, 3.0}, torch::kFloat64));
  const auto M = torch::matmul(torch::matmul(root_a, Sb), root_a);
  const double cross = std::sqrt(torch::trace(M).item<double>() + 2 * std::sqrt(torch::det(M).item<double>()));
  const double expected = (mu_a - mu_b).square().sum().item<double>() + torch::trace(Sa).item<double>() +
                          torch::trace(Sb).item<double>() - 2 * cross;
  EXPECT_NEAR(metric::frechet_distance(A, B), expected, 1e-9 * expected);
  EXPECT_NEAR(metric::frechet_distance(B, A), expected, 1e-9 * expected);
}

TEST(Frechet, ZeroForTheSameSetAndTheShiftSquaredForATranslate) {
  auto gen = at::detail::createCPUGenerator(3);
  const auto A = torch::randn({200, 16}, gen, torch::kFloat64);
  EXPECT_NEAR(metric::frechet_distance(A, A), 0.0, 1e-8);
  const auto shift = torch::linspace(-1, 1, 16, torch::kFloat64);
  EXPECT_NEAR(metric::frechet_distance(A, A + shift), shift.square().sum().item<double>(), 1e-8);
  // More features than samples (rank-deficient covariances) still gives a finite, non-negative FD.
  const auto few = torch::randn({5, 16}, gen, torch::kFloat64);
  const double fd = metric::frechet_distance(few, A);
  EXPECT_TRUE(std::isfinite(fd));
  EXPECT_GT(fd, 0.0);
  // Float32 features give the float64 answer to float32 rounding.
  EXPECT_NEAR(metric::frechet_distance(A.to(torch::kFloat32), (A + shift).to(torch::kFloat32)),
              shift.square().sum().item<double>(), 1e-4);
}

TEST(Frechet, BadFeaturesNameTheProblem) {
  auto message = [](const torch::Tensor& A, const torch::Tensor& B) {
    try {
      metric::frechet_distance(A, B);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto ok = torch::zeros({4, 3}, torch::kFloat64);
  EXPECT_NE(message(ok, torch::zeros({4, 2}, torch::kFloat64)).find("got [4, 3] and [4, 2]"), std::string::npos);
  EXPECT_NE(message(torch::zeros({1, 3}, torch::kFloat64), ok).find("[N >= 2, F]"), std::string::npos);
  auto bad = ok.clone();
  bad[1][2] = std::nan("");
  EXPECT_NE(message(ok, bad).find("features must be finite"), std::string::npos);
}

}  // namespace
}  // namespace esvgd::test
