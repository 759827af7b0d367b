#pragma once
/// Particle-parallel SVGD: K processes each own a contiguous block of the N particles (with their
/// optimiser moments), and every step all-gathers the particles and their scores once, so that each
/// process computes φ for its own rows against all N (any kernel, orbit kernels included). The
/// median bandwidth is computed from the gathered particles with the same pair generator on every
/// process, the noise of the noisy step is drawn for all N rows and each process keeps its own, and
/// the mean displacement is summed over processes: K processes give the particles of one process.
/// Langevin chains split the same way need no exchange until the end: each process draws the noise
/// of all N rows and keeps its own. dist/rank_exchange.h builds the exchange over the ranks of a run.
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/svgd.h"

namespace esvgd::sampler {

/// One process's view of the others.
class ParticleExchange {
 public:
  virtual ~ParticleExchange() = default;
  /// The rows of every process in process order: [N, ...] from this process's [n, ...].
  virtual torch::Tensor gather(const torch::Tensor& own) const = 0;
  /// The element-wise sum over processes of a small CPU float64 tensor.
  virtual torch::Tensor sum(const torch::Tensor& values) const = 0;
  /// The index of this process's first row among the N, and N.
  virtual int64_t first_row() const = 0;
  virtual int64_t total_rows() const = 0;
};

/// update_bandwidth, step and run of svgd.h for the state of one process (its own rows; the anchors
/// are the same on every process). run's result holds all N particles, on every process.
void update_bandwidth(SvgdState& state, const kernel::Kernel& kernel, const SvgdOptions& options,
                      const ParticleExchange& exchange);
StepInfo step(SvgdState& state, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& options,
              const ParticleExchange& exchange);
ChainResult run(SvgdState& state, const ScoreFn& score, const kernel::Kernel& kernel, const SvgdOptions& options,
                const ParticleExchange& exchange, const Callback& callback = nullptr,
                core::Progress* progress = nullptr);
/// Langevin's run (langevin.h) for the chains of one process; the result holds all N, on every process.
ChainResult run(LangevinState& state, const ScoreFn& score, const LangevinOptions& options,
                const ParticleExchange& exchange, core::Progress* progress = nullptr);

}  // namespace esvgd::sampler
