// Neural transport (flow/reverse_kl.h, flow/neutra.h): reverse-KL training fits a Gaussian with RealNVP
// (the loss, normalised, reaches KL ≈ 0) and a ring with the radial flow (draws at the ring's radius);
// a checkpointed run resumed from a fresh flow is bit-identical to an uninterrupted one and refuses
// another configuration's checkpoint; the pulled-back density of the identity is π and that of a scale
// flow is π(2z)·4 with its gradient; HMC (one leapfrog step) in Z on the pulled-back density of a random
// (non-affine) flow, pushed forward, samples π; a non-finite log π is a numerical error naming the step.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/flow/builders.h"
#include "esvgd/flow/neutra.h"
#include "esvgd/flow/radial.h"
#include "esvgd/flow/reverse_kl.h"
#include "esvgd/sampler/hmc.h"
#include "test_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

using test::max_abs;

double mean_of(const std::vector<double>& v, size_t from, size_t count) {
  double s = 0;
  for (size_t i = from; i < from + count; ++i) s += v.at(i);
  return s / static_cast<double>(count);
}

/// N(μ = (1, −2), diag(4, 0.25)), normalised: the reverse-KL loss is KL(q ‖ π) ≥ 0 (−log Z = 0).
const double kLog2Pi = std::log(2 * M_PI);
torch::Tensor gaussian_mu() { return torch::tensor({1.0, -2.0}, torch::kFloat64); }
torch::Tensor gaussian_var() { return torch::tensor({4.0, 0.25}, torch::kFloat64); }
torch::Tensor gaussian_log_prob(const torch::Tensor& x) {
  return -0.5 * ((x - gaussian_mu()).pow(2) / gaussian_var()).sum(1) - kLog2Pi - 0.5 * std::log(4.0 * 0.25);
}
torch::Tensor gaussian_grad(const torch::Tensor& x) { return -(x - gaussian_mu()) / gaussian_var(); }

/// A ring of radius 3 and width 0.3 (unnormalised); Z = 2π ∫ r e^{−(r−3)²/(2·0.09)} dr.
torch::Tensor ring_log_prob(const torch::Tensor& x) { return -(x.pow(2).sum(1).sqrt() - 3.0).pow(2) / (2 * 0.09); }
double ring_log_z() {
  const double s = 0.3, c = 3.0;
  return std::log(2 * M_PI *
                  (s * s * std::exp(-c * c / (2 * s * s)) +
                   c * s * std::sqrt(2 * M_PI) * 0.5 * std::erfc(-c / (s * std::sqrt(2.0)))));
}

std::shared_ptr<flow::Flow> f64(std::shared_ptr<flow::Flow> f) {
  f->to(torch::kFloat64);
  return f;
}

/// Runs f, expects esvgd::Error (any kind) whose what() contains every needle.
template <typename F>
void expect_error_mentioning(F&& f, std::initializer_list<std::string> needles) {
  try {
    f();
    ADD_FAILURE() << "no esvgd::Error thrown";
  } catch (const esvgd::Error& e) {
    for (const auto& n : needles)
      EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << "'" << n << "' not in message: " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected esvgd::Error, got another exception: " << e.what();
  }
}

}  // namespace

TEST(ReverseKl, RealNvpFitsAGaussian) {
  torch::manual_seed(1);  // the couplings' first layers
  auto f = f64(flow::real_nvp_flow(2, flow::FlowOptions().layers(4).hidden(16)));
  const auto r = flow::train_reverse_kl(
      *f, gaussian_log_prob, flow::ReverseKlOptions().steps(400).batch(128).learning_rate(1e-2), test::make_gen(2));
  ASSERT_EQ(r.loss.size(), 400u);
  EXPECT_FALSE(r.resumed);
  // The first step's flow is N(0, I): KL = ½(tr Σ⁻¹ + μᵀΣ⁻¹μ − 2 + log det Σ) = 9.25 (one batch of 128:
  // standard error ≈ 0.75).
  EXPECT_NEAR(r.loss[0], 9.25, 3.0);
  const double first = mean_of(r.loss, 0, 10), last = mean_of(r.loss, 350, 50);
  EXPECT_LT(last, first);
  EXPECT_NEAR(last, 0.0, 0.1) << "the loss should approach −log Z = 0";
}

TEST(ReverseKl, RadialFlowFitsARing) {
  auto f = f64(flow::radial_flow(2, flow::FlowOptions()));
  const auto r = flow::train_reverse_kl(
      *f, ring_log_prob, flow::ReverseKlOptions().steps(400).batch(128).learning_rate(1e-2), test::make_gen(3));
  ASSERT_EQ(r.loss.size(), 400u);
  const double first = mean_of(r.loss, 0, 10), last = mean_of(r.loss, 350, 50);
  EXPECT_LT(last, first - 5) << "first " << first << ", last " << last;
  // E_q[log q − log π] ≥ −log Z: a loss below it means a wrong log-determinant.
  EXPECT_GT(last, -ring_log_z() - 0.1) << "−log Z = " << -ring_log_z();
  torch::NoGradGuard no_grad;
  auto gen = test::make_gen(4);
  const auto x = f->sample(4000, gen).value;
  EXPECT_NEAR(x.pow(2).sum(1).sqrt().mean().item<double>(), 3.0, 0.3);
}

TEST(ReverseKl, ResumedRunIsBitIdentical) {
  const auto dir = test::fresh_dir("flow_resume");
  const auto o =
      flow::ReverseKlOptions().steps(60).batch(64).learning_rate(1e-2).checkpoint_every(30).fingerprint("ring");
  const auto new_flow = [] { return f64(flow::radial_flow(2, flow::FlowOptions().layers(2))); };

  auto whole = new_flow();
  auto whole_options = o;
  whole_options.checkpoint_path((dir / "whole.pt").string());
  const auto full = flow::train_reverse_kl(*whole, ring_log_prob, whole_options, test::make_gen(7));
  ASSERT_EQ(full.loss.size(), 60u);
  EXPECT_TRUE(fs::exists(dir / "whole.pt"));

  // 30 steps to a checkpoint (resume = true without a file: a fresh start), then from a fresh flow and
  // another seed: the checkpoint's flow, Adam state, generator and losses continue the run.
  const auto path = (dir / "half.pt").string();
  auto half_options = o;
  half_options.checkpoint_path(path).steps(30);
  auto first_half = new_flow();
  const auto half =
      flow::train_reverse_kl(*first_half, ring_log_prob, half_options, test::make_gen(7), /*resume=*/true);
  EXPECT_FALSE(half.resumed);
  ASSERT_EQ(half.loss.size(), 30u);
  EXPECT_TRUE(std::equal(half.loss.begin(), half.loss.end(), full.loss.begin()));
  ASSERT_TRUE(fs::exists(path));

  auto resumed_flow = new_flow();
  half_options.steps(60);
  const auto rest =
      flow::train_reverse_kl(*resumed_flow, ring_log_prob, half_options, test::make_gen(12345), /*resume=*/true);
  EXPECT_TRUE(rest.resumed);
  ASSERT_EQ(rest.loss.size(), 60u);
  EXPECT_EQ(rest.loss, full.loss);
  const auto a = whole->parameters(), b = resumed_flow->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;

  auto other = half_options;
  other.fingerprint("another ring");
  expect_error_mentioning([&] { flow::train_reverse_kl(*new_flow(), ring_log_prob, other, test::make_gen(7), true); },
                          {path, "another configuration"});
}

TEST(ReverseKl, AnnealedFirstStepWeightsLogPiByAnnealStart) {
  // From the identity flow with the same draws, the first losses with and without annealing differ by
  // (1 − β) · mean log π(z) with β = anneal_start (the loss is mean(log q − β log π)).
  const auto plain = flow::ReverseKlOptions().steps(1).batch(64);
  auto annealed = plain;
  annealed.anneal_steps(10).anneal_start(0.25);
  const auto a = flow::train_reverse_kl(*f64(flow::radial_flow(2, {})), ring_log_prob, plain, test::make_gen(9));
  const auto b = flow::train_reverse_kl(*f64(flow::radial_flow(2, {})), ring_log_prob, annealed, test::make_gen(9));
  auto gen = test::make_gen(9);
  const double mean_log_pi = ring_log_prob(torch::randn({64, 2}, gen, torch::kFloat64)).mean().item<double>();
  EXPECT_NEAR(b.loss.at(0) - a.loss.at(0), 0.75 * mean_log_pi, 1e-9);
  expect_error_mentioning([&] { flow::check_reverse_kl(flow::ReverseKlOptions().anneal_start(0)); },
                          {"ReverseKlOptions::anneal_start"});
  expect_error_mentioning([&] { flow::check_reverse_kl(flow::ReverseKlOptions().anneal_steps(-1)); },
                          {"ReverseKlOptions::anneal_steps"});
}

TEST(ReverseKl, NonFiniteTargetIsANumericalErrorNamingTheStep) {
  auto f = f64(flow::radial_flow(2, flow::FlowOptions().layers(1)));
  const flow::LogProbFn nan_target = [](const torch::Tensor& x) {
    return x.sum(1) * std::numeric_limits<double>::quiet_NaN();
  };
  test::expect_error(
      [&] { flow::train_reverse_kl(*f, nan_target, flow::ReverseKlOptions().steps(5).batch(8), test::make_gen(5)); },
      ErrorKind::kNumerical, {"step"});
}

TEST(Neutra, PulledBackDensityOfTheIdentityIsTheTarget) {
  auto f = f64(flow::radial_flow(2, flow::FlowOptions()));
  auto gen = test::make_gen(6);
  const auto z = 2 * torch::randn({10, 2}, gen, torch::kFloat64);
  const auto got = flow::pulled_back(*f, gaussian_log_prob)(z);
  EXPECT_LT(max_abs(got.log_prob - gaussian_log_prob(z)), 1e-12);
  EXPECT_LT(max_abs(got.grad - gaussian_grad(z)), 1e-12);
}

TEST(Neutra, PulledBackDensityOfAScaleFlow) {
  auto f = std::make_shared<flow::Flow>(2);
  auto scale = std::make_shared<flow::ScaleLayer>(2);
  f->push_back(scale);
  f->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    scale->log_scale().fill_(std::log(2.0));
  }
  auto gen = test::make_gen(7);
  const auto z = torch::randn({10, 2}, gen, torch::kFloat64);
  const auto density = flow::pulled_back(*f, gaussian_log_prob);
  const auto got = density(z);
  // p̃(z) = π(2z) · 2², ∇ log p̃(z) = 2 ∇ log π(2z).
  EXPECT_LT(max_abs(got.log_prob - (gaussian_log_prob(2 * z) + 2 * std::log(2.0))), 1e-12);
  EXPECT_LT(max_abs(got.grad - 2 * gaussian_grad(2 * z)), 1e-12);
  const double h = 1e-6;
  for (int64_t j = 0; j < 2; ++j) {
    auto e = torch::zeros({1, 2}, torch::kFloat64);
    e[0][j] = h;
    const auto fd = (density(z + e).log_prob - density(z - e).log_prob) / (2 * h);
    EXPECT_LT(max_abs(fd - got.grad.select(1, j)), 1e-6) << "coordinate " << j;
  }
  EXPECT_FALSE(scale->log_scale().grad().defined()) << "pulled_back must not differentiate the flow's parameters";

  const auto samples = torch::randn({3, 4, 2}, gen, torch::kFloat64);
  const auto pushed = flow::push_forward(*f, samples);
  ASSERT_EQ(pushed.sizes(), samples.sizes());
  EXPECT_LT(max_abs(pushed - 2 * samples), 1e-12);
}

TEST(Neutra, HmcInZPushedForwardSamplesTheTarget) {
  // A random radial flow: its Jacobian varies with z, so a wrong log|det| in p̃ would change the law of
  // the pushed-forward draws. π: N((1, −2), diag(1, 0.25)). One leapfrog step (MALA): on a near-Gaussian
  // p̃, L > 1 steps at the adapted ε can come close to a period of the trajectory (a resonance), where the
  // chains barely mix and the check would hinge on the adapted value.
  auto f = f64(flow::radial_flow(2, flow::FlowOptions().layers(2)));
  auto gen = test::make_gen(8);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : f->parameters()) p.normal_(0, 0.3, gen);
  }
  const auto mu = torch::tensor({1.0, -2.0}, torch::kFloat64), var = torch::tensor({1.0, 0.25}, torch::kFloat64);
  const flow::LogProbFn target = [mu, var](const torch::Tensor& x) { return -0.5 * ((x - mu).pow(2) / var).sum(1); };
  const auto density = flow::pulled_back(*f, target);
  const auto o = sampler::HmcOptions().leapfrog_steps(1).step_size(0.3).warmup(100).max_steps(300);
  auto state = sampler::init(torch::randn({500, 2}, gen, torch::kFloat64), density, o, gen);
  const auto r = sampler::run(state, density, o);
  ASSERT_EQ(r.samples.size(0), 200);
  EXPECT_GT(r.acceptance_rate, 0.5);
  const auto x = flow::push_forward(*f, r.samples).reshape({-1, 2});
  EXPECT_LT(max_abs(x.mean(0) - mu), 0.1) << x.mean(0);
  EXPECT_LT(max_abs(x.var(0) - var), 0.1) << x.var(0);
}
