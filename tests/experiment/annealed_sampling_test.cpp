// Annealed sampling of a noise-conditional energy (sample_model with loss.kind = denoising) on a
// Gaussian, whose smoothed densities are known: data N(0, s² I) smoothed at σ are N(0, (s² + σ²) I),
// E(x, σ) = ‖x‖²/(2(s² + σ²)). Chains that mix at every level end, after the denoising step
// x ← x + σ_L² s(x, σ_L) = x s²/(s² + σ_L²), with the variance s⁴/(s² + σ_L²) per coordinate.
#include <memory>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "experiment/cd_experiment.h"
#include "esvgd/group/molecule_group.h"
#include "test_support.h"

using namespace esvgd;

namespace {

/// The exact noise-conditional energy of N(0, s² I) data.
class GaussianNoiseEnergy : public model::EnergyNetwork {
 public:
  GaussianNoiseEnergy(double s2, double floor) : s2_(s2), floor_(floor) {}
  torch::Tensor outputs(const torch::Tensor& X) override {
    return noise_energy(X, torch::full({X.size(0)}, floor_, X.options())).unsqueeze(1);
  }
  torch::Tensor energy_from_outputs(const torch::Tensor& O, int64_t) const override { return O.squeeze(1); }
  ScoreFn frozen_score(int64_t) const override { return frozen_noise_score(floor_); }
  bool noise_conditional() const override { return true; }
  torch::Tensor noise_energy(const torch::Tensor& X, const torch::Tensor& sigma) override {
    return X.square().sum(1) / (2 * (s2_ + sigma.square()));
  }
  ScoreFn frozen_noise_score(double sigma) const override {
    const double v = s2_ + sigma * sigma;
    return [v](const torch::Tensor& X) { return -X / v; };
  }

 private:
  double s2_, floor_;
};

core::Config annealed_config() {
  auto c = experiment::make_config(experiment::find_experiment("qm9"), "tuned");
  // Levels 1 → 0.1 with steps ε (σ_l/σ_L)² = 0.01 … 1: every level relaxes within its 200 steps.
  for (const char* s : {"loss.noise_max=1", "loss.noise_min=0.1", "loss.noise_levels=5", "sample.steps=200",
                        "sample.step_size=0.01", "sample.box=2"})
    c.set_from_string(s);
  return c;
}

constexpr double kS2 = 0.25, kFloor = 0.1;
/// s⁴/(s² + σ_L²) = 0.240: the variance after the denoising step (the uniform starts have 4/3).
constexpr double kDenoisedVariance = kS2 * kS2 / (kS2 + kFloor * kFloor);

/// n samples of the Gaussian's noise-conditional energy by the annealed sampler of `combination`;
/// the model's realised bandwidth is left in `t`.
torch::Tensor annealed_samples(const std::string& combination, uint64_t seed, int64_t n, experiment::TrainedModel& t) {
  const auto c = annealed_config();
  auto gen = test::make_gen(seed);
  t.combo = experiment::parse_combination(combination);
  t.model = std::make_shared<GaussianNoiseEnergy>(kS2, kFloor);
  t.dim = 42;
  group::MoleculeGroup group(test::c5h8o());
  t.sampler = experiment::make_cd_sampler(c, t.combo, group, gen);
  experiment::RunContext ctx;
  return experiment::sample_model(c, ctx, t, -1, gen, 0, n);
}

TEST(AnnealedSampling, LangevinEndsWithTheDenoisedGaussiansVariance) {
  experiment::TrainedModel t;
  const auto X = annealed_samples("e-ebm+langevin", 3, 1000, t);
  ASSERT_EQ(X.sizes(), torch::IntArrayRef({1000, 42}));
  // 42000 coordinates: the variance's standard error is ≈ 0.7 %; Langevin's step bias at the last
  // level (α = 0.01 against a variance of 0.26) is ≈ 2 %; without the denoising step it would be 8 % high.
  EXPECT_NEAR(X.var().item<double>() / kDenoisedVariance, 1.0, 0.05) << X.var().item<double>();
  EXPECT_NEAR(X.mean().item<double>(), 0.0, 0.02);
}

// Noisy SVGD (the RBF row) anneals the same way but is colder than π with finitely many particles:
// its drift ε(s + φ) counts the score twice where a particle's kernel reaches no other (φ's own term
// is s/mass, and the kernel-mass normalisation makes that s), so its law lies between π² (variance
// ratio 1/2) and π (ratio 1, the mean-field limit). Measured here: 0.73 (300 particles in 42-D,
// median bandwidth). Without the noise or the step schedule it would end far outside.
TEST(AnnealedSampling, NoisySvgdEndsBetweenPiSquaredAndPi) {
  experiment::TrainedModel t;
  const auto X = annealed_samples("e-ebm+svgd", 4, 300, t);
  const double ratio = X.var().item<double>() / kDenoisedVariance;
  EXPECT_GT(ratio, 0.55);
  EXPECT_LT(ratio, 0.95);
  EXPECT_GT(t.sample_bandwidth, 0.0);  // the median bandwidth of the last level
}

}  // namespace
