// Langevin dynamics: stationary moments on a Gaussian (σ = 1 and a colder σ), the drift clip, the box,
// determinism for a generator seed, and option errors naming their keys.
#include <cstdio>

#include "esvgd/core/error.h"
#include "esvgd/sampler/langevin.h"
#include "sampler/gaussian_target.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using sampler::Langevin;
using sampler::LangevinOptions;

/// Time-averaged moments of 2000 chains over the second half of 4000 steps of ε = 0.005.
std::pair<torch::Tensor, torch::Tensor> stationary_moments(double noise, uint64_t seed) {
  auto o = LangevinOptions().step_size(0.005).noise(noise).max_steps(1);
  Langevin langevin(gaussian_score(kMean, kVar), o);
  auto gen = make_gen(seed);
  auto X = torch::randn({2000, 2}, gen, torch::kFloat64) * 3;
  auto mean = torch::zeros({2}, torch::kFloat64), var = torch::zeros({2}, torch::kFloat64);
  const int steps = 4000;
  for (int t = 0; t < steps; ++t) {
    X = langevin.run(X, {}, gen).particles;
    if (t >= steps / 2) {
      mean += X.mean(0) / (steps / 2);
      var += X.var(0) / (steps / 2);
    }
  }
  return {mean, var};
}

TEST(Langevin, StationaryMomentsOfAGaussian) {
  // ULA's stationary variance is s²/(1 − ε/(4s²)): 0.5 % above s² = 0.25 here, inside the tolerance.
  const auto [mean, var] = stationary_moments(1.0, 11);
  std::printf("[ langevin ] mean %.4f %.4f (truth 1 -2), variance %.4f %.4f (truth 1 0.25)\n", mean[0].item<double>(),
              mean[1].item<double>(), var[0].item<double>(), var[1].item<double>());
  EXPECT_LT((mean - kMean).abs().max().item<double>(), 0.03);
  EXPECT_LT(((var - kVar) / kVar).abs().max().item<double>(), 0.04);
}

TEST(Langevin, NoiseScaleSamplesAColderDensity) {
  // σ < 1 samples π^{1/σ²}: for a Gaussian the variance shrinks by σ².
  const double sigma = 0.5;
  const auto [mean, var] = stationary_moments(sigma, 12);
  EXPECT_LT((mean - kMean).abs().max().item<double>(), 0.02);
  EXPECT_LT(((var - sigma * sigma * kVar) / (sigma * sigma * kVar)).abs().max().item<double>(), 0.04);
}

TEST(Langevin, ClipBoundsEachSamplesDrift) {
  auto o = LangevinOptions().step_size(0.1).clip(0.3);
  Langevin langevin(gaussian_score(kMean, kVar), o);
  auto X = torch::tensor({{1.0, -2.0}, {1.1, -2.0}, {50.0, 40.0}}, torch::kFloat64);
  auto d = langevin.drift(X);
  auto norms = d.norm(2, 1);
  EXPECT_NEAR(norms[2].item<double>(), 0.3, 1e-12);  // far away: clipped to c, direction kept
  EXPECT_TRUE(torch::allclose(d[2] / norms[2], -(X[2] - kMean) / kVar / (-(X[2] - kMean) / kVar).norm()));
  EXPECT_NEAR(d[1][0].item<double>(), 0.05 * -0.1, 1e-12);  // short drifts are untouched: (ε/2) s
  EXPECT_EQ(d[0].abs().max().item<double>(), 0.0);
}

TEST(Langevin, ClampKeepsChainsInTheBoxAndLeavesInnerStepsAlone) {
  auto o = LangevinOptions().step_size(0.5).low(0.0).high(1.0);
  Langevin boxed(gaussian_score(kMean, kVar), o);
  // The Gaussian's mean (1, -2) lies outside [0, 1]², so unclamped chains would leave the box.
  auto X = torch::full({64, 2}, 0.5, torch::kFloat64);
  auto xi = torch::zeros({64, 2}, torch::kFloat64);
  xi[0][0] = 0.1;  // one small kick that stays inside: the step is exact there
  auto next = boxed.step(X, xi);
  EXPECT_EQ(next.min().item<double>(), 0.0);  // the second coordinate wants -2: held at 0
  EXPECT_NEAR(next[0][0].item<double>(), 0.5 + 0.25 * 0.5 + std::sqrt(0.5) * 0.1, 1e-12);
  auto gen = make_gen(3);
  o.max_steps(200);
  o.noise(3.0);
  auto chains = Langevin(gaussian_score(kMean, kVar), o).run(X, {}, gen).particles;
  EXPECT_GE(chains.min().item<double>(), 0.0);
  EXPECT_LE(chains.max().item<double>(), 1.0);
  EXPECT_GT(chains.std().item<double>(), 0.1);  // still moving, not stuck on the walls
}

TEST(Langevin, SameGeneratorSameChains) {
  auto o = LangevinOptions().max_steps(50);
  Langevin langevin(gaussian_score(kMean, kVar), o);
  auto X0 = torch::zeros({16, 2}, torch::kFloat64);
  auto g1 = make_gen(5), g2 = make_gen(5), g3 = make_gen(6);
  auto a = langevin.run(X0, {}, g1), b = langevin.run(X0, {}, g2), c = langevin.run(X0, {}, g3);
  EXPECT_TRUE(torch::equal(a.particles, b.particles));
  EXPECT_FALSE(torch::equal(a.particles, c.particles));
  EXPECT_EQ(a.steps, 50);
  EXPECT_EQ(a.interacting, -1.0);  // no kernel
}

TEST(Langevin, DivergenceAndBadOptionsAreClearErrors) {
  auto expect_error = [](LangevinOptions o, const std::string& key) {
    try {
      Langevin(gaussian_score(kMean, kVar), o);
      ADD_FAILURE() << "no error for " << key;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  auto o = LangevinOptions().step_size(0);
  expect_error(o, "LangevinOptions::step_size");
  o = {};
  o.noise(-1);
  expect_error(o, "LangevinOptions::noise");
  o = {};
  o.clip(std::nan(""));
  expect_error(o, "LangevinOptions::clip");
  o = {};
  o.max_steps(-1);
  expect_error(o, "LangevinOptions::max_steps");
  o = {};
  o.low(1.0);
  o.high(0.0);
  expect_error(o, "LangevinOptions::low");
  o = {};
  o.high(std::nan(""));
  expect_error(o, "LangevinOptions::low");

  auto big = LangevinOptions()
                 .step_size(10)  // ε/(2s²) = 20: every step overshoots further
                 .max_steps(2000);
  Langevin unstable(gaussian_score(kMean, kVar), big);
  auto gen = make_gen(1);
  try {
    unstable.run(torch::ones({4, 2}, torch::kFloat64), {}, gen);
    ADD_FAILURE() << "no error for a diverging run";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNumerical);
    EXPECT_NE(std::string(e.what()).find("Langevin step"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace esvgd::test
