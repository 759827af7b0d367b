#pragma once
/// Shared machinery of the experiments that train an energy by contrastive divergence (jem-c4,
/// ebm-circles, dw4, qm9, fashion-mnist): the model/sampler combinations (the three of the seed's
/// Figures 9 and 10 and the Langevin baselines), their config keys, training with checkpoints,
/// sampling a trained model, and the metrics, figures and summary every such run reports.
///
///   ebm+svgd       regular MLP energy, regular SVGD (svgd.regular_sampler)
///   e-ebm+svgd     invariant energy (model.symmetry), regular SVGD
///   e-ebm+e-svgd   invariant energy, equivariant SVGD (svgd.equivariant_sampler)
///   ebm+langevin, e-ebm+langevin   either energy, Langevin negatives (langevin.*): the baselines
/// A suffix @name overrides the model's symmetry or the sampler of one combination, so that one run
/// can compare several: "e-ebm@pair-distances+e-svgd@orbit-matrix".
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "core/config.h"
#include "experiment/experiment.h"
#include "experiment/samplers.h"
#include "esvgd/group/group.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/noise_ladder.h"
#include "esvgd/train/cd_trainer.h"

namespace esvgd::experiment {

struct Combination {
  std::string name;
  bool equivariant_model = false;
  bool equivariant_sampler = false;
  bool langevin = false;  ///< Langevin negatives instead of SVGD
  std::string symmetry;  ///< overrides model.symmetry when not empty
  std::string sampler;   ///< overrides svgd.regular_sampler / svgd.equivariant_sampler when not empty
};

/// <model>[@symmetry]+<sampler>[@variant] with model ebm or e-ebm and sampler svgd, e-svgd or
/// langevin (no @variant); errors name the config key "combinations".
Combination parse_combination(const std::string& name);

/// The paper-preset values an EBM experiment declares its keys with.
struct EbmDefaults {
  std::vector<int64_t> hidden{32, 64, 64, 64, 32};
  std::string head;                 ///< model.head
  std::string symmetry;             ///< model.symmetry of the equivariant model
  int64_t epochs = 500, batch_size = 32, checkpoint_every = 50;
  double learning_rate = 1e-3;
  std::vector<int64_t> lr_milestones;
  std::vector<double> lr_after;
  double ce_weight = 0, mse_weight = 0;
  int64_t svgd_steps = 10000;
  double svgd_step_size = 0.9, bandwidth = 0.1, epsilon = 0;
  std::vector<int64_t> step_milestones;
  std::vector<double> step_after;
  double reset_probability = 0.05;
  int64_t sample_particles = 64, sample_steps = 50000;
  double sample_box = 20, sample_epsilon = 1e-4;
  double sample_center = 0;  ///< sampling starts from U[center − box, center + box)^D (declared when ≠ 0)
  double equivariant_bandwidth = 0;  ///< svgd.equivariant_bandwidth (0 = svgd.bandwidth)
  std::string regular_sampler = "rbf-paper", equivariant_sampler = "orbit-scalar-paper";
  std::string chain_init = "data";
  bool mlp_model = true;  ///< declare the MLP's model.* keys (false: the experiment declares its own model)
};

/// Builds the energy of a combination; the default is make_energy_model (an MLP behind a symmetry).
/// Errors should name config keys: they surface before any training.
using ModelFactory = std::function<std::shared_ptr<model::EnergyNetwork>(const Combination&)>;

/// Declares combinations, model.*, train.*, loss.*, chains.*, svgd.* (with svgd.regular_sampler and
/// svgd.equivariant_sampler) and sample.* keys.
void declare_ebm_keys(core::Config& config, const EbmDefaults& d);

/// Parses `combinations` and builds every combination's model (by `factory` when given), sampler
/// and trainer options once, so that a bad setting fails before any training; returns the
/// combinations in order.
std::vector<Combination> checked_combinations(const core::Config& config, const group::Group& group, int64_t dim,
                                              int64_t outputs, const ModelFactory& factory = nullptr);

/// The model of a combination: model.hidden, model.head, and model.symmetry when equivariant.
model::EnergyModel make_energy_model(const core::Config& config, const Combination& combo, int64_t dim,
                                     int64_t outputs);

/// The CD sampler of a combination (svgd.regular_sampler or svgd.equivariant_sampler).
SamplerVariant make_cd_sampler(const core::Config& config, const Combination& combo, const group::Group& group,
                               at::Generator& gen);

/// Trainer options of a combination from train.*, loss.*, chains.*, svgd.step_size*, langevin.*;
/// checkpoints go to `checkpoint`.
train::CdOptions cd_options(const core::Config& config, const Combination& combo, const std::string& checkpoint,
                            const std::string& fingerprint);
/// The langevin.* keys.
sampler::LangevinOptions langevin_options(const core::Config& config);
/// Whether the experiment declares loss.kind and it is "denoising" (another value than cd or
/// denoising is esvgd::Error naming the key).
bool denoising(const core::Config& config);
/// The loss.noise_* keys (errors name them).
sampler::NoiseLadder noise_ladder(const core::Config& config);

struct TrainedModel {
  Combination combo;
  std::shared_ptr<model::EnergyNetwork> model;
  int64_t dim = 0;                              ///< D of the model's input
  SamplerVariant sampler;
  torch::Tensor chains;                         ///< the last CD batch's negatives [B, D]
  torch::Tensor replay;                         ///< the replay buffer at the end [n, D] (undefined: none)
  std::vector<train::EpochRecord> history;
  std::vector<train::BatchRecord> batches;
  int64_t resumed_from_epoch = -1;              ///< epoch of the checkpoint resumed from, -1 if none
  double sample_bandwidth = 0;                  ///< the last sample_model run's realised h (0: no kernel)
  double sample_interacting = -1;               ///< and its coupling diagnostic (−1: no kernel)
};

/// Builds (by `factory` when given) and trains one combination (same initial weights for every
/// combination: the global torch seed is reset to ctx.seed first). Checkpoints go to
/// ctx.checkpoint_dir/<combo>.pt; with ctx.resume an existing checkpoint is continued. Prints
/// progress per epoch.
TrainedModel train_combination(const core::Config& config, const RunContext& ctx, const Combination& combo,
                               const group::Group& group, const data::TrainingData& data, int64_t outputs,
                               at::Generator& gen, const ModelFactory& factory = nullptr);

/// The model `trained` with the sampler of `combo`: the rows of a loss that runs no sampler
/// (loss.kind = denoising) share one training.
TrainedModel with_sampler(const core::Config& config, const TrainedModel& trained, const Combination& combo,
                          const group::Group& group, at::Generator& gen);

/// Draws sample.particles points (or `particles` when > 0) from U[c − sample.box, c + sample.box)^D
/// (c = sample.center where declared, else 0), or with sample.start = replay from the rows of the
/// training replay buffer, and
/// runs the combination's sampler on −E(x|label) (label −1: the joint energy) for up to
/// sample.steps steps (ε = sample.epsilon; noise scale sample.noise when ≥ 0); bandwidth > 0
/// replaces the kernel's bandwidth for this run. Records the run's coupling in `trained` and warns
/// (ctx.warnings) when the kernel coupled no particles.
torch::Tensor sample_model(const core::Config& config, const RunContext& ctx, TrainedModel& trained, int64_t label,
                           at::Generator& gen, double bandwidth = 0, int64_t particles = 0);

/// −E_θ(x | label) [G] float64 at `points` (label −1: the joint energy), without autograd.
torch::Tensor model_log_density(model::EnergyNetwork& model, const torch::Tensor& points, int64_t label = -1);

/// The metrics every combination reports (combination, sampler, kernel, realised SVGD steps per
/// batch, coupling in training and sampling, training time, resume epoch, per-epoch history);
/// writes negatives_<combination>.npy.
nlohmann::json common_metrics(const TrainedModel& trained, const RunContext& ctx);

/// Writes training.png and summary.md (title, preamble, then a table of `columns`, one row per
/// combination without its history, then `appendix`) and returns {"combinations": rows}.
nlohmann::json finish_ebm_run(const RunContext& ctx, const std::vector<TrainedModel>& trained,
                              const std::vector<nlohmann::json>& rows, const std::string& title,
                              const std::string& preamble, const std::vector<std::string>& columns,
                              const std::string& appendix = "");

/// Per-epoch history as JSON rows.
nlohmann::json history_json(const std::vector<train::EpochRecord>& history);
/// The data of the training figure (figures/training.json; python/esvgd/plot/training.py): per
/// combination and epoch the loss, E(x+) − E(x−), the realised sampler steps and the coupling.
void training_figure(const std::string& out_dir, const std::vector<TrainedModel>& runs, const std::string& title);

}  // namespace esvgd::experiment
