#pragma once
/// Experiments: one class per experiment family, each declaring its config keys (the paper preset
/// as defaults), a quick preset, and a run() that writes its outputs into a staging folder.
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"

namespace esvgd::dist {
class Communicator;
}

namespace esvgd::experiment {

struct RunContext {
  std::string out_dir;         ///< staging folder: write every output file here
  uint64_t seed = 42;          ///< --seed (the reference code's set_seed(42))
  std::string init_path;       ///< --init FILE.npy: initial particles instead of the configured init
  std::ostream* log = nullptr;  ///< progress lines and notes (stderr); may be null
  std::string checkpoint_dir;  ///< training checkpoints go here (outside the staging folder); empty: none
  bool resume = false;         ///< continue from checkpoints found in checkpoint_dir
  std::ostream* warnings = nullptr;  ///< warning lines (stderr), shown even when log is null (--quiet)
  /// The ranks of `esvgd launch` (or srun, mpirun); null: one process. Experiments split their
  /// work over them as their parallelism() says.
  const dist::Communicator* comm = nullptr;
};

/// How an experiment uses several ranks: not at all, by splitting the particles of its SVGD runs
/// (sampler/particle_parallel.h), or by splitting every training batch (data-parallel contrastive
/// divergence, train/cd_trainer.h; sampling the trained models is particle-parallel).
enum class Parallelism { kNone, kParticles, kData };

class Experiment {
 public:
  virtual ~Experiment() = default;
  virtual std::string name() const = 0;
  /// One line for `esvgd list`.
  virtual std::string summary() const = 0;
  /// Declares every config key with its paper-preset default and a doc line.
  virtual void declare(core::Config& config) const = 0;
  /// Keys the quick preset changes (a run of a few minutes at most on 2 cores).
  virtual nlohmann::json quick_preset() const = 0;
  /// Further named presets beyond paper and quick (fashion-mnist: "cpu"), each the keys it changes.
  virtual std::map<std::string, nlohmann::json> extra_presets() const { return {}; }
  /// Whether run() starts from --init particles (the command line refuses --init elsewhere).
  virtual bool takes_init() const { return false; }
  virtual Parallelism parallelism() const { return Parallelism::kNone; }
  /// Runs with a resolved config; writes files into ctx.out_dir; returns the metrics.
  virtual nlohmann::json run(const core::Config& config, const RunContext& ctx) const = 0;
};

/// All experiments, in the order `esvgd list` shows them.
const std::vector<std::shared_ptr<const Experiment>>& experiments();
/// Finds an experiment by name; the error lists the known names.
const Experiment& find_experiment(const std::string& name);
/// experiment.run(config, ctx), with errors that name a library option renamed to the config key that
/// sets it (core::Config::in_key_terms): what the command line and the tests call.
nlohmann::json run_experiment(const Experiment& experiment, const core::Config& config, const RunContext& ctx);
/// The experiment's config with a preset ("paper", "quick" or one of its extra_presets()) applied.
core::Config make_config(const Experiment& experiment, const std::string& preset);

}  // namespace esvgd::experiment
