// The SVGD loop: recovery of a correlated Gaussian, determinism, stop rules, anchors, annealing,
// the median heuristic, NaN handling and option validation.
#include <cstdio>
#include <memory>

#include "esvgd/kernel/median.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using sampler::Svgd;
using sampler::SvgdOptions;

const torch::Tensor& gauss_mean() {
  static const auto m = torch::tensor({1.0, -2.0}, torch::kFloat64);
  return m;
}
const torch::Tensor& gauss_cov() {
  // Non-isotropic and correlated (ρ = 0.6): eigenvalues ≈ 1.98 and 0.27.
  static const auto c = torch::tensor({1.5, 0.6, 0.6, 0.75}, torch::kFloat64).view({2, 2});
  return c;
}
const target::GaussianMixture& gauss() {
  static const target::GaussianMixture t(gauss_mean().unsqueeze(0), gauss_cov().unsqueeze(0),
                                         torch::ones({1}, torch::kFloat64), "gauss");
  return t;
}

SvgdOptions recovery_options() {
  auto o = SvgdOptions()
               .optimizer(sampler::OptimizerOptions().kind(sampler::OptimizerKind::kSgd).step_size(0.2))
               .max_steps(2000)
               .median(true);
  return o;
}

TEST(Svgd, RecoversCorrelatedGaussian) {
  auto gen = make_gen(301);
  auto X0 = torch::randn({200, 2}, gen, torch::kFloat64);  // N(0, I): wrong mean, wrong covariance
  Svgd svgd(target::score_fn(gauss()), std::make_shared<kernel::RbfKernel>(1.0), recovery_options());
  auto res = svgd.run(X0);
  EXPECT_EQ(res.steps, 2000);
  EXPECT_EQ(res.stop_reason, sampler::StopReason::kMaxSteps);
  auto X = res.particles;
  auto mean = X.mean(0);
  auto Xc = X - mean;
  auto cov = torch::matmul(Xc.t(), Xc) / 200.0;
  const double mean_err = (mean - gauss_mean()).abs().max().item<double>();
  auto cov_rel = ((cov - gauss_cov()).abs() / gauss_cov().abs());
  std::printf("[ svgd gaussian ] mean error %.4f, covariance %.4f %.4f %.4f (truth 1.5 0.6 0.75), max rel err %.3f\n",
              mean_err, cov[0][0].item<double>(), cov[0][1].item<double>(), cov[1][1].item<double>(),
              cov_rel.max().item<double>());
  // Measured (seed 301, sgd ε = 0.2, median bandwidth h ≈ 0.5): mean error 0.0016; covariance
  // (1.422, 0.570, 0.715), i.e. every entry ~5% low. That is SVGD's finite-N fixed point, not a lack
  // of convergence: at 20000 steps it is (1.429, 0.570, 0.716) and the mean displacement is 1e-6.
  // (Liu's adagrad, whose normalised step never shrinks, jitters at ~5% around the same values.)
  // Tolerances: mean within 0.01, covariance entries within 8%.
  EXPECT_LT(mean_err, 0.01);
  EXPECT_LT(cov_rel.max().item<double>(), 0.08);
  // Started far from the target, the particles moved: the initial mean error was ~2.
  EXPECT_GT((X0.mean(0) - gauss_mean()).abs().max().item<double>(), 1.5);
}

TEST(Svgd, SameSeedGivesBitIdenticalParticles) {
  auto run_once = [] {
    auto gen = make_gen(302);
    auto X0 = torch::randn({100, 2}, gen, torch::kFloat64);
    auto o = recovery_options();
    o.optimizer().kind(sampler::OptimizerKind::kAdagrad);
    o.optimizer().step_size(0.05);
    o.max_steps(200);
    o.median_max_pairs(1000);  // subsampled median: exercises the seeded pair draw too
    Svgd svgd(target::score_fn(gauss()), std::make_shared<kernel::RbfKernel>(1.0), o);
    return svgd.run(X0).particles;
  };
  auto a = run_once(), b = run_once();
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(Svgd, EpsilonStopRuleConverges) {
  auto gen = make_gen(303);
  auto X0 = gauss().sample(50, gen);
  auto o = SvgdOptions().optimizer(sampler::OptimizerOptions().step_size(0.1)).max_steps(20000).epsilon(1e-4);
  Svgd svgd(target::score_fn(gauss()), std::make_shared<kernel::RbfKernel>(0.7), o);
  std::vector<double> disp;
  auto res = svgd.run(X0, {}, [&](const sampler::StepInfo& info, const torch::Tensor&) {
    disp.push_back(info.mean_displacement);
    EXPECT_EQ(info.step, static_cast<int64_t>(disp.size()) - 1);
    return true;
  });
  EXPECT_EQ(res.stop_reason, sampler::StopReason::kConverged);
  EXPECT_LT(res.steps, 20000);
  ASSERT_EQ(static_cast<int64_t>(disp.size()), res.steps);
  EXPECT_LT(disp.back(), 1e-4);
  for (size_t k = 0; k + 1 < disp.size(); ++k) ASSERT_GE(disp[k], 1e-4) << "should have stopped at step " << k;
}

TEST(Svgd, CallbackReturningFalseStops) {
  auto gen = make_gen(304);
  auto X0 = gauss().sample(20, gen);
  auto o = SvgdOptions().max_steps(100);
  Svgd svgd(target::score_fn(gauss()), std::make_shared<kernel::RbfKernel>(1.0), o);
  torch::Tensor seen;
  auto res = svgd.run(X0, {}, [&](const sampler::StepInfo& info, const torch::Tensor& X) {
    seen = X.clone();
    return info.step < 2;
  });
  EXPECT_EQ(res.stop_reason, sampler::StopReason::kCallback);
  EXPECT_EQ(res.steps, 3);
  EXPECT_TRUE(torch::equal(res.particles, seen));
}

TEST(Svgd, MaxStepsZeroReturnsInitialParticles) {
  auto gen = make_gen(305);
  auto X0 = gauss().sample(10, gen);
  auto o = SvgdOptions().max_steps(0);
  Svgd svgd(target::score_fn(gauss()), std::make_shared<kernel::RbfKernel>(1.0), o);
  auto res = svgd.run(X0);
  EXPECT_EQ(res.steps, 0);
  EXPECT_TRUE(torch::equal(res.particles, X0));
}

/// Liu & Wang's φ over the interacting set Y = X ∪ anchors, by hand.
torch::Tensor manual_phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S, double h, double T,
                         double gamma) {
  const int64_t N = X.size(0), M = Y.size(0);
  auto out = torch::zeros_like(X);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < M; ++j) {
      auto d = X[i] - Y[j];
      auto k = torch::exp(-d.dot(d) / (2 * h * h));
      out[i] += k * (gamma * S[j] + T * d / (h * h));
    }
  return out / static_cast<double>(M);
}

TEST(Svgd, AnchorsAreFixedAndCountInM) {
  auto gen = make_gen(306);
  auto X = gauss().sample(6, gen), A = gauss().sample(4, gen) + 0.3;
  const double h = 0.9, T = 2.0, eps = 0.05;
  auto o = SvgdOptions().optimizer(sampler::OptimizerOptions().step_size(eps)).temperature(T).max_steps(1);
  int64_t anchor_calls = 0, particle_calls = 0;
  auto counting_score = [&](const torch::Tensor& Z) {
    (Z.size(0) == 4 ? anchor_calls : particle_calls)++;
    return gauss().score(Z);
  };
  Svgd svgd(counting_score, std::make_shared<kernel::RbfKernel>(h), o);
  auto Y = torch::cat({X, A});
  auto expect = manual_phi(X, Y, gauss().score(Y), h, T, 1.0);
  // direction(): M = N + A = 10 (not N = 6).
  EXPECT_LT(rel_err(svgd.direction(X, A), expect), 1e-13);
  EXPECT_GT(rel_err(svgd.direction(X), expect), 1e-2);
  // Given anchor scores are used as given (here zero).
  auto S0 = torch::cat({gauss().score(X), torch::zeros({4, 2}, torch::kFloat64)});
  EXPECT_LT(rel_err(svgd.direction(X, A, torch::zeros({4, 2}, torch::kFloat64)), manual_phi(X, Y, S0, h, T, 1.0)),
            1e-13);
  // Annealing weights the driving term only.
  EXPECT_LT(rel_err(svgd.direction(X, A, {}, 0.3), manual_phi(X, Y, gauss().score(Y), h, T, 0.3)), 1e-13);
  // run(): one sgd step moves X by ε φ; anchors are not moved (only X is returned, and the anchor
  // tensor is untouched), and their scores are computed once per run, not once per step.
  auto A_before = A.clone();
  auto res = svgd.run(X, A);
  EXPECT_LT(rel_err(res.particles - X, eps * expect), 1e-12);
  EXPECT_TRUE(torch::equal(A, A_before));
  o.max_steps(5);
  Svgd svgd5(counting_score, std::make_shared<kernel::RbfKernel>(h), o);
  anchor_calls = particle_calls = 0;
  svgd5.run(X, A);
  EXPECT_EQ(anchor_calls, 1);
  EXPECT_EQ(particle_calls, 5);
  // Particles that sit on anchors feel them: an anchor-free run and an anchored run differ.
  o.max_steps(10);
  Svgd s1(target::score_fn(gauss()), std::make_shared<kernel::RbfKernel>(h), o);
  EXPECT_FALSE(torch::allclose(s1.run(X, A).particles, s1.run(X).particles));
}

TEST(Svgd, AnnealingScheduleIsAppliedPerStep) {
  auto gen = make_gen(307);
  auto X0 = gauss().sample(8, gen);
  auto o = SvgdOptions()
               .max_steps(12)
               .anneal(sampler::AnnealOptions().schedule(sampler::AnnealSchedule::kCyclical).steps(8).cycles(2));
  Svgd svgd(target::score_fn(gauss()), std::make_shared<kernel::RbfKernel>(1.0), o);
  torch::Tensor prev = X0;
  svgd.run(X0, {}, [&](const sampler::StepInfo& info, const torch::Tensor& X) {
    EXPECT_DOUBLE_EQ(info.gamma, sampler::anneal_gamma(o.anneal(), info.step));
    // The step taken is sgd on φ with the scores weighted by γ(t).
    auto expect = manual_phi(prev, prev, gauss().score(prev), 1.0, 1.0, info.gamma) * o.optimizer().step_size();
    EXPECT_LT(rel_err(X - prev, expect), 1e-12) << "step " << info.step;
    prev = X.clone();
    return true;
  });
}

TEST(Svgd, MedianBandwidthIsRecomputedOnSchedule) {
  auto gen = make_gen(308);
  auto X0 = gauss().sample(30, gen) * 2;
  auto o = SvgdOptions().max_steps(7).median(true).median_interval(3);
  auto k = std::make_shared<kernel::RbfKernel>(5.0);
  Svgd svgd(target::score_fn(gauss()), k, o);
  torch::Tensor before = X0;
  double last_h = 0;
  svgd.run(X0, {}, [&](const sampler::StepInfo& info, const torch::Tensor& X) {
    auto g = make_gen(0);  // 435 pairs ≤ max_pairs: the exact median, independent of the generator
    if (info.step % 3 == 0) {
      EXPECT_DOUBLE_EQ(info.bandwidth, kernel::median_bandwidth(*k, before, o.median_max_pairs(), g)) << info.step;
    } else {
      EXPECT_EQ(info.bandwidth, last_h) << "bandwidth changed off schedule at step " << info.step;
    }
    last_h = info.bandwidth;
    before = X.clone();
    return true;
  });
}

TEST(Svgd, NaNScoreThrowsNamingTheStep) {
  auto gen = make_gen(309);
  auto X0 = gauss().sample(10, gen);
  int calls = 0;
  auto score = [&](const torch::Tensor& X) {
    auto s = gauss().score(X);
    if (++calls == 3) s[4][1] = std::nan("");
    return s;
  };
  for (const auto kind : {sampler::OptimizerKind::kSgd, sampler::OptimizerKind::kAdagrad, sampler::OptimizerKind::kAdam}) {
    calls = 0;
    auto o = SvgdOptions().optimizer(sampler::OptimizerOptions().kind(kind)).max_steps(10);
    Svgd svgd(score, std::make_shared<kernel::RbfKernel>(1.0), o);
    expect_error([&] { svgd.run(X0); }, ErrorKind::kNumerical, {"NaN", "step 3"});
  }
}

TEST(Svgd, BadOptionsNameTheConfigKey) {
  auto score = target::score_fn(gauss());
  auto k = std::make_shared<kernel::RbfKernel>(1.0);
  auto with = [&](auto change) {
    SvgdOptions o;
    change(o);
    return [o, score, k] { Svgd s(score, k, o); };
  };
  expect_error(with([](SvgdOptions& o) { o.optimizer().step_size(0); }), ErrorKind::kInvalidArgument, {"OptimizerOptions::step_size"});
  expect_error(with([](SvgdOptions& o) { o.optimizer().step_size(-0.1); }), ErrorKind::kInvalidArgument, {"OptimizerOptions::step_size"});
  expect_error([] { sampler::parse_optimizer_kind("lbfgs"); }, ErrorKind::kInvalidArgument, {"OptimizerOptions::kind", "lbfgs"});
  expect_error(with([](SvgdOptions& o) { o.max_steps(-1); }), ErrorKind::kInvalidArgument, {"SvgdOptions::max_steps"});
  expect_error(with([](SvgdOptions& o) { o.epsilon(-1e-3); }), ErrorKind::kInvalidArgument, {"SvgdOptions::epsilon"});
  expect_error(with([](SvgdOptions& o) { o.epsilon(std::nan("")); }), ErrorKind::kInvalidArgument, {"SvgdOptions::epsilon"});
  expect_error(with([](SvgdOptions& o) { o.temperature(-1); }), ErrorKind::kInvalidArgument, {"SvgdOptions::temperature"});
  expect_error(with([](SvgdOptions& o) { o.median_interval(0); }), ErrorKind::kInvalidArgument, {"SvgdOptions::median_interval"});
  expect_error(with([](SvgdOptions& o) { o.median_max_pairs(0); }), ErrorKind::kInvalidArgument, {"SvgdOptions::median_max_pairs"});
  expect_error([] { sampler::parse_anneal_schedule("cosine"); }, ErrorKind::kInvalidArgument,
               {"AnnealOptions::schedule"});
  // Bad particles and anchors are invalid arguments.
  Svgd svgd(score, k, SvgdOptions{});
  expect_error([&] { svgd.run(torch::zeros({0, 2}, torch::kFloat64)); }, ErrorKind::kInvalidArgument, {"N >= 1"});
  expect_error([&] { svgd.direction(torch::zeros({3, 2}, torch::kFloat64), torch::zeros({2, 3}, torch::kFloat64)); },
               ErrorKind::kInvalidArgument, {"anchors"});
}

TEST(Svgd, Float32ParticlesRun) {
  // The header accepts float32 particles. RadialMixture scores keep the input dtype.
  auto gen = make_gen(310);
  target::RadialMixture rings(2, {1.0, 2.0}, 0.3);
  auto X0 = rings.sample(40, gen).to(torch::kFloat32);
  auto o = SvgdOptions().max_steps(20).median(true);
  Svgd svgd(target::score_fn(rings), std::make_shared<kernel::OrbitMatrixKernel>(
                                         torch::stack({torch::eye(2, torch::kFloat64), -torch::eye(2, torch::kFloat64)}),
                                         0.5, "C2"),
            o);
  auto res = svgd.run(X0);
  EXPECT_EQ(res.particles.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::isfinite(res.particles).all().item<bool>());
}

TEST(Svgd, Float32ParticlesWithFloat64Score) {
  // A score function may compute in float64 whatever the particles' dtype (a float64 model, or the
  // GaussianMixture score on float64 copies). svgd.h accepts float32 particles, and direction()
  // already casts anchor scores to the particles' dtype; the particles' own scores must be cast too.
  auto gen = make_gen(311);
  auto X0 = gauss().sample(30, gen).to(torch::kFloat32);
  auto score64 = [](const torch::Tensor& X) { return gauss().score(X.to(torch::kFloat64)); };
  auto o = SvgdOptions().max_steps(10);
  Svgd svgd(score64, std::make_shared<kernel::RbfKernel>(1.0), o);
  torch::Tensor phi;
  EXPECT_NO_THROW(phi = svgd.direction(X0));
  if (phi.defined()) {
    auto X = X0.to(torch::kFloat64);
    EXPECT_LT(rel_err(phi.to(torch::kFloat64), manual_phi(X, X, gauss().score(X), 1.0, 1.0, 1.0)), 1e-5);
  }
  sampler::SvgdResult res;
  EXPECT_NO_THROW(res = svgd.run(X0));
  if (res.particles.defined()) EXPECT_EQ(res.particles.scalar_type(), torch::kFloat32);
}

}  // namespace
}  // namespace esvgd::test
