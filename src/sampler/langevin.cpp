#include "esvgd/sampler/langevin.h"

#include <cmath>
#include <string>

#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"
#include "esvgd/sampler/particle_parallel.h"
#include "step_check.h"

namespace esvgd::sampler {

namespace {

torch::Tensor drift_of(const ScoreFn& score, const LangevinOptions& o, const torch::Tensor& X) {
  torch::NoGradGuard no_grad;
  return clip_row_norms(score(X).to(X.dtype()) * (o.step_size() / 2), o.clip());
}

torch::Tensor step_with(const ScoreFn& score, const LangevinOptions& o, const torch::Tensor& X,
                        const torch::Tensor& xi) {
  auto next = X + drift_of(score, o, X) + (o.noise() * std::sqrt(o.step_size())) * xi;
  if (o.bounded()) next = next.clamp(o.low(), o.high());
  return next;
}

/// One step of this process's chains (its mean displacement is over its own rows).
StepInfo step_of(LangevinState& s, const ScoreFn& score, const LangevinOptions& o, const ParticleExchange* ex) {
  torch::NoGradGuard no_grad;
  const torch::Tensor& X = s.particles;
  auto next = step_with(score, o, X, noise_rows(X, s.noise, ex));
  const auto [mean_displacement, finite] = displacement_and_finite(next, next - X);
  StepInfo info{s.step, mean_displacement, 0.0, 1.0};
  s.particles = next;
  ++s.step;
  if (!finite)
    throw Error(ErrorKind::kNumerical, "Langevin step " + std::to_string(s.step),
                "particles became NaN or inf (the run diverged); try a smaller LangevinOptions::step_size or LangevinOptions::clip > 0");
  return info;
}

ChainResult run_of(LangevinState& s, const ScoreFn& score, const LangevinOptions& o, core::Progress* progress,
                   const ParticleExchange* ex) {
  const int64_t first = s.step;
  while (s.step < o.max_steps()) {
    step_of(s, score, o, ex);
    if (progress) progress->update(s.step);
  }
  return {ex ? ex->gather(s.particles) : s.particles, s.step - first, StopReason::kMaxSteps, 0.0, -1.0};
}

}  // namespace

void check_langevin(const LangevinOptions& o) {
  if (o.max_steps() < 0) throw Error(ErrorKind::kInvalidArgument, "LangevinOptions::max_steps", "must be >= 0");
  if (!(o.step_size() > 0) || !std::isfinite(o.step_size()))
    throw Error(ErrorKind::kInvalidArgument, "LangevinOptions::step_size", "must be a positive finite number");
  if (!(o.noise() >= 0) || !std::isfinite(o.noise()))
    throw Error(ErrorKind::kInvalidArgument, "LangevinOptions::noise", "must be a finite number >= 0");
  if (!(o.clip() >= 0) || !std::isfinite(o.clip()))
    throw Error(ErrorKind::kInvalidArgument, "LangevinOptions::clip", "must be a finite number >= 0 (0 = off)");
  if (std::isnan(o.low()) || std::isnan(o.high()) || !(o.low() < o.high()))
    throw Error(ErrorKind::kInvalidArgument, "LangevinOptions::low",
                "must be [low, high] with low < high, or [] for no box");
}

LangevinState init(const torch::Tensor& X0, const LangevinOptions& options, at::Generator noise) {
  ESVGD_CHECK(X0.dim() == 2 && X0.size(0) >= 1, "initial particles must be [N >= 1, D], got ", X0.sizes());
  check_langevin(options);
  return {X0.clone(), 0, std::move(noise)};
}

StepInfo step(LangevinState& s, const ScoreFn& score, const LangevinOptions& o) { return step_of(s, score, o, nullptr); }

ChainResult run(LangevinState& s, const ScoreFn& score, const LangevinOptions& o, core::Progress* progress) {
  return run_of(s, score, o, progress, nullptr);
}

ChainResult run(LangevinState& s, const ScoreFn& score, const LangevinOptions& o, const ParticleExchange& exchange,
                core::Progress* progress) {
  return run_of(s, score, o, progress, &exchange);
}

Langevin::Langevin(ScoreFn score, LangevinOptions options) : score_(std::move(score)), options_(options) {
  ESVGD_CHECK(score_ != nullptr, "Langevin needs a score function");
  check_langevin(options_);
}

torch::Tensor Langevin::drift(const torch::Tensor& X) const { return drift_of(score_, options_, X); }

torch::Tensor Langevin::step(const torch::Tensor& X, const torch::Tensor& xi) const {
  torch::NoGradGuard no_grad;
  return step_with(score_, options_, X, xi);
}

ChainResult Langevin::run(const torch::Tensor& X0, const torch::Tensor&, at::Generator& gen, core::Progress* progress) {
  auto state = init(X0, options_, gen);
  return sampler::run(state, score_, options_, progress);
}

}  // namespace esvgd::sampler
