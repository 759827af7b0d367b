#include "esvgd/sampler/svgd.h"

#include <cmath>

#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"
#include "esvgd/kernel/coupling.h"
#include "esvgd/kernel/median.h"

namespace esvgd::sampler {

namespace {

/// {(1/N) Σ_i ‖Δx_i‖, X all finite}: one pass over contiguous CPU data (SVGD steps inside CD are
/// a few tens of microseconds, and two reductions with .item() would add ~15 of them).
template <typename T>
std::pair<double, bool> displacement_and_finite(const T* x, const T* dx, int64_t N, int64_t D) {
  double total = 0;
  bool finite = true;
  for (int64_t i = 0; i < N; ++i) {
    double sq = 0;
    for (int64_t f = 0; f < D; ++f) {
      sq += static_cast<double>(dx[i * D + f]) * static_cast<double>(dx[i * D + f]);
      finite &= std::isfinite(x[i * D + f]);
    }
    total += std::sqrt(sq);
  }
  return {total / static_cast<double>(N), finite};
}

std::pair<double, bool> displacement_and_finite(const torch::Tensor& X, const torch::Tensor& dx) {
  if (X.device().is_cpu() && X.is_contiguous() && dx.is_contiguous() && X.scalar_type() == dx.scalar_type()) {
    if (X.scalar_type() == torch::kFloat64)
      return displacement_and_finite(X.data_ptr<double>(), dx.data_ptr<double>(), X.size(0), X.size(1));
    if (X.scalar_type() == torch::kFloat32)
      return displacement_and_finite(X.data_ptr<float>(), dx.data_ptr<float>(), X.size(0), X.size(1));
  }
  return {dx.norm(2, 1).mean().item<double>(), torch::isfinite(X).all().item<bool>()};
}

}  // namespace

Svgd::Svgd(target::ScoreFn score, std::shared_ptr<kernel::Kernel> kernel, SvgdOptions options)
    : score_(std::move(score)), kernel_(std::move(kernel)), options_(std::move(options)) {
  ESVGD_CHECK(score_ != nullptr, "SVGD needs a score function");
  ESVGD_CHECK(kernel_ != nullptr, "SVGD needs a kernel");
  if (options_.max_steps < 0) throw Error(ErrorKind::kConfig, "svgd.steps", "must be >= 0");
  if (!(options_.epsilon >= 0)) throw Error(ErrorKind::kConfig, "svgd.epsilon", "must be >= 0");
  if (!(options_.temperature >= 0) || !std::isfinite(options_.temperature))
    throw Error(ErrorKind::kConfig, "svgd.repulsion", "repulsion temperature must be a finite number >= 0");
  if (options_.median_interval < 1) throw Error(ErrorKind::kConfig, "svgd.median_interval", "must be >= 1");
  if (options_.median_max_pairs < 1) throw Error(ErrorKind::kConfig, "svgd.median_max_pairs", "must be >= 1");
  check_anneal(options_.anneal);
  if (!(options_.langevin_noise >= 0) || !std::isfinite(options_.langevin_noise))
    throw Error(ErrorKind::kConfig, "svgd.langevin_noise", "must be a finite number >= 0");
  if (!(options_.stein_weight >= 0) || !std::isfinite(options_.stein_weight))
    throw Error(ErrorKind::kConfig, "svgd.stein_weight", "must be a finite number >= 0");
  if (!(options_.clip >= 0) || !std::isfinite(options_.clip))
    throw Error(ErrorKind::kConfig, "svgd.clip", "must be a finite number >= 0 (0 = off)");
  if (options_.clip > 0 && !options_.langevin)
    throw Error(ErrorKind::kConfig, "svgd.clip", "clips the drift of the noisy step: set svgd.langevin = true");
  if (options_.langevin && options_.optimizer.kind != "sgd")
    throw Error(ErrorKind::kConfig, "svgd.optimizer",
                "the noisy step (svgd.langevin = true) takes plain steps: use sgd, not " + options_.optimizer.kind);
  make_optimizer(options_.optimizer);  // validates kind and step size now, not at the first step
}

std::pair<torch::Tensor, torch::Tensor> Svgd::phi_and_scores(const torch::Tensor& X, const torch::Tensor& anchors,
                                                             const torch::Tensor& anchor_scores, double gamma) const {
  torch::NoGradGuard no_grad;
  const bool has_anchors = anchors.defined() && anchors.numel() > 0;
  const torch::Tensor SX = score_(X).to(X.dtype());
  torch::Tensor Y = X, S = SX;
  if (has_anchors) {
    ESVGD_CHECK(anchors.dim() == 2 && anchors.size(1) == X.size(1), "anchors must be [A, D = ", X.size(1), "], got ",
                anchors.sizes());
    Y = torch::cat({X, anchors.to(X.dtype())});
    S = torch::cat({S, (anchor_scores.defined() ? anchor_scores : score_(anchors)).to(X.dtype())});
  }
  if (gamma != 1.0) S = S * gamma;  // annealing weights the driving term only
  auto phi = kernel_->phi(X, Y, S, options_.temperature);
  if (options_.kernel_mass) {
    // The mass is at least the self term over M; the floor only guards a kernel whose self term vanishes.
    const auto mass = kernel::kernel_mass(*kernel_, X, Y).clamp_min(1e-300).unsqueeze(1);
    phi = phi / mass.to(phi.dtype());
  }
  return {phi, SX};
}

torch::Tensor Svgd::direction(const torch::Tensor& X, const torch::Tensor& anchors, const torch::Tensor& anchor_scores,
                              double gamma) const {
  return phi_and_scores(X, anchors, anchor_scores, gamma).first;
}

torch::Tensor Svgd::drift(const torch::Tensor& X, const torch::Tensor& anchors, const torch::Tensor& anchor_scores,
                          double gamma) const {
  auto [phi, scores] = phi_and_scores(X, anchors, anchor_scores, gamma);
  return options_.langevin ? scores + options_.stein_weight * phi : phi;
}

SvgdResult Svgd::run(const torch::Tensor& X0, const torch::Tensor& anchors, const Callback& callback,
                     core::Progress* progress) {
  at::Generator noise = at::detail::createCPUGenerator(options_.median_seed);
  return run_chains(X0, anchors, callback, progress, noise);
}

ChainResult Svgd::run(const torch::Tensor& X0, const torch::Tensor& anchors, at::Generator& gen,
                      core::Progress* progress) {
  return run_chains(X0, anchors, nullptr, progress, gen);
}

ChainResult Svgd::run_chains(const torch::Tensor& X0, const torch::Tensor& anchors, const Callback& callback,
                             core::Progress* progress, at::Generator& noise) {
  ESVGD_CHECK(X0.dim() == 2 && X0.size(0) >= 1, "initial particles must be [N >= 1, D], got ", X0.sizes());
  torch::NoGradGuard no_grad;
  auto opt = make_optimizer(options_.optimizer);
  at::Generator gen = at::detail::createCPUGenerator(options_.median_seed);
  const bool has_anchors = anchors.defined() && anchors.numel() > 0;
  torch::Tensor anchor_scores;
  if (has_anchors) anchor_scores = score_(anchors.to(X0.dtype()));
  const double eps = options_.optimizer.step_size, noise_scale = options_.langevin_noise * std::sqrt(2 * eps);
  torch::Tensor X = X0.clone();
  ChainResult result{X, 0, "max_steps"};
  for (int64_t t = 0; t < options_.max_steps; ++t) {
    if (options_.median && X.size(0) >= 2 && t % options_.median_interval == 0) {
      const double h = kernel::median_bandwidth(*kernel_, X, options_.median_max_pairs, gen);
      if (h > 0 && std::isfinite(h)) kernel_->set_bandwidth(h);  // all particles equal: keep the last h
    }
    StepInfo info;
    info.step = t;
    info.gamma = anneal_gamma(options_.anneal, t);
    info.bandwidth = kernel_->bandwidth();
    torch::Tensor dx;
    if (options_.langevin) {
      const auto xi = torch::randn(X.sizes(), noise, X.options().device(torch::kCPU)).to(X.device());
      dx = clip_row_norms(eps * drift(X, anchors, anchor_scores, info.gamma), options_.clip) + noise_scale * xi;
    } else {
      dx = opt->displacement(direction(X, anchors, anchor_scores, info.gamma));
    }
    X = X + dx;
    const auto [displacement, finite] = displacement_and_finite(X, dx);
    if (!finite)
      throw Error(ErrorKind::kNumerical, "SVGD step " + std::to_string(t + 1),
                  "particles became NaN or inf (the run diverged); try a smaller svgd.step_size or a larger bandwidth");
    info.mean_displacement = displacement;
    result.steps = t + 1;
    if (progress) progress->update(t + 1);
    if (callback && !callback(info, X)) {
      result.stop_reason = "callback";
      break;
    }
    if (options_.epsilon > 0 && info.mean_displacement < options_.epsilon) {
      result.stop_reason = "converged";
      break;
    }
  }
  result.particles = X;
  result.bandwidth = kernel_->bandwidth();
  if (options_.measure_coupling)
    result.interacting = kernel::mean_interacting(*kernel_, X, has_anchors ? torch::cat({X, anchors.to(X.dtype())}) : X);
  return result;
}

}  // namespace esvgd::sampler
