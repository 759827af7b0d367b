#pragma once
/// Stein variational gradient descent (Liu & Wang 2016) with any esvgd kernel:
///
///   x_i ← x_i + Δ(φ(x_i)),  φ(x_i) = (1/M) Σ_j [ K(x_i, y_j) γ(t) s_j + T div_{y_j} K(x_i, y_j) ]
///
/// where y runs over the moving particles and optional fixed anchors (M counts both), Δ is the
/// particle optimiser (sgd/adagrad/adam), γ(t) the annealing weight and T the repulsion temperature.
/// Two options change the update (docs/method.md, "Samplers that move and kernels that couple"):
///   kernel_mass divides φ(x_i) by the kernel mass (1/M) Σ_j s(x_i, y_j) (kernel/coupling.h) instead of M,
///     so that a particle alone in its kernel's reach takes the step ε s(x_i) whatever M is;
///   langevin = true takes the noisy (stochastic particle-optimisation) step
///     x ← x + clip_c(ε (s(x) + β φ(x))) + σ √(2ε) ξ,  ξ ~ N(0, I)  (clip_c: the clip option, 0 = off),
///     whose stationary law is π for σ = 1 (φ vanishes at q = π in the mean-field limit).
/// Both keep the fixed points of φ.
///
/// The sampler has the shape of BlackJAX's: a run is a value, SvgdState (particles, optimiser
/// moments, bandwidth, step count, random generators), made by init() and advanced by step();
/// update_bandwidth() is the bandwidth rule (fixed, or the median heuristic every k steps), a
/// separate function of the state; run() is the loop
///
///   while (state.step < max_steps) { update_bandwidth(state); info = step(state); stop rules }
///
/// that stops after max_steps, when the mean displacement (1/N) Σ_i ‖Δx_i‖ drops below epsilon,
/// or when the callback returns false. After the last step it records the realised bandwidth and
/// the mean number of points each moving particle interacts with (coupling diagnostic). Kernels are
/// never changed: the state's bandwidth is applied to a copy (Kernel::with_bandwidth). Non-finite
/// particles throw esvgd::Error(kNumerical) naming the step. The class Svgd bundles a score, a
/// kernel and options for callers that want an object (and is the ChainSampler of CD training).
#include <functional>
#include <memory>
#include <string>

#include <torch/types.h>

#include "esvgd/core/arg.h"
#include "esvgd/core/score_fn.h"
#include "esvgd/kernel/kernel.h"
#include "esvgd/sampler/annealing.h"
#include "esvgd/sampler/chain_sampler.h"
#include "esvgd/sampler/optimizer.h"

namespace esvgd::core {
class Progress;
}
namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace esvgd::sampler {

struct SvgdOptions {
  ESVGD_ARG(OptimizerOptions, optimizer);         ///< the particle optimiser and its step size
  ESVGD_ARG(int64_t, max_steps) = 1000;           ///< steps before the run stops
  ESVGD_ARG(double, epsilon) = 0.0;               ///< stop when mean ‖Δx‖ < ε (0 = never)
  ESVGD_ARG(double, temperature) = 1.0;           ///< repulsion temperature T (1 textbook, 2 = the authors' code)
  ESVGD_ARG(bool, median) = false;                ///< h from the median heuristic (false: the kernel's fixed h)
  ESVGD_ARG(int64_t, median_interval) = 1;        ///< recompute the median every this many steps
  ESVGD_ARG(int64_t, median_max_pairs) = 100000;  ///< exact median up to this many pairs, else a subsample
  ESVGD_ARG(uint64_t, median_seed) = 0;           ///< seed of the pair subsample
  ESVGD_ARG(AnnealOptions, anneal);               ///< the annealing weight γ(t)
  ESVGD_ARG(bool, kernel_mass) = false;           ///< divide φ by the kernel mass, not M
  ESVGD_ARG(bool, langevin) = false;              ///< the noisy step (needs the sgd optimiser)
  ESVGD_ARG(double, langevin_noise) = 1.0;        ///< σ of the noisy step
  ESVGD_ARG(double, stein_weight) = 1.0;          ///< β of the noisy step
  ESVGD_ARG(double, clip) = 0.0;                  ///< largest drift norm ε(s + βφ) per particle in the noisy step (0 = off)
  ESVGD_ARG(bool, measure_coupling) = true;       ///< record ChainResult::interacting after the last step
};

/// Throws esvgd::Error(kInvalidArgument) naming a bad option ("SvgdOptions::max_steps", ...).
void check_svgd(const SvgdOptions& options);

/// Everything a run changes. Copying a state shares its tensors and generators; clone() copies them.
struct SvgdState {
  torch::Tensor particles;      ///< [N, D], float64 or float32
  torch::Tensor anchors;        ///< [A, D] fixed points that count in φ (undefined: none)
  torch::Tensor anchor_scores;  ///< their scores, computed once at the first step
  torch::Tensor prepared;       ///< the kernel's prepare_anchors of them, likewise (not checkpointed)
  OptimizerState optimizer;     ///< moments of adagrad/adam
  double bandwidth = 0.0;       ///< h of the next step
  int64_t step = 0;             ///< steps taken
  at::Generator noise;          ///< ξ of the noisy step
  at::Generator pairs;          ///< pair subsample of the median heuristic

  SvgdState clone() const;
};

/// The state at step 0: particles X0 [N >= 1, D], the kernel's bandwidth, anchors [A, D] (may be
/// undefined), the noise drawn from `noise` (shared with the caller, so that a checkpointed
/// generator resumes the same chains) and the median's pair subsample seeded with median_seed.
SvgdState init(const torch::Tensor& X0, const kernel::Kernel& kernel, const SvgdOptions& options,
               at::Generator noise, const torch::Tensor& anchors = {});
/// The same with the noise generator also seeded with median_seed (a self-contained run).
SvgdState init(const torch::Tensor& X0, const kernel::Kernel& kernel, const SvgdOptions& options,
               const torch::Tensor& anchors = {});

/// The bandwidth rule: with options.median, at every median_interval-th step h becomes the median
/// heuristic of the particles (kernel/median.h; kept when all particles coincide); else h stays.
void update_bandwidth(SvgdState& state, const kernel::Kernel& kernel, const SvgdOptions& options);

/// One step at the state's bandwidth and annealing weight γ(state.step); advances the state.
StepInfo step(SvgdState& state, const ScoreFn& score, const kernel::Kernel& kernel,
              const SvgdOptions& options);

/// Called after every step with the step's info and the current particles; return false to stop.
using Callback = std::function<bool(const StepInfo&, const torch::Tensor&)>;

/// The loop of the file comment from the state's current step on (a restored state continues).
ChainResult run(SvgdState& state, const ScoreFn& score, const kernel::Kernel& kernel,
                const SvgdOptions& options, const Callback& callback = nullptr, core::Progress* progress = nullptr);

/// Stores / restores a state (tensors, moments, bandwidth, step, both generators' states) under
/// `prefix` in a LibTorch archive, so that a run resumed from a checkpoint continues bit-identically.
void write_state(torch::serialize::OutputArchive& archive, const std::string& prefix, const SvgdState& state);
SvgdState read_state(torch::serialize::InputArchive& archive, const std::string& prefix);

using SvgdResult = ChainResult;

class Svgd : public ChainSampler {
 public:
  /// Validates options (errors name the option).
  Svgd(ScoreFn score, std::shared_ptr<const kernel::Kernel> kernel, SvgdOptions options);

  /// Stein direction at X [N, D] with fixed anchors [A, D] (may be undefined/empty) whose scores are
  /// anchor_scores (computed when undefined).
  torch::Tensor direction(const torch::Tensor& X, const torch::Tensor& anchors = {},
                          const torch::Tensor& anchor_scores = {}, double gamma = 1.0) const;

  /// What the step size multiplies: φ (divided by the kernel mass with kernel_mass), or s + βφ
  /// for the noisy step. Equivariant when the kernel is and the score is.
  torch::Tensor drift(const torch::Tensor& X, const torch::Tensor& anchors = {}, const torch::Tensor& anchor_scores = {},
                      double gamma = 1.0) const;

  /// init + run from X0 [N, D] (float64 or float32). Anchors stay fixed; their scores are computed
  /// once. The noise of the noisy step comes from a generator seeded with median_seed.
  SvgdResult run(const torch::Tensor& X0, const torch::Tensor& anchors = {}, const Callback& callback = nullptr,
                 core::Progress* progress = nullptr);
  /// The same with the noise drawn from gen (ChainSampler).
  ChainResult run(const torch::Tensor& X0, const torch::Tensor& anchors, at::Generator& gen,
                  core::Progress* progress = nullptr) override;

  const kernel::Kernel& kernel() const { return *kernel_; }
  const SvgdOptions& options() const { return options_; }

 private:
  ScoreFn score_;
  std::shared_ptr<const kernel::Kernel> kernel_;
  SvgdOptions options_;
};

}  // namespace esvgd::sampler
