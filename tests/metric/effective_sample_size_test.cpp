// The effective sample size: about M·S for independent draws, M·S(1 − ρ)/(1 + ρ) for AR(1) chains,
// far below M·S when the chains sit in different places, and its error.
#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/metric/effective_sample_size.h"

namespace esvgd::test {
namespace {

/// M chains of S states of a stationary AR(1) process with correlation rho, D coordinates.
torch::Tensor ar1(int64_t S, int64_t M, int64_t D, double rho, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  const auto noise = torch::randn({S, M, D}, gen, torch::kFloat64);
  auto x = torch::empty({S, M, D}, torch::kFloat64);
  x[0] = noise[0];
  for (int64_t t = 1; t < S; ++t) x[t] = rho * x[t - 1] + std::sqrt(1 - rho * rho) * noise[t];
  return x;
}

TEST(EffectiveSampleSize, IndependentDrawsCountFully) {
  const auto ess = metric::effective_sample_size(ar1(2000, 4, 3, 0.0, 1));
  for (int64_t d = 0; d < 3; ++d) EXPECT_NEAR(ess[d].item<double>() / 8000, 1.0, 0.15) << ess;
}

TEST(EffectiveSampleSize, Ar1ChainsMatchTheIntegratedAutocorrelationTime) {
  const double rho = 0.9;  // τ = (1 + ρ)/(1 − ρ) = 19
  const auto ess = metric::effective_sample_size(ar1(4000, 4, 2, rho, 2));
  for (int64_t d = 0; d < 2; ++d) EXPECT_NEAR(ess[d].item<double>() / (16000 / 19.0), 1.0, 0.2) << ess;
}

TEST(EffectiveSampleSize, ChainsInDifferentPlacesCountLittle) {
  auto x = ar1(1000, 2, 1, 0.0, 3);
  x.select(1, 1) += 5;  // the second chain never visits the first one's region
  EXPECT_LT(metric::effective_sample_size(x)[0].item<double>(), 0.05 * 2000);
}

TEST(EffectiveSampleSize, NeedsStatesChainsAndCoordinates) {
  try {
    metric::effective_sample_size(torch::zeros({3, 2}, torch::kFloat64));
    FAIL() << "a 2-D tensor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("samples [S >= 4, M >= 1, D]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace esvgd::test
