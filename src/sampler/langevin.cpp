#include "esvgd/sampler/langevin.h"

#include <cmath>
#include <string>

#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"

namespace esvgd::sampler {

void check_langevin(const LangevinOptions& o) {
  if (o.max_steps < 0) throw Error(ErrorKind::kConfig, "langevin.steps", "must be >= 0");
  if (!(o.step_size > 0) || !std::isfinite(o.step_size))
    throw Error(ErrorKind::kConfig, "langevin.step_size", "must be a positive finite number");
  if (!(o.noise >= 0) || !std::isfinite(o.noise))
    throw Error(ErrorKind::kConfig, "langevin.noise", "must be a finite number >= 0");
  if (!(o.clip >= 0) || !std::isfinite(o.clip))
    throw Error(ErrorKind::kConfig, "langevin.clip", "must be a finite number >= 0 (0 = off)");
  if (std::isnan(o.low) || std::isnan(o.high) || !(o.low < o.high))
    throw Error(ErrorKind::kConfig, "langevin.clamp", "must be [low, high] with low < high, or [] for no box");
}

Langevin::Langevin(target::ScoreFn score, LangevinOptions options) : score_(std::move(score)), options_(options) {
  ESVGD_CHECK(score_ != nullptr, "Langevin needs a score function");
  check_langevin(options_);
}

torch::Tensor Langevin::drift(const torch::Tensor& X) const {
  torch::NoGradGuard no_grad;
  return clip_row_norms(score_(X).to(X.dtype()) * (options_.step_size / 2), options_.clip);
}

torch::Tensor Langevin::step(const torch::Tensor& X, const torch::Tensor& xi) const {
  auto next = X + drift(X) + (options_.noise * std::sqrt(options_.step_size)) * xi;
  if (options_.bounded()) next = next.clamp(options_.low, options_.high);
  return next;
}

ChainResult Langevin::run(const torch::Tensor& X0, const torch::Tensor&, at::Generator& gen, core::Progress* progress) {
  ESVGD_CHECK(X0.dim() == 2 && X0.size(0) >= 1, "initial particles must be [N >= 1, D], got ", X0.sizes());
  torch::NoGradGuard no_grad;
  auto X = X0.clone();
  for (int64_t t = 0; t < options_.max_steps; ++t) {
    // Noise drawn on the CPU from the caller's generator: the same stream on every device.
    const auto xi = torch::randn(X.sizes(), gen, X.options().device(torch::kCPU)).to(X.device());
    X = step(X, xi);
    if (!torch::isfinite(X).all().item<bool>())
      throw Error(ErrorKind::kNumerical, "Langevin step " + std::to_string(t + 1),
                  "particles became NaN or inf (the run diverged); try a smaller langevin.step_size or langevin.clip > 0");
    if (progress) progress->update(t + 1);
  }
  return {X, options_.max_steps, "max_steps", 0.0, -1.0};
}

}  // namespace esvgd::sampler
