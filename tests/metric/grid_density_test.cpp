// Grid-normalised KL divergences against closed forms.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/metric/grid_density.h"
#include "test_support.h"

using namespace esvgd;

namespace {
/// Unnormalised log N(μ, diag(s²)) at the rows of P.
torch::Tensor log_gauss(const torch::Tensor& P, double mx, double my, double sx, double sy) {
  auto dx = (P.select(1, 0) - mx) / sx, dy = (P.select(1, 1) - my) / sy;
  return -0.5 * (dx * dx + dy * dy) + 7.0;  // an arbitrary constant: normalisation is the metric's job
}
}  // namespace

TEST(GridKl, MatchesClosedFormGaussianKl) {
  auto P = metric::grid_points(-12, 12, 300);
  ASSERT_EQ(P.size(0), 300 * 300);
  // KL(N(0, I) ‖ N((1, 0), diag(4, 1))) = ½ [tr(Σ₂⁻¹Σ₁) + μᵀΣ₂⁻¹μ − 2 + log det Σ₂/det Σ₁]
  const double kl = 0.5 * (0.25 + 1 + 0.25 - 2 + std::log(4.0));
  const double kl_rev = 0.5 * (4 + 1 + 1 - 2 - std::log(4.0));
  auto r = metric::grid_kl(log_gauss(P, 0, 0, 1, 1), log_gauss(P, 1, 0, 2, 1));
  EXPECT_NEAR(r.forward, kl, 1e-4);
  EXPECT_NEAR(r.reverse, kl_rev, 1e-4);
  auto same = metric::grid_kl(log_gauss(P, 0, 0, 1, 1), log_gauss(P, 0, 0, 1, 1) - 3.0);
  EXPECT_NEAR(same.forward, 0.0, 1e-12);
}

TEST(GridKl, GridOrderIsRowMajorWithXFastest) {
  auto P = metric::grid_points(0, 4, 4);
  EXPECT_DOUBLE_EQ(P[1][0].item<double>(), 1.5);
  EXPECT_DOUBLE_EQ(P[1][1].item<double>(), 0.5);
  EXPECT_DOUBLE_EQ(P[4][1].item<double>(), 1.5);
}

TEST(GridKl, Errors) {
  test::expect_error([] { metric::grid_kl(torch::zeros({4}), torch::zeros({5})); }, "same grid");
  test::expect_error([] { metric::grid_kl(torch::full({4}, NAN), torch::zeros({4})); }, "finite");
  test::expect_error([] { metric::grid_points(1, 0, 4); }, "hi > lo");
}
