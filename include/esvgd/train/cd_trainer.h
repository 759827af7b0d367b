#pragma once
/// Contrastive-divergence training of an energy model with persistent (E-)SVGD or Langevin chains
/// (docs/method.md, "Energy-based models"). Per data batch x+ (shuffled each epoch, the last
/// partial batch dropped):
///
///   1. persistent chains: with probability p (and on the very first batch) the chains restart from
///      the initialiser (the current data batch, or U[low, high)^D); otherwise they continue from the
///      last batch. With a replay buffer instead: each chain starts from a stored past negative, or
///      fresh from the initialiser with probability replay_fresh (replay_buffer.h);
///   2. up to K steps of the negative sampler on −E_θ (weights frozen): SVGD (its noisy form with
///      SvgdOptions::langevin) with the batch as fixed anchors if enabled, or Langevin;
///   3. one Adam step on  L = mean E(x+) − mean E(x−)              (x− = chains, detached;
///                                                                  x+ = the batch + N(0, σ_d² I) when σ_d > 0)
///                            + w_ce · CE(o(x+), y+)               (jem: class labels)
///                            + w_mse · mean (E(x+) − e+)²         (regression on true energies e+)
///                            + α · (mean E(x+)² + mean E(x−)²),
///      the gradient norm clipped to c when c > 0.
/// With `denoising` (a noise-conditional model, model/energy_network.h) there are no chains: steps 1
/// and 2 are skipped and the loss is denoising score matching over the noise ladder (Vincent 2011;
/// Song & Ermon 2019; sampler/noise_ladder.h),
///
///   L = (1/(B D)) Σ_n ‖σ_n ∇_x E(x̃_n, σ_n) − ξ_n‖²,   x̃_n = x_n + σ_n ξ_n,
///
/// σ_n drawn uniformly from the levels and ξ_n ~ N(0, I), whose minimiser is the score of the data
/// smoothed at each level, −∇E(·, σ) = ∇ log p_σ.
/// Learning rate and SVGD step size follow epoch schedules. Checkpoints (model, Adam state, chains,
/// replay buffer, RNG state, epoch, history) are written atomically, so a run killed at any moment and resumed
/// from its last checkpoint ends with the same parameters, bit for bit, as one never interrupted
/// (same seed, same thread count, CPU). Equal training states give byte-identical checkpoint files
/// (Adam's state is written by parameter index, wall times beside the file), so sha256sum can verify
/// a resume.
///
/// Data-parallel (given the ranks of a run, core/collectives.h; docs/method.md, "Data-parallel
/// contrastive divergence"): every rank draws the same batches, samples the negatives particle-
/// parallel (its block of the chains, the whole batch as anchors), evaluates the loss on its block
/// of the batch (each term a sum over its rows divided by the whole batch size) and adds the ranks'
/// gradients before the optimiser step. The chains, replay buffer, generator and parameters are thus
/// the same on every rank (checked by a hash at each checkpoint), and K ranks train what one process
/// trains with the same batch, up to float summation order. Rank 0 writes the checkpoints; resume()
/// hands rank 0's checkpoint to every rank.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "esvgd/core/arg.h"
#include "esvgd/data/training_data.h"
#include "esvgd/kernel/kernel.h"
#include "esvgd/model/energy_network.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/noise_ladder.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/train/replay_buffer.h"
#include "esvgd/train/schedule.h"

namespace torch::optim {
class Adam;
}
namespace esvgd::core {
class Collectives;
class Progress;
}  // namespace esvgd::core
namespace esvgd::dist {
class RankExchange;
}

namespace esvgd::train {

/// Where restarted chains start: the current data batch, or uniform in the box.
enum class ChainInit { kData, kUniform };
/// The negative sampler: SVGD (the svgd options) or Langevin (the langevin options).
enum class NegativeSampler { kSvgd, kLangevin };

/// "data" / "uniform" and "svgd" / "langevin"; other names are esvgd::Error naming the option.
ChainInit parse_chain_init(const std::string& name);
NegativeSampler parse_negative_sampler(const std::string& name);

struct CdOptions {
  ESVGD_ARG(int64_t, epochs) = 500;
  ESVGD_ARG(int64_t, batch_size) = 32;            ///< also the number of chains
  ESVGD_ARG(Schedule, learning_rate) = Schedule(1e-3);
  ESVGD_ARG(double, adam_beta1) = 0.9;            ///< Adam's β1 (0: no momentum, as short-run EBM training often uses)
  ESVGD_ARG(Schedule, svgd_step_size) = Schedule(0.9);
  ESVGD_ARG(double, reset_probability) = 0.05;
  ESVGD_ARG(ChainInit, chain_init) = ChainInit::kData;
  ESVGD_ARG(double, box_low) = -5;                ///< U[box_low, box_high)^D for ChainInit::kUniform
  ESVGD_ARG(double, box_high) = 5;
  ESVGD_ARG(bool, anchors) = true;                ///< the data batch as fixed SVGD anchors
  ESVGD_ARG(NegativeSampler, sampler) = NegativeSampler::kSvgd;
  ESVGD_ARG(sampler::LangevinOptions, langevin);  ///< for NegativeSampler::kLangevin
  ESVGD_ARG(int64_t, replay_size) = 0;            ///< replay buffer capacity (0: one persistent set of chains)
  ESVGD_ARG(double, replay_fresh) = 0.05;         ///< fraction of fresh starts drawn with a replay buffer
  ESVGD_ARG(double, ce_weight) = 0;               ///< w_ce (needs labels)
  ESVGD_ARG(double, mse_weight) = 0;              ///< w_mse (needs energies)
  ESVGD_ARG(double, energy_l2) = 0;               ///< α
  ESVGD_ARG(double, data_noise) = 0;              ///< σ_d: the positives are the batch plus N(0, σ_d² I) (0 = off)
  ESVGD_ARG(double, grad_clip) = 0;               ///< c (0 = off)
  ESVGD_ARG(bool, denoising) = false;             ///< denoising score matching instead of contrastive divergence
  ESVGD_ARG(sampler::NoiseLadder, noise);         ///< the levels of denoising score matching
  ESVGD_ARG(int64_t, checkpoint_every) = 0;       ///< epochs between checkpoints (0: only at the end)
  ESVGD_ARG(std::string, checkpoint_path);        ///< empty: no checkpoints
  ESVGD_ARG(std::string, fingerprint);            ///< identifies the run; resume() refuses another one's checkpoint
};

/// What one batch did.
struct BatchRecord {
  int64_t epoch = 0, batch = 0;
  bool reset = false;          ///< persistent chains restarted (replay buffer: some start was fresh)
  int64_t svgd_steps = 0;      ///< steps of the negative sampler
  std::string stop_reason;
  double loss = 0, cd = 0, ce = 0, mse = 0, energy_pos = 0, energy_neg = 0;
  double bandwidth = 0;        ///< kernel samplers: h of the last step (0: no kernel)
  double interacting = -1;     ///< kernel samplers: mean interacting points per chain at the end (−1: no kernel)
};

/// Means over one epoch's batches.
struct EpochRecord {
  int64_t epoch = 0;  ///< 0-based
  double loss = 0, cd = 0, ce = 0, mse = 0, energy_pos = 0, energy_neg = 0;
  double svgd_steps = 0;  ///< realised SVGD steps per batch
  int64_t resets = 0;
  double learning_rate = 0, svgd_step_size = 0;
  double bandwidth = 0;     ///< the last batch's realised h
  double interacting = -1;  ///< mean over batches of BatchRecord::interacting
  double seconds = 0;  ///< wall time of the epoch (kept in "<checkpoint>.seconds.json"; 0 where it is missing)
};

nlohmann::json to_json(const EpochRecord& r);

class CdTrainer {
 public:
  /// The SVGD options' step size is replaced by the svgd_step_size schedule; errors name the options.
  /// `ranks` (null: this process alone) must outlive the trainer; every rank passes the same arguments.
  CdTrainer(std::shared_ptr<model::EnergyNetwork> model, std::shared_ptr<const kernel::Kernel> kernel, sampler::SvgdOptions svgd,
            CdOptions options, uint64_t seed, const core::Collectives* ranks = nullptr);
  ~CdTrainer();

  /// Loads options.checkpoint_path if it exists (data-parallel: rank 0's, on every rank); returns
  /// whether it did. A checkpoint with another fingerprint or an unreadable file is esvgd::Error
  /// naming the path.
  bool resume();
  /// Trains from the current epoch to options.epochs; on_epoch runs after each epoch (before its
  /// checkpoint is written). Non-finite losses are esvgd::Error(kNumerical) naming epoch and batch.
  void fit(const data::TrainingData& data, const std::function<void(const EpochRecord&)>& on_epoch = nullptr,
           core::Progress* progress = nullptr);
  /// Writes a checkpoint now (atomically; data-parallel: rank 0 only).
  void save_checkpoint() const;

  int64_t epoch() const { return epoch_; }  ///< epochs completed
  /// The thread count of the run that wrote the checkpoint resume() loaded (0: none, or unknown):
  /// bit-identical resumption needs the same count.
  int64_t checkpoint_threads() const { return checkpoint_threads_; }
  const torch::Tensor& chains() const { return chains_; }  ///< the last batch's negatives
  /// The replay buffer's rows (newest first), undefined without a buffer or while empty.
  torch::Tensor replay() const { return replay_ ? replay_->contents() : torch::Tensor(); }
  const std::vector<EpochRecord>& history() const { return history_; }
  const std::vector<BatchRecord>& batches() const { return batches_; }
  model::EnergyNetwork& model() { return *model_; }

 private:
  BatchRecord train_batch(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& e, int64_t batch);
  /// One batch of denoising score matching (options.denoising).
  BatchRecord denoising_batch(const torch::Tensor& x, int64_t batch);
  /// The ranks' loss statistics added (every rank stops together on a non-finite loss, which is
  /// esvgd::Error naming the batch); then the gradient step of `loss`.
  torch::Tensor step_on(const torch::Tensor& loss, torch::Tensor stats, int64_t batch);
  /// The starts of this batch's chains (persistent set or replay buffer); sets rec.reset.
  torch::Tensor chain_starts(const torch::Tensor& x, BatchRecord& rec);
  std::unique_ptr<sampler::ChainSampler> negative_sampler() const;
  /// The negative sampler's run from `starts` with the batch x as anchors (when enabled), split
  /// over the ranks when data-parallel; the result holds every chain.
  sampler::ChainResult sample_negatives(const torch::Tensor& starts, const torch::Tensor& x);
  /// This rank's rows of a batch tensor (all of them in one process; undefined stays undefined).
  torch::Tensor own_rows(const torch::Tensor& t) const;
  /// The signal any rank received since the last epoch (0: none).
  int interrupt_signal() const;

  std::shared_ptr<model::EnergyNetwork> model_;
  std::shared_ptr<const kernel::Kernel> kernel_;
  sampler::SvgdOptions svgd_;
  CdOptions options_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  at::Generator gen_;
  torch::Tensor chains_;  ///< [batch, D] float32; undefined before the first batch
  std::unique_ptr<ReplayBuffer> replay_;  ///< null: persistent chains
  int64_t epoch_ = 0;
  int64_t checkpoint_threads_ = 0;
  std::vector<EpochRecord> history_;
  std::vector<BatchRecord> batches_;
  const core::Collectives* ranks_ = nullptr;        ///< null: one process
  std::unique_ptr<const dist::RankExchange> split_;  ///< the batch's rows per rank; null: one process
};

}  // namespace esvgd::train
