#pragma once
/// Stein variational gradient descent (Liu & Wang 2016) with any esvgd kernel:
///
///   x_i ← x_i + Δ(φ(x_i)),  φ(x_i) = (1/M) Σ_j [ K(x_i, y_j) γ(t) s_j + T div_{y_j} K(x_i, y_j) ]
///
/// where y runs over the moving particles and optional fixed anchors (M counts both), Δ is the
/// particle optimiser (sgd/adagrad/adam), γ(t) the annealing weight and T the repulsion temperature.
/// run() is a thin loop over step(): it stops after max_steps, when the mean displacement
/// (1/N) Σ_i ‖Δx_i‖ drops below epsilon, or when the callback returns false. Non-finite particles
/// throw esvgd::Error(kNumerical) naming the step.
#include <functional>
#include <memory>
#include <string>

#include <torch/types.h>

#include "esvgd/kernel/kernel.h"
#include "esvgd/sampler/annealing.h"
#include "esvgd/sampler/optimizer.h"
#include "esvgd/target/target.h"

namespace esvgd::core {
class Progress;
}

namespace esvgd::sampler {

struct SvgdOptions {
  OptimizerOptions optimizer;       ///< svgd.optimizer, svgd.step_size, ...
  int64_t max_steps = 1000;         ///< svgd.steps
  double epsilon = 0.0;             ///< svgd.epsilon: stop when mean ‖Δx‖ < ε (0 = never)
  double temperature = 1.0;         ///< svgd.repulsion: T (1 textbook, 2 = the authors' code)
  bool median = false;              ///< svgd.bandwidth = "median": h from the median heuristic
  int64_t median_interval = 1;      ///< recompute the median every this many steps
  int64_t median_max_pairs = 100000;  ///< exact median up to this many pairs, else a subsample
  uint64_t median_seed = 0;         ///< seed of the pair subsample
  AnnealOptions anneal;             ///< svgd.anneal.*
};

/// What one step did.
struct StepInfo {
  int64_t step = 0;                ///< 0-based index of the step just taken
  double mean_displacement = 0.0;  ///< (1/N) Σ_i ‖Δx_i‖
  double bandwidth = 0.0;          ///< h used
  double gamma = 1.0;              ///< annealing weight used
};

struct SvgdResult {
  torch::Tensor particles;  ///< [N, D]
  int64_t steps = 0;        ///< steps taken
  std::string stop_reason;  ///< "max_steps", "converged" or "callback"
};

/// Called after every step with the step's info and the current particles; return false to stop.
using Callback = std::function<bool(const StepInfo&, const torch::Tensor&)>;

class Svgd {
 public:
  /// Validates options (errors name the config key).
  Svgd(target::ScoreFn score, std::shared_ptr<kernel::Kernel> kernel, SvgdOptions options);

  /// Stein direction at X [N, D] with fixed anchors [A, D] (may be undefined/empty) whose scores are
  /// anchor_scores (computed when undefined).
  torch::Tensor direction(const torch::Tensor& X, const torch::Tensor& anchors = {},
                          const torch::Tensor& anchor_scores = {}, double gamma = 1.0) const;

  /// Runs from X0 [N, D] (float64 or float32). Anchors stay fixed; their scores are computed once.
  SvgdResult run(const torch::Tensor& X0, const torch::Tensor& anchors = {}, const Callback& callback = nullptr,
                 core::Progress* progress = nullptr);

  kernel::Kernel& kernel() { return *kernel_; }
  const SvgdOptions& options() const { return options_; }

 private:
  target::ScoreFn score_;
  std::shared_ptr<kernel::Kernel> kernel_;
  SvgdOptions options_;
};

}  // namespace esvgd::sampler
