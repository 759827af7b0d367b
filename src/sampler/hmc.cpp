#include "esvgd/sampler/hmc.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"
#include "sampler/step_check.h"

namespace esvgd::sampler {

namespace {

// Hoffman & Gelman (2014), Algorithm 5.
constexpr double kGamma = 0.05, kT0 = 10, kKappa = 0.75;

LogDensityAndGradient evaluate(const LogDensityFn& density, const torch::Tensor& X) {
  auto d = density(X);
  ESVGD_CHECK(d.log_prob.defined() && d.grad.defined() && d.log_prob.dim() == 1 && d.log_prob.size(0) == X.size(0) &&
                  d.grad.sizes() == X.sizes(),
              "a log density must return log π [N] and its gradient [N, D] for X ", X.sizes());
  return {d.log_prob.detach().to(X.dtype()), d.grad.detach().to(X.dtype())};
}

/// One dual-averaging update from the mean acceptance probability `alpha`.
void adapt(StepSizeAdaptation& a, double alpha, double target) {
  ++a.count;
  const double t = static_cast<double>(a.count);
  a.h_avg = (1 - 1 / (t + kT0)) * a.h_avg + (target - alpha) / (t + kT0);
  a.log_step = a.mu - std::sqrt(t) / kGamma * a.h_avg;
  const double w = std::pow(t, -kKappa);
  a.log_step_avg = w * a.log_step + (1 - w) * a.log_step_avg;
}

}  // namespace

LogDensityFn with_autograd(std::function<torch::Tensor(const torch::Tensor&)> log_prob) {
  return [log_prob = std::move(log_prob)](const torch::Tensor& X) {
    torch::AutoGradMode enable(true);
    const auto x = X.detach().requires_grad_(true);
    const auto lp = log_prob(x);
    const auto grad = torch::autograd::grad({lp.sum()}, {x})[0];
    return LogDensityAndGradient{lp.detach(), grad.detach()};
  };
}

void check_hmc(const HmcOptions& o) {
  if (!(o.step_size() > 0) || !std::isfinite(o.step_size()))
    throw Error(ErrorKind::kInvalidArgument, "HmcOptions::step_size", "must be a positive finite number");
  if (o.leapfrog_steps() < 1) throw Error(ErrorKind::kInvalidArgument, "HmcOptions::leapfrog_steps", "must be >= 1");
  if (o.max_steps() < 0) throw Error(ErrorKind::kInvalidArgument, "HmcOptions::max_steps", "must be >= 0");
  if (o.warmup() < 0 || o.warmup() > o.max_steps())
    throw Error(ErrorKind::kInvalidArgument, "HmcOptions::warmup", "must lie in [0, HmcOptions::max_steps]");
  if (!(o.target_acceptance() > 0 && o.target_acceptance() < 1))
    throw Error(ErrorKind::kInvalidArgument, "HmcOptions::target_acceptance", "must lie in (0, 1)");
}

HmcState init(const torch::Tensor& X0, const LogDensityFn& density, const HmcOptions& options, at::Generator gen) {
  ESVGD_CHECK(X0.dim() == 2 && X0.size(0) >= 1, "initial particles must be [N >= 1, D], got ", X0.sizes());
  check_hmc(options);
  HmcState s;
  s.particles = X0.detach().clone();
  auto d = evaluate(density, s.particles);
  s.log_prob = d.log_prob;
  s.grad = d.grad;
  s.step_size = options.step_size();
  s.adaptation.mu = std::log(10 * options.step_size());
  s.adaptation.log_step = s.adaptation.log_step_avg = std::log(options.step_size());
  s.gen = std::move(gen);
  return s;
}

HmcStepInfo step(HmcState& s, const LogDensityFn& density, const HmcOptions& o) {
  torch::NoGradGuard no_grad;
  if (!torch::isfinite(s.log_prob).all().item<bool>())
    throw Error(ErrorKind::kNumerical, "HMC step " + std::to_string(s.step + 1),
                "log π is NaN or inf at the current particles; start the chains where the density is positive");
  const auto& X = s.particles;
  const auto cpu = X.options().device(torch::kCPU);
  const auto p0 = noise_rows(X, s.gen, nullptr);
  const double eps = s.step_size;
  // Leapfrog: half step in p, L alternating full steps, half step in p.
  auto x = X, p = p0 + (eps / 2) * s.grad;
  LogDensityAndGradient d;
  for (int64_t l = 0; l < o.leapfrog_steps(); ++l) {
    x = x + eps * p;
    d = evaluate(density, x);
    p = p + (l + 1 < o.leapfrog_steps() ? eps : eps / 2) * d.grad;
  }
  const auto h0 = -s.log_prob + 0.5 * p0.square().sum(1);
  const auto h1 = -d.log_prob + 0.5 * p.square().sum(1);
  auto log_ratio = (h0 - h1).nan_to_num(-std::numeric_limits<double>::infinity(), 0.0,
                                        -std::numeric_limits<double>::infinity());
  const auto u = torch::rand({X.size(0)}, s.gen, cpu.dtype(torch::kFloat64)).to(X.device());
  const auto accept = torch::log(u) < log_ratio.to(torch::kFloat64);
  const auto keep = accept.unsqueeze(1);
  s.particles = torch::where(keep, x, X);
  s.log_prob = torch::where(accept, d.log_prob, s.log_prob);
  s.grad = torch::where(keep, d.grad, s.grad);
  HmcStepInfo info{s.step, log_ratio.clamp_max(0).exp().mean().item<double>(), accept.to(torch::kFloat64).mean().item<double>(),
                   eps};
  ++s.step;
  if (s.step <= o.warmup()) {
    adapt(s.adaptation, info.acceptance, o.target_acceptance());
    s.step_size = std::exp(s.step == o.warmup() ? s.adaptation.log_step_avg : s.adaptation.log_step);
  }
  return info;
}

HmcResult run(HmcState& s, const LogDensityFn& density, const HmcOptions& o, core::Progress* progress) {
  std::vector<torch::Tensor> kept;
  double accepted = 0;
  while (s.step < o.max_steps()) {
    const auto info = step(s, density, o);
    if (s.step > o.warmup()) {
      kept.push_back(s.particles);
      accepted += info.accepted_fraction;
    }
    if (progress) progress->update(s.step);
  }
  HmcResult r;
  r.particles = s.particles;
  r.samples = kept.empty() ? torch::empty({0, s.particles.size(0), s.particles.size(1)}, s.particles.options())
                           : torch::stack(kept);
  r.acceptance_rate = kept.empty() ? 0.0 : accepted / static_cast<double>(kept.size());
  r.step_size = s.step_size;
  return r;
}

}  // namespace esvgd::sampler
