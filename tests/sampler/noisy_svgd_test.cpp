// The SVGD options that make samplers move: noisy SVGD (stationary moments on a Gaussian), the
// kernel-mass normalisation (same fixed points, the lone-particle step), the coupling diagnostic a
// run records, and the equivariance of every drift and of the noisy step on DW-4.
#include <cstdio>
#include <memory>

#include "esvgd/core/error.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/group/particle_invariant.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/particle_orbit.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/double_well.h"
#include "sampler/gaussian_target.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using sampler::Svgd;
using sampler::SvgdOptions;

TEST(NoisySvgd, StationaryMomentsOfAGaussian) {
  // x ← x + ε(s + βφ) + √(2ε) ξ: π is stationary in the mean-field limit; 200 particles, time
  // averages over the second half of 4000 steps.
  auto o = SvgdOptions()
               .optimizer(sampler::OptimizerOptions().step_size(0.005))
               .langevin(true)
               .stein_weight(1.0)
               .median(true)
               .median_interval(50)
               .max_steps(4000)
               .median_seed(21)  // seeds the noise of run() without a generator
               .measure_coupling(false);
  Svgd svgd(gaussian_score(kMean, kVar), std::make_shared<kernel::RbfKernel>(1.0), o);
  auto gen = make_gen(21);
  auto mean = torch::zeros({2}, torch::kFloat64), var = torch::zeros({2}, torch::kFloat64);
  const double half = o.max_steps() / 2;
  svgd.run(3 * torch::randn({200, 2}, gen, torch::kFloat64), {}, [&](const sampler::StepInfo& info, const torch::Tensor& X) {
    if (info.step >= half) {
      mean += X.mean(0) / half;
      var += X.var(0) / half;
    }
    return true;
  });
  std::printf("[ noisy svgd ] mean %.4f %.4f (truth 1 -2), variance %.4f %.4f (truth 1 0.25)\n", mean[0].item<double>(),
              mean[1].item<double>(), var[0].item<double>(), var[1].item<double>());
  EXPECT_LT((mean - kMean).abs().max().item<double>(), 0.05);
  EXPECT_LT(((var - kVar) / kVar).abs().max().item<double>(), 0.08);
}

/// Deterministic SVGD run towards its fixed point (RBF h = 0.6, 50 particles, 6000 steps).
torch::Tensor fixed_point(bool kernel_mass) {
  auto o = SvgdOptions()
               .optimizer(sampler::OptimizerOptions().step_size(kernel_mass ? 0.2 : 0.5))
               .max_steps(6000)
               .kernel_mass(kernel_mass);
  Svgd svgd(gaussian_score(kMean, kVar), std::make_shared<kernel::RbfKernel>(0.6), o);
  auto gen = make_gen(7);
  return svgd.run(torch::randn({50, 2}, gen, torch::kFloat64)).particles;
}

TEST(KernelMassNormalisation, KeepsTheFixedPointsOfSvgd) {
  // Both flows end near a fixed point (|φ| ~ 1e-4 after 6000 steps: SVGD's slowest modes relax
  // slowly) and their sets have the same moments. A normalisation that weighted the drive and the
  // repulsion differently would move the fixed point: the variance would change by O(1).
  auto kernel = std::make_shared<kernel::RbfKernel>(0.6);
  SvgdOptions plain, mass;
  mass.kernel_mass(true);
  const auto X = fixed_point(false), Y = fixed_point(true);
  const double phi_X = Svgd(gaussian_score(kMean, kVar), kernel, plain).direction(X).abs().max().item<double>();
  const double phi_mass_X = Svgd(gaussian_score(kMean, kVar), kernel, mass).direction(X).abs().max().item<double>();
  const double phi_mass_Y = Svgd(gaussian_score(kMean, kVar), kernel, mass).direction(Y).abs().max().item<double>();
  std::printf("[ kernel mass ] |phi(X*)| %.2e, |phi_mass(X*)| %.2e, |phi_mass(Y*)| %.2e; variance %.5f %.5f vs %.5f %.5f\n",
              phi_X, phi_mass_X, phi_mass_Y, X.var(0)[0].item<double>(), X.var(0)[1].item<double>(),
              Y.var(0)[0].item<double>(), Y.var(0)[1].item<double>());
  EXPECT_LT(phi_X, 2e-4);
  EXPECT_LT(phi_mass_X, 2e-3);  // the same set is (nearly) fixed for the normalised flow: φ/mass, mass ≥ 1/M
  EXPECT_LT(phi_mass_Y, 2e-3);
  EXPECT_LT((Y.mean(0) - X.mean(0)).abs().max().item<double>(), 2e-3);
  EXPECT_LT(((Y.var(0) - X.var(0)) / X.var(0)).abs().max().item<double>(), 1e-2);
}

TEST(KernelMassNormalisation, DividesByTheKernelMass) {
  auto gen = make_gen(3);
  auto X = torch::randn({6, 2}, gen, torch::kFloat64);
  X[5] = torch::tensor({100.0, 100.0}, torch::kFloat64);  // far from everyone: alone in its kernel's reach
  auto kernel = std::make_shared<kernel::RbfKernel>(1.0);
  SvgdOptions plain, mass;
  mass.kernel_mass(true);
  const auto phi = Svgd(gaussian_score(kMean, kVar), kernel, plain).direction(X);
  const auto phi_mass = Svgd(gaussian_score(kMean, kVar), kernel, mass).direction(X);
  const auto k_mass = kernel->gram(X, X).mean(1, true);
  EXPECT_TRUE(torch::allclose(phi_mass, phi / k_mass, 1e-12, 1e-12));
  // The lone particle steps along its own score, whatever the number of particles.
  EXPECT_TRUE(torch::allclose(phi_mass[5], gaussian_score(kMean, kVar)(X)[5], 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(phi[5], gaussian_score(kMean, kVar)(X)[5] / 6, 1e-12, 1e-12));
}

TEST(Svgd, RecordsBandwidthAndCoupling) {
  auto o = SvgdOptions().max_steps(3).optimizer(sampler::OptimizerOptions().step_size(1e-6));
  auto X = torch::tensor({{0.0, 0.0}, {0.1, 0.0}, {0.0, 0.1}, {30.0, 30.0}}, torch::kFloat64);
  Svgd svgd(gaussian_score(kMean, kVar), std::make_shared<kernel::RbfKernel>(0.5), o);
  auto r = svgd.run(X);
  EXPECT_EQ(r.bandwidth, 0.5);
  EXPECT_NEAR(r.interacting, 6.0 / 4.0, 1e-12);  // three particles see two others, the far one none
  // Anchors count as points within reach.
  auto anchors = torch::tensor({{30.1, 30.0}}, torch::kFloat64);
  EXPECT_NEAR(svgd.run(X, anchors).interacting, 7.0 / 4.0, 1e-12);
}

TEST(NoisySvgd, BadOptionsAreClearErrors) {
  auto expect_error = [](SvgdOptions o, const std::string& key) {
    try {
      Svgd(gaussian_score(kMean, kVar), std::make_shared<kernel::RbfKernel>(1.0), o);
      ADD_FAILURE() << "no error for " << key;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  };
  auto o = SvgdOptions()
               .langevin(true)
               .optimizer(sampler::OptimizerOptions().kind(sampler::OptimizerKind::kAdam));
  expect_error(o, "OptimizerOptions::kind");
  o = {};
  o.langevin_noise(-0.5);
  expect_error(o, "SvgdOptions::langevin_noise");
  o = {};
  o.stein_weight(std::nan(""));
  expect_error(o, "SvgdOptions::stein_weight");
  o = {};
  o.clip(0.5);  // without the noisy step
  expect_error(o, "SvgdOptions::clip");
  o.langevin(true);
  o.clip(-1);
  expect_error(o, "SvgdOptions::clip");
}

// svgd.clip shortens each particle's drift to the clip norm (one step, no noise): a particle far
// from the mode moves exactly c towards it; one close to it keeps its short step.
TEST(NoisySvgd, ClipBoundsEachParticlesDrift) {
  auto o = SvgdOptions()
               .langevin(true)
               .langevin_noise(0)
               .max_steps(1)
               .optimizer(sampler::OptimizerOptions().step_size(0.1))
               .stein_weight(0)  // the drift is ε s(x) alone
               .clip(0.3);
  Svgd svgd(gaussian_score(kMean, kVar), std::make_shared<kernel::RbfKernel>(1.0), o);
  auto X = torch::tensor({{1.05, -2.0}, {50.0, 40.0}}, torch::kFloat64);
  auto gen = make_gen(1);
  auto dx = svgd.run(X, {}, gen).particles - X;
  EXPECT_NEAR(dx[1].norm().item<double>(), 0.3, 1e-12);
  const auto s = -(X[1] - kMean) / kVar;
  EXPECT_TRUE(torch::allclose(dx[1] / dx[1].norm(), s / s.norm()));
  EXPECT_NEAR(dx[0][0].item<double>(), 0.1 * -0.05, 1e-12);  // short drifts untouched: ε s
}

// ---- equivariance on DW-4: E(2) × S4 ----------------------------------------------------------------

struct Motion {
  torch::Tensor G, t;  // [8, 8] orthogonal, [8] the same translation of every particle
  torch::Tensor apply(const torch::Tensor& X) const { return torch::matmul(X, G.t()) + t; }
  torch::Tensor rotate(const torch::Tensor& V) const { return torch::matmul(V, G.t()); }
};

Motion random_motion(at::Generator& gen) {
  const group::ParticleGroup group(4);
  return {group.random_element(gen).to(torch::kFloat64), (2 * torch::randn({2}, gen, torch::kFloat64)).repeat({4})};
}

std::vector<std::shared_ptr<kernel::Kernel>> particle_kernels() {
  auto pairs = std::make_shared<kernel::ParticleMap>(
      group::ParticleInvariant(group::ParticleInvariant::Kind::kPairDistances, 4, 2));
  return {std::make_shared<kernel::ParticleOrbitKernel>(4, 1.5),
          std::make_shared<kernel::InvariantFeatureKernel>(pairs, 1.0, kernel::RepulsionForm::kTextbook)};
}

TEST(NoisySvgd, DriftIsEquivariantAndTheStepKeepsTheChainLawInvariant) {
  const target::DoubleWellPotential u;
  auto gen = make_gen(17);
  for (const auto& kernel : particle_kernels()) {
    for (bool mass : {false, true}) {
      auto o = SvgdOptions()
                   .langevin(true)
                   .stein_weight(0.7)
                   .kernel_mass(mass)
                   .optimizer(sampler::OptimizerOptions().step_size(0.01));
      Svgd svgd(target::score_fn(u), kernel, o);
      auto X = 1.5 * torch::randn({6, 8}, gen, torch::kFloat64);
      auto A = 1.5 * torch::randn({5, 8}, gen, torch::kFloat64);
      for (int trial = 0; trial < 3; ++trial) {
        const auto g = random_motion(gen);
        EXPECT_LT((g.G.t().matmul(g.G) - torch::eye(8, torch::kFloat64)).abs().max().item<double>(), 1e-12);
        const auto d = svgd.drift(X, A), dg = svgd.drift(g.apply(X), g.apply(A));
        EXPECT_LT((dg - g.rotate(d)).abs().max().item<double>(), 1e-9 * (1 + d.abs().max().item<double>()))
            << kernel->name() << (mass ? " kernel-mass" : "");
      }
    }
  }
}

TEST(Langevin, StepIsEquivariantWithRotatedNoise) {
  // X' = X + drift(X) + σ√ε ξ: with gξ for ξ (as likely as ξ: N(0, I) is O(8)-invariant), the
  // chain from gX + t is g times the chain from X, plus t.
  const target::DoubleWellPotential u;
  auto o = sampler::LangevinOptions().step_size(0.02).clip(0.5);
  sampler::Langevin langevin(target::score_fn(u), o);
  auto gen = make_gen(19);
  auto X = 1.5 * torch::randn({8, 8}, gen, torch::kFloat64);
  for (int trial = 0; trial < 3; ++trial) {
    const auto g = random_motion(gen);
    const auto xi = torch::randn({8, 8}, gen, torch::kFloat64);
    EXPECT_LT((langevin.step(g.apply(X), g.rotate(xi)) - g.apply(langevin.step(X, xi))).abs().max().item<double>(), 1e-10);
  }
}

}  // namespace
}  // namespace esvgd::test
