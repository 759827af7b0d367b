#include "esvgd/sampler/svgd.h"

#include <cmath>

#include <torch/serialize/archive.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "core/stack_rows.h"
#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"
#include "esvgd/kernel/coupling.h"
#include "esvgd/kernel/median.h"
#include "esvgd/sampler/particle_parallel.h"
#include "step_check.h"

namespace esvgd::sampler {

namespace {

bool has_rows(const torch::Tensor& t) { return t.defined() && t.numel() > 0; }

/// t in dtype d, with no dispatched op where it is already (three such calls per step).
torch::Tensor in_dtype(const torch::Tensor& t, torch::ScalarType d) { return t.scalar_type() == d ? t : t.to(d); }

/// The kernel at bandwidth h: the kernel itself when h is its own, else a copy.
class KernelAt {
 public:
  KernelAt(const kernel::Kernel& kernel, double h)
      : copy_(h == kernel.bandwidth() ? nullptr : kernel.with_bandwidth(h)), kernel_(copy_ ? *copy_ : kernel) {}
  const kernel::Kernel& operator*() const { return kernel_; }

 private:
  std::shared_ptr<const kernel::Kernel> copy_;
  const kernel::Kernel& kernel_;
};

/// All N particles: X itself, or every process's rows (particle_parallel.h; ex may be null).
torch::Tensor all_rows(const torch::Tensor& X, const ParticleExchange* ex) { return ex ? ex->gather(X) : X; }

/// φ at X with the anchors' points, scores (S weighted by γ) and what the kernel prepared of them
/// (may be undefined), and the scores of X, from one score evaluation. With an exchange, X is this
/// process's rows and φ is taken against all N.
std::pair<torch::Tensor, torch::Tensor> phi_and_scores(const ScoreFn& score, const kernel::Kernel& kernel,
                                                       const SvgdOptions& o, const torch::Tensor& X,
                                                       const torch::Tensor& anchors, const torch::Tensor& anchor_scores,
                                                       const torch::Tensor& prepared, double gamma,
                                                       const ParticleExchange* ex = nullptr) {
  torch::NoGradGuard no_grad;
  const torch::Tensor SX = in_dtype(score(X), X.scalar_type());
  torch::Tensor Y = X, S = SX;
  if (ex) {  // one exchange of the particles with their scores
    const auto both = ex->gather(torch::cat({X, SX}, 1));
    Y = both.narrow(1, 0, X.size(1)).contiguous();
    S = both.narrow(1, X.size(1), X.size(1)).contiguous();
  }
  if (has_rows(anchors)) {
    ESVGD_CHECK(anchors.dim() == 2 && anchors.size(1) == X.size(1), "anchors must be [A, D = ", X.size(1), "], got ",
                anchors.sizes());
    // Rewritten in place at every step of a run (stack_rows reuses what no one else holds).
    thread_local torch::Tensor points, scores;
    Y = core::stack_rows(Y, in_dtype(anchors, X.scalar_type()), &points);
    S = core::stack_rows(S, in_dtype(anchor_scores.defined() ? anchor_scores : score(anchors), X.scalar_type()),
                         &scores);
  }
  if (gamma != 1.0) S = S * gamma;  // annealing weights the driving term only
  auto phi = kernel.phi_prepared(X, Y, S, o.temperature(), prepared);
  if (o.kernel_mass()) {
    // The mass is at least the self term over M; the floor only guards a kernel whose self term vanishes.
    const auto mass = kernel::kernel_mass(kernel, X, Y).clamp_min(1e-300).unsqueeze(1);
    phi = phi / mass.to(phi.dtype());
  }
  return {phi, SX};
}

/// What the step size multiplies: φ, or s + βφ for the noisy step.
torch::Tensor drift_of(const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& o,
                       const torch::Tensor& X, const torch::Tensor& anchors, const torch::Tensor& anchor_scores,
                       const torch::Tensor& prepared, double gamma, const ParticleExchange* ex = nullptr) {
  auto [phi, scores] = phi_and_scores(score, kernel, o, X, anchors, anchor_scores, prepared, gamma, ex);
  return o.langevin() ? scores + o.stein_weight() * phi : phi;
}

torch::Tensor with_anchors(const torch::Tensor& X, const SvgdState& s) {
  return has_rows(s.anchors) ? torch::cat({X, s.anchors.to(X.dtype())}) : X;
}

/// {(1/N) Σ_i ‖Δx_i‖, all finite} over every process's rows.
std::pair<double, bool> displacement_everywhere(const Moved& m, const ParticleExchange* ex) {
  if (!ex) return {m.mean_displacement, m.finite};
  const double rows = static_cast<double>(m.next.size(0));
  const auto own = torch::tensor({m.mean_displacement * rows, m.finite ? 0.0 : 1.0}, torch::kFloat64);
  const auto total = ex->sum(own);
  return {total[0].item<double>() / static_cast<double>(ex->total_rows()), total[1].item<double>() == 0};
}

void update_bandwidth_of(SvgdState& s, const kernel::Kernel& kernel, const SvgdOptions& o, const ParticleExchange* ex) {
  if (!o.median() || s.step % o.median_interval() != 0) return;
  const auto X = all_rows(s.particles, ex);
  if (X.size(0) < 2) return;
  const double h = kernel::median_bandwidth(kernel, X, o.median_max_pairs(), s.pairs);
  if (h > 0 && std::isfinite(h)) s.bandwidth = h;  // all particles equal: keep the last h
}

StepInfo step_of(SvgdState& s, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& o,
                 const ParticleExchange* ex) {
  torch::NoGradGuard no_grad;
  if (has_rows(s.anchors) && !s.anchor_scores.defined()) s.anchor_scores = score(s.anchors).to(s.particles.dtype());
  if (has_rows(s.anchors) && !s.prepared.defined()) s.prepared = kernel.prepare_anchors(s.anchors);
  const KernelAt k(kernel, s.bandwidth);
  StepInfo info{s.step, 0.0, s.bandwidth, anneal_gamma(o.anneal(), s.step)};
  const torch::Tensor& X = s.particles;
  torch::Tensor dx;
  double scale = 1.0;
  if (o.langevin()) {
    const double eps = o.optimizer().step_size();
    const auto xi = noise_rows(X, s.noise, ex);
    dx = clip_row_norms(eps * drift_of(score, *k, o, X, s.anchors, s.anchor_scores, s.prepared, info.gamma, ex),
                        o.clip()) +
         (o.langevin_noise() * std::sqrt(2 * eps)) * xi;
  } else {
    // A plain step's ε is applied as it is added (moved_by): no tensor for ε·φ.
    auto step = scaled_displacement(
        o.optimizer(), s.optimizer,
        phi_and_scores(score, *k, o, X, s.anchors, s.anchor_scores, s.prepared, info.gamma, ex).first);
    dx = std::move(step.direction);
    scale = step.scale;
  }
  const Moved moved = moved_by(X, dx, scale);
  s.particles = moved.next;
  ++s.step;
  const auto [mean_displacement, finite] = displacement_everywhere(moved, ex);
  if (!finite)
    throw Error(ErrorKind::kNumerical, "SVGD step " + std::to_string(s.step),
                "particles became NaN or inf (the run diverged); try a smaller OptimizerOptions::step_size or a larger bandwidth");
  info.mean_displacement = mean_displacement;
  return info;
}

ChainResult run_of(SvgdState& s, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& o,
                   const Callback& callback, core::Progress* progress, const ParticleExchange* ex) {
  ChainResult result;
  const int64_t first = s.step;
  while (s.step < o.max_steps()) {
    update_bandwidth_of(s, kernel, o, ex);
    const StepInfo info = step_of(s, score, kernel, o, ex);
    if (progress) progress->update(s.step);
    if (callback && !callback(info, s.particles)) {
      result.stop_reason = StopReason::kCallback;
      break;
    }
    if (o.epsilon() > 0 && info.mean_displacement < o.epsilon()) {
      result.stop_reason = StopReason::kConverged;
      break;
    }
  }
  result.particles = all_rows(s.particles, ex);
  result.steps = s.step - first;
  result.bandwidth = s.bandwidth;
  if (o.measure_coupling())
    result.interacting =
        kernel::mean_interacting(*KernelAt(kernel, s.bandwidth), result.particles, with_anchors(result.particles, s));
  return result;
}

}  // namespace

void check_svgd(const SvgdOptions& o) {
  if (o.max_steps() < 0) throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::max_steps", "must be >= 0");
  if (!(o.epsilon() >= 0)) throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::epsilon", "must be >= 0");
  if (!(o.temperature() >= 0) || !std::isfinite(o.temperature()))
    throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::temperature",
                "repulsion temperature must be a finite number >= 0");
  if (o.median_interval() < 1) throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::median_interval", "must be >= 1");
  if (o.median_max_pairs() < 1) throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::median_max_pairs", "must be >= 1");
  check_anneal(o.anneal());
  if (!(o.langevin_noise() >= 0) || !std::isfinite(o.langevin_noise()))
    throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::langevin_noise", "must be a finite number >= 0");
  if (!(o.stein_weight() >= 0) || !std::isfinite(o.stein_weight()))
    throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::stein_weight", "must be a finite number >= 0");
  if (!(o.clip() >= 0) || !std::isfinite(o.clip()))
    throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::clip", "must be a finite number >= 0 (0 = off)");
  if (o.clip() > 0 && !o.langevin())
    throw Error(ErrorKind::kInvalidArgument, "SvgdOptions::clip",
                "clips the drift of the noisy step: set SvgdOptions::langevin = true");
  if (o.langevin() && o.optimizer().kind() != OptimizerKind::kSgd)
    throw Error(ErrorKind::kInvalidArgument, "OptimizerOptions::kind",
                "the noisy step (SvgdOptions::langevin = true) takes plain steps: use sgd, not " + to_string(o.optimizer().kind()));
  check_optimizer(o.optimizer());
}

SvgdState SvgdState::clone() const {
  SvgdState c = *this;
  c.particles = particles.clone();
  c.optimizer.m = optimizer.m.defined() ? optimizer.m.clone() : optimizer.m;
  c.optimizer.v = optimizer.v.defined() ? optimizer.v.clone() : optimizer.v;
  c.noise = noise.clone();
  c.pairs = pairs.clone();
  return c;
}

SvgdState init(const torch::Tensor& X0, const kernel::Kernel& kernel, const SvgdOptions& options, at::Generator noise,
               const torch::Tensor& anchors) {
  ESVGD_CHECK(X0.dim() == 2 && X0.size(0) >= 1, "initial particles must be [N >= 1, D], got ", X0.sizes());
  check_svgd(options);
  SvgdState s;
  s.particles = X0.clone();
  if (has_rows(anchors)) s.anchors = anchors.to(X0.dtype());
  s.bandwidth = kernel.bandwidth();
  s.noise = std::move(noise);
  s.pairs = at::detail::createCPUGenerator(options.median_seed());
  return s;
}

SvgdState init(const torch::Tensor& X0, const kernel::Kernel& kernel, const SvgdOptions& options,
               const torch::Tensor& anchors) {
  return init(X0, kernel, options, at::detail::createCPUGenerator(options.median_seed()), anchors);
}

void update_bandwidth(SvgdState& s, const kernel::Kernel& kernel, const SvgdOptions& o) {
  update_bandwidth_of(s, kernel, o, nullptr);
}

void update_bandwidth(SvgdState& s, const kernel::Kernel& kernel, const SvgdOptions& o, const ParticleExchange& ex) {
  update_bandwidth_of(s, kernel, o, &ex);
}

StepInfo step(SvgdState& s, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& o) {
  return step_of(s, score, kernel, o, nullptr);
}

StepInfo step(SvgdState& s, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& o,
              const ParticleExchange& ex) {
  return step_of(s, score, kernel, o, &ex);
}

ChainResult run(SvgdState& s, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& o,
                const Callback& callback, core::Progress* progress) {
  return run_of(s, score, kernel, o, callback, progress, nullptr);
}

ChainResult run(SvgdState& s, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& o,
                const ParticleExchange& ex, const Callback& callback, core::Progress* progress) {
  return run_of(s, score, kernel, o, callback, progress, &ex);
}

void write_state(torch::serialize::OutputArchive& archive, const std::string& prefix, const SvgdState& s) {
  const auto undefined_as_empty = [](const torch::Tensor& t) { return t.defined() ? t : torch::empty({0}); };
  archive.write(prefix + ".particles", s.particles);
  archive.write(prefix + ".anchors", undefined_as_empty(s.anchors));
  archive.write(prefix + ".anchor_scores", undefined_as_empty(s.anchor_scores));
  archive.write(prefix + ".optimizer.m", undefined_as_empty(s.optimizer.m));
  archive.write(prefix + ".optimizer.v", undefined_as_empty(s.optimizer.v));
  archive.write(prefix + ".optimizer.t", torch::tensor(s.optimizer.t, torch::kLong));
  archive.write(prefix + ".bandwidth", torch::tensor(s.bandwidth, torch::kFloat64));
  archive.write(prefix + ".step", torch::tensor(s.step, torch::kLong));
  archive.write(prefix + ".noise", s.noise.get_state());
  archive.write(prefix + ".pairs", s.pairs.get_state());
}

SvgdState read_state(torch::serialize::InputArchive& archive, const std::string& prefix) {
  const auto read = [&](const std::string& name) {
    torch::Tensor t;
    archive.read(prefix + "." + name, t);
    return t;
  };
  const auto empty_as_undefined = [](torch::Tensor t) { return t.numel() > 0 ? t : torch::Tensor(); };
  SvgdState s;
  s.particles = read("particles");
  s.anchors = empty_as_undefined(read("anchors"));
  s.anchor_scores = empty_as_undefined(read("anchor_scores"));
  s.optimizer.m = empty_as_undefined(read("optimizer.m"));
  s.optimizer.v = empty_as_undefined(read("optimizer.v"));
  s.optimizer.t = read("optimizer.t").item<int64_t>();
  s.bandwidth = read("bandwidth").item<double>();
  s.step = read("step").item<int64_t>();
  s.noise = at::detail::createCPUGenerator();
  s.noise.set_state(read("noise"));
  s.pairs = at::detail::createCPUGenerator();
  s.pairs.set_state(read("pairs"));
  return s;
}

Svgd::Svgd(ScoreFn score, std::shared_ptr<const kernel::Kernel> kernel, SvgdOptions options)
    : score_(std::move(score)), kernel_(std::move(kernel)), options_(std::move(options)) {
  ESVGD_CHECK(score_ != nullptr, "SVGD needs a score function");
  ESVGD_CHECK(kernel_ != nullptr, "SVGD needs a kernel");
  check_svgd(options_);
}

torch::Tensor Svgd::direction(const torch::Tensor& X, const torch::Tensor& anchors, const torch::Tensor& anchor_scores,
                              double gamma) const {
  return phi_and_scores(score_, *kernel_, options_, X, anchors, anchor_scores, {}, gamma).first;
}

torch::Tensor Svgd::drift(const torch::Tensor& X, const torch::Tensor& anchors, const torch::Tensor& anchor_scores,
                          double gamma) const {
  return drift_of(score_, *kernel_, options_, X, anchors, anchor_scores, {}, gamma);
}

SvgdResult Svgd::run(const torch::Tensor& X0, const torch::Tensor& anchors, const Callback& callback,
                     core::Progress* progress) {
  auto state = init(X0, *kernel_, options_, anchors);
  return sampler::run(state, score_, *kernel_, options_, callback, progress);
}

ChainResult Svgd::run(const torch::Tensor& X0, const torch::Tensor& anchors, at::Generator& gen,
                      core::Progress* progress) {
  auto state = init(X0, *kernel_, options_, gen, anchors);
  return sampler::run(state, score_, *kernel_, options_, nullptr, progress);
}

}  // namespace esvgd::sampler
