// Particle optimisers and annealing schedules on hand-computed examples.
#include "esvgd/sampler/annealing.h"
#include "esvgd/sampler/optimizer.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using sampler::AnnealOptions;
using sampler::anneal_gamma;
using sampler::check_optimizer;
using sampler::displacement;
using sampler::OptimizerOptions;
using sampler::OptimizerState;
using sampler::scaled_displacement;

torch::Tensor vec(std::initializer_list<double> v) { return torch::tensor(std::vector<double>(v), torch::kFloat64); }

// The expected values below were computed by hand (Python floats) from the documented formulas;
// the library evaluates the same expressions, so they agree to a few ulp: 1e-14 relative.
constexpr double kTol = 1e-14;

TEST(Optimizer, SgdIsStepTimesPhi) {
  auto o = OptimizerOptions().kind(sampler::OptimizerKind::kSgd).step_size(0.25);
  OptimizerState state;
  auto phi = vec({1.0, -2.0, 0.5}).view({1, 3});
  EXPECT_TRUE(torch::equal(displacement(o, state, phi), 0.25 * phi));
  EXPECT_TRUE(torch::equal(displacement(o, state, phi), 0.25 * phi));  // stateless
  EXPECT_FALSE(state.m.defined() || state.v.defined());
}

// scale · direction is the displacement: sgd hands φ itself back with its step size, the others
// their displacement with scale 1, moving the same state.
TEST(Optimizer, ScaledDisplacementIsTheDisplacement) {
  auto phi = vec({1.0, -2.0, 0.5}).view({1, 3});
  auto sgd = OptimizerOptions().kind(sampler::OptimizerKind::kSgd).step_size(0.25);
  OptimizerState state;
  const auto plain = scaled_displacement(sgd, state, phi);
  EXPECT_TRUE(plain.direction.is_same(phi));
  EXPECT_EQ(plain.scale, 0.25);
  for (auto kind : {sampler::OptimizerKind::kAdagrad, sampler::OptimizerKind::kAdam}) {
    auto o = OptimizerOptions().kind(kind).step_size(0.1);
    OptimizerState a, b;
    for (const auto& p : {phi, 2 * phi}) {
      const auto scaled = scaled_displacement(o, a, p);
      EXPECT_EQ(scaled.scale, 1.0);
      EXPECT_TRUE(torch::equal(scaled.direction, displacement(o, b, p))) << sampler::to_string(kind);
    }
    EXPECT_EQ(a.t, b.t);
  }
}

TEST(Optimizer, LiuAdagradHandExample) {
  // v₁ = φ₁², Δ₁ = ε φ₁/(fudge + √v₁); v₂ = α v₁ + (1 − α) φ₂², Δ₂ = ε φ₂/(fudge + √v₂),
  // ε = 0.1, α = 0.9, fudge = 1e-6, φ₁ = (1, −2), φ₂ = (3, 0.5).
  auto o = OptimizerOptions().kind(sampler::OptimizerKind::kAdagrad).step_size(0.1);
  OptimizerState state;
  auto d1 = displacement(o, state, vec({1.0, -2.0}));
  EXPECT_LT(rel_err(d1, vec({0.09999990000010002, -0.099999950000025})), kTol);
  const OptimizerState after_one = state;
  auto d2 = displacement(o, state, vec({3.0, 0.5}));
  EXPECT_LT(rel_err(d2, vec({0.22360663108343656, 0.026261272778848307})), kTol);
  EXPECT_EQ(state.t, 2);
  // The state is a value: the copy after one step repeats the second step exactly.
  OptimizerState replay = after_one;
  EXPECT_TRUE(torch::equal(displacement(o, replay, vec({3.0, 0.5})), d2));
  // A fresh state: the next step is a first step again.
  OptimizerState fresh;
  EXPECT_LT(rel_err(displacement(o, fresh, vec({3.0, 0.5})), vec({0.1 * 3 / (1e-6 + 3), 0.1 * 0.5 / (1e-6 + 0.5)})), kTol);
}

TEST(Optimizer, AdamHandExample) {
  // Kingma & Ba on −φ: m = β₁m + (1−β₁)φ, v = β₂v + (1−β₂)φ², Δ = ε m̂/(√v̂ + ε_adam) with bias
  // corrections 1 − β^t; ε = 0.1, β = (0.9, 0.999), ε_adam = 1e-8.
  auto o = OptimizerOptions().kind(sampler::OptimizerKind::kAdam).step_size(0.1);
  OptimizerState state;
  EXPECT_LT(rel_err(displacement(o, state, vec({1.0, -2.0})), vec({0.09999999900000002, -0.0999999995})), kTol);
  EXPECT_LT(rel_err(displacement(o, state, vec({3.0, 0.5})), vec({0.09177811148766772, -0.046946816798665164})), kTol);
  EXPECT_EQ(state.t, 2);
  OptimizerState fresh;
  EXPECT_LT(rel_err(displacement(o, fresh, vec({1.0, -2.0})), vec({0.09999999900000002, -0.0999999995})), kTol);
}

TEST(Optimizer, BadOptionsNameTheKey) {
  auto o = OptimizerOptions().step_size(0.0);
  expect_error([&] { check_optimizer(o); }, ErrorKind::kInvalidArgument, {"OptimizerOptions::step_size"});
  o.step_size(-1.0);
  expect_error([&] { check_optimizer(o); }, ErrorKind::kInvalidArgument, {"OptimizerOptions::step_size"});
  o.step_size(std::nan(""));
  expect_error([&] { check_optimizer(o); }, ErrorKind::kInvalidArgument, {"OptimizerOptions::step_size"});
  expect_error([] { sampler::parse_optimizer_kind("rmsprop"); }, ErrorKind::kInvalidArgument, {"OptimizerOptions::kind", "rmsprop"});
  for (auto kind : {sampler::OptimizerKind::kSgd, sampler::OptimizerKind::kAdagrad, sampler::OptimizerKind::kAdam})
    EXPECT_EQ(sampler::parse_optimizer_kind(sampler::to_string(kind)), kind);
}

TEST(Annealing, CyclicalHandValues) {
  // γ(t) = (mod(t, P)/P)^p, P = steps/cycles = 100/4 = 25, p = 2; γ = 1 from t = steps on.
  auto o = AnnealOptions().schedule(sampler::AnnealSchedule::kCyclical).steps(100).cycles(4).power(2.0);
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 0), 0.0);
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 10), 0.16);    // (10/25)²
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 25), 0.0);     // a new cycle starts
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 37), 0.2304);  // (12/25)²
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 99), 0.9216);  // (24/25)²
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 100), 1.0);
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 5000), 1.0);
  // A non-integer period: steps 10, cycles 3 → P = 10/3; t = 4 → mod = 2/3 → γ = (0.2)^1.
  o.steps(10);
  o.cycles(3);
  o.power(1.0);
  EXPECT_NEAR(anneal_gamma(o, 4), 0.2, 1e-15);
}

TEST(Annealing, TanhHandValues) {
  // γ(t) = tanh((1.3 t/steps)^p), steps = 100.
  auto o = AnnealOptions().schedule(sampler::AnnealSchedule::kTanh).steps(100).power(1.0);
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 0), 0.0);
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 10), 0.12927258360605834);  // tanh(0.13)
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 50), 0.5716699660851173);   // tanh(0.65)
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 99), 0.8583388055173601);   // tanh(1.287)
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 100), 1.0);
  o.power(2.0);
  EXPECT_DOUBLE_EQ(anneal_gamma(o, 50), 0.39903445532485493);  // tanh(0.65²)
}

TEST(Annealing, NoneAndErrors) {
  AnnealOptions o;
  EXPECT_EQ(anneal_gamma(o, 0), 1.0);
  EXPECT_EQ(anneal_gamma(o, 12345), 1.0);
  expect_error([] { sampler::parse_anneal_schedule("linear"); }, ErrorKind::kInvalidArgument, {"AnnealOptions::schedule", "linear"});
  o.schedule(sampler::AnnealSchedule::kCyclical);
  o.steps(0);
  expect_error([&] { sampler::check_anneal(o); }, ErrorKind::kInvalidArgument, {"AnnealOptions::steps"});
  o.steps(10);
  o.cycles(0);
  expect_error([&] { sampler::check_anneal(o); }, ErrorKind::kInvalidArgument, {"AnnealOptions::cycles"});
  o.cycles(1);
  o.power(0);
  expect_error([&] { sampler::check_anneal(o); }, ErrorKind::kInvalidArgument, {"AnnealOptions::power"});
}

}  // namespace
}  // namespace esvgd::test
