#pragma once
/// What every negative sampler of contrastive divergence offers (SVGD, noisy SVGD, Langevin): run a
/// set of chains from given starts, with optional fixed anchors, drawing any noise from the
/// caller's generator (so that a checkpointed generator resumes the same chains); and what the
/// samplers' step() and run() report.
#include <string>

#include <torch/types.h>

namespace esvgd::core {
class Progress;
}

namespace esvgd::sampler {

/// Why a run ended.
enum class StopReason { kMaxSteps, kConverged, kCallback };
/// "max_steps", "converged", "callback" (the words in outputs).
std::string to_string(StopReason reason);

/// What one step did.
struct StepInfo {
  int64_t step = 0;                ///< 0-based index of the step just taken
  double mean_displacement = 0.0;  ///< (1/N) Σ_i ‖Δx_i‖
  double bandwidth = 0.0;          ///< h used (0 for samplers without a kernel)
  double gamma = 1.0;              ///< annealing weight used
};

struct ChainResult {
  torch::Tensor particles;  ///< [N, D]
  int64_t steps = 0;        ///< steps taken
  StopReason stop_reason = StopReason::kMaxSteps;
  /// Kernel samplers: the bandwidth h of the last step and the mean number of points each moving
  /// particle interacts with at the end (kernel/coupling.h). Samplers without a kernel: h = 0 and
  /// interacting = −1.
  double bandwidth = 0.0;
  double interacting = -1.0;
};

/// The drift clip of Langevin and noisy SVGD: each row of D [N, D] longer than c is shortened to
/// norm c, its direction kept, so that one near-collision cannot throw a chain far (c = 0: D as is).
inline torch::Tensor clip_row_norms(const torch::Tensor& D, double c) {
  return c > 0 ? D * (c / D.norm(2, 1, true).clamp_min(c)) : D;
}

class ChainSampler {
 public:
  virtual ~ChainSampler() = default;
  /// Runs from X0 [N, D]; anchors [A, D] (may be undefined) stay fixed and only kernel samplers use them.
  virtual ChainResult run(const torch::Tensor& X0, const torch::Tensor& anchors, at::Generator& gen,
                          core::Progress* progress = nullptr) = 0;
};

}  // namespace esvgd::sampler
