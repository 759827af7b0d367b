// Class-conditional replay starts (sample.class_resample): the buffer's rows are drawn with
// probability p(y|x) under the model, so starts from a buffer that stands for p(x) follow p(x|y).
// Checked on a two-class energy whose p(y|x) is known, with a sampler that barely moves.
#include <memory>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "experiment/cd_experiment.h"
#include "esvgd/group/image_rotation_group.h"
#include "test_support.h"

using namespace esvgd;

namespace {

/// Logits (x₀, −x₀): p(y = 0 | x) = sigmoid(2 x₀), as a JEM head reads them (E(x, y) = −logit_y).
class TwoClassEnergy : public model::EnergyNetwork {
 public:
  torch::Tensor outputs(const torch::Tensor& X) override {
    const auto x0 = X.select(1, 0).to(torch::kFloat32);
    return torch::stack({x0, -x0}, 1);
  }
  torch::Tensor energy_from_outputs(const torch::Tensor& O, int64_t label) const override {
    return label >= 0 ? -O.select(1, label) : -torch::logsumexp(O, 1);
  }
  ScoreFn frozen_score(int64_t) const override {
    return [](const torch::Tensor& X) { return torch::zeros_like(X); };
  }
};

/// The share of `n` class-0 samples that start from the buffer's x₀ = +1 half (the other half has −1).
double share_from_class_zero_half(bool resample, int64_t n) {
  auto c = experiment::make_config(experiment::find_experiment("fashion-mnist"), "tuned");
  for (const char* s : {"sample.steps=1", "sample.step_size=1e-12", "langevin.clamp=[]"}) c.set_from_string(s);
  c.set_from_string(std::string("sample.class_resample=") + (resample ? "true" : "false"));
  auto gen = test::make_gen(5);
  experiment::TrainedModel t;
  t.combo = experiment::parse_combination("ebm+langevin");
  t.model = std::make_shared<TwoClassEnergy>();
  t.dim = 3;
  t.replay = torch::cat({torch::ones({50, 3}), -torch::ones({50, 3})});
  experiment::RunContext ctx;
  const auto X = experiment::sample_model(c, ctx, t, /*label=*/0, gen, 0, n);
  return (X.select(1, 0) > 0).to(torch::kFloat64).mean().item<double>();
}

TEST(ClassResample, ReplayStartsFollowTheModelsClassProbabilities) {
  // Rows drawn with weights sigmoid(±2): the x₀ = +1 half holds 0.881 of the mass (sd 0.007 at n = 2000).
  const double expected = 1 / (1 + std::exp(-2.0));
  EXPECT_NEAR(share_from_class_zero_half(true, 2000), expected, 0.03);
  EXPECT_NEAR(share_from_class_zero_half(false, 2000), 0.5, 0.04) << "uniform rows without resampling";
}

TEST(ClassResample, NeedsReplayStarts) {
  auto c = experiment::make_config(experiment::find_experiment("fashion-mnist"), "tuned");
  c.set_from_string("sample.start=\"noise\"");
  group::ImageRotationGroup group(28);
  test::expect_error([&] { experiment::checked_combinations(c, group, 784, 10, nullptr); }, ErrorKind::kConfig,
                     {"sample.class_resample", "sample.start = replay"});
}

}  // namespace
