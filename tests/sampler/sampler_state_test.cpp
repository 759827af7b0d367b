// The samplers' state and step (BlackJAX's shape): run() is exactly the loop over update_bandwidth
// and step(); a state copied mid-run, or written to a checkpoint and read back, continues
// bit-identically; the kernel is never changed by a run.
#include <sstream>

#include <torch/serialize.h>

#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/svgd.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using sampler::SvgdOptions;
using sampler::SvgdState;

ScoreFn shifted_score() {
  return [](const torch::Tensor& X) { return -(X - torch::tensor({1.0, -2.0}, torch::kFloat64)) * 2; };
}

/// Adam with a subsampled median every 3 steps and anchors: every part of the state is in use.
SvgdOptions adam_median() {
  auto o = SvgdOptions()
               .optimizer(sampler::OptimizerOptions().kind(sampler::OptimizerKind::kAdam).step_size(0.05))
               .median(true)
               .median_interval(3)
               .median_max_pairs(500)  // < 60·59/2 pairs: the median draws a subsample from state.pairs
               .median_seed(5)
               .max_steps(20);
  return o;
}

/// The noisy step: the noise generator is in use.
SvgdOptions noisy() {
  auto o = SvgdOptions()
               .optimizer(sampler::OptimizerOptions().step_size(0.01))
               .langevin(true)
               .clip(0.5)
               .max_steps(20)
               .median_seed(6);
  return o;
}

SvgdState roundtrip(const SvgdState& s) {
  std::stringstream buffer;
  torch::serialize::OutputArchive out;
  sampler::write_state(out, "svgd", s);
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  return sampler::read_state(in, "svgd");
}

class SvgdStateTest : public ::testing::TestWithParam<int> {
 protected:
  SvgdOptions options() const { return GetParam() == 0 ? adam_median() : noisy(); }
};

TEST_P(SvgdStateTest, RunIsTheLoopOverStep) {
  auto gen = make_gen(61);
  const auto X0 = torch::randn({60, 2}, gen, torch::kFloat64), A = torch::randn({4, 2}, gen, torch::kFloat64);
  const auto o = options();
  const auto kernel = std::make_shared<kernel::RbfKernel>(0.8);
  const auto by_run = sampler::Svgd(shifted_score(), kernel, o).run(X0, A);
  auto state = sampler::init(X0, *kernel, o, A);
  for (int64_t t = 0; t < o.max_steps(); ++t) {
    sampler::update_bandwidth(state, *kernel, o);
    const auto info = sampler::step(state, shifted_score(), *kernel, o);
    EXPECT_EQ(info.step, t);
    EXPECT_EQ(info.bandwidth, state.bandwidth);
  }
  EXPECT_EQ(state.step, o.max_steps());
  EXPECT_TRUE(torch::equal(state.particles, by_run.particles));
  EXPECT_EQ(state.bandwidth, by_run.bandwidth);
  EXPECT_EQ(kernel->bandwidth(), 0.8) << "a run changed its kernel";
  if (o.median()) EXPECT_NE(state.bandwidth, 0.8) << "the median rule did not run";
}

TEST_P(SvgdStateTest, CheckpointedStateContinuesBitIdentically) {
  auto gen = make_gen(62);
  const auto X0 = torch::randn({60, 2}, gen, torch::kFloat64), A = torch::randn({4, 2}, gen, torch::kFloat64);
  auto o = options();
  const auto kernel = std::make_shared<kernel::RbfKernel>(0.8);
  auto straight = sampler::init(X0, *kernel, o, A);
  const auto whole = sampler::run(straight, shifted_score(), *kernel, o);

  o.max_steps(11);  // stop mid-run (off the median schedule), store, restore, finish
  auto first = sampler::init(X0, *kernel, o, A);
  sampler::run(first, shifted_score(), *kernel, o);
  auto copied = first.clone();
  auto restored = roundtrip(first);
  EXPECT_EQ(restored.step, 11);
  o.max_steps(20);
  const auto rest = sampler::run(restored, shifted_score(), *kernel, o);
  EXPECT_EQ(rest.steps, 9);
  EXPECT_TRUE(torch::equal(rest.particles, whole.particles));
  sampler::run(first, shifted_score(), *kernel, o);
  sampler::run(copied, shifted_score(), *kernel, o);
  EXPECT_TRUE(torch::equal(first.particles, whole.particles));
  EXPECT_TRUE(torch::equal(copied.particles, whole.particles)) << "clone() shares state with the original";
}

INSTANTIATE_TEST_SUITE_P(AdamMedianAndNoisy, SvgdStateTest, ::testing::Values(0, 1));

TEST(SvgdState, KernelPreparesTheAnchorsOnceAndARestoredStatePreparesThemAgain) {
  auto gen = make_gen(63);
  const auto X0 = torch::randn({30, 2}, gen, torch::kFloat64), A = torch::randn({4, 2}, gen, torch::kFloat64);
  const kernel::InvariantFeatureKernel radius(std::make_shared<kernel::RadiusMap>(), 0.8,
                                              kernel::RepulsionForm::kReference);
  auto o = SvgdOptions().optimizer(sampler::OptimizerOptions().step_size(0.05)).max_steps(20);
  auto straight = sampler::init(X0, radius, o, A);
  const auto whole = sampler::run(straight, shifted_score(), radius, o);
  EXPECT_TRUE(torch::equal(straight.prepared, radius.prepare_anchors(A)));

  o.max_steps(11);
  auto first = sampler::init(X0, radius, o, A);
  EXPECT_FALSE(first.prepared.defined());
  sampler::run(first, shifted_score(), radius, o);
  auto restored = roundtrip(first);
  EXPECT_FALSE(restored.prepared.defined()) << "prepared anchors are derived, not checkpointed";
  o.max_steps(20);
  EXPECT_TRUE(torch::equal(sampler::run(restored, shifted_score(), radius, o).particles, whole.particles));
  // A kernel with nothing to prepare: phi_prepared is phi.
  const kernel::RbfKernel rbf(0.8);
  EXPECT_FALSE(rbf.prepare_anchors(A).defined());
  const auto Y = torch::cat({X0, A}), S = shifted_score()(Y);
  EXPECT_TRUE(torch::equal(rbf.phi_prepared(X0, Y, S, 1.0, {}), rbf.phi(X0, Y, S, 1.0)));
}

TEST(SvgdState, InitChecksOptionsAndShapes) {
  const auto kernel = std::make_shared<kernel::RbfKernel>(1.0);
  auto o = SvgdOptions().max_steps(-1);
  expect_error([&] { sampler::init(torch::zeros({3, 2}, torch::kFloat64), *kernel, o); }, ErrorKind::kInvalidArgument,
               {"SvgdOptions::max_steps"});
  expect_error([&] { sampler::init(torch::zeros({0, 2}, torch::kFloat64), *kernel, SvgdOptions{}); },
               ErrorKind::kInvalidArgument, {"N >= 1"});
}

TEST(LangevinState, RunIsTheLoopOverStepAndACopyContinuesTheSameChains) {
  auto o = sampler::LangevinOptions().step_size(0.01).max_steps(15);
  auto gen = make_gen(63);
  const auto X0 = torch::randn({30, 2}, gen, torch::kFloat64);
  auto g1 = make_gen(7), g2 = make_gen(7);
  const auto by_run = sampler::Langevin(shifted_score(), o).run(X0, {}, g1);
  auto state = sampler::init(X0, o, g2);
  for (int t = 0; t < 15; ++t) EXPECT_EQ(sampler::step(state, shifted_score(), o).step, t);
  EXPECT_TRUE(torch::equal(state.particles, by_run.particles));
  // The state's generator is the caller's: both advanced by the same draws.
  EXPECT_TRUE(torch::equal(g1.get_state(), g2.get_state()));
}

}  // namespace
}  // namespace esvgd::test
