#include "experiment/cd_experiment.h"

#include <cmath>
#include <filesystem>
#include <optional>

#include <ATen/Parallel.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "core/resources.h"
#include "esvgd/core/progress.h"
#include "experiment/figure_data.h"
#include "experiment/toy.h"
#include "esvgd/dist/communicator.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/sampler/langevin.h"
#include "esvgd/sampler/particle_parallel.h"
#include "esvgd/sampler/svgd.h"

namespace esvgd::experiment {

Combination parse_combination(const std::string& name) {
  auto fail = [&] {
    return Error(ErrorKind::kConfig, "config key 'combinations'",
                 "unknown combination '" + name +
                     "' (expected ebm+svgd, e-ebm+svgd, e-ebm+e-svgd, ebm+langevin or e-ebm+langevin, each svgd part "
                     "optionally with @override)");
  };
  const auto plus = name.find('+');
  if (plus == std::string::npos) throw fail();
  auto split = [](const std::string& part) {
    const auto at = part.find('@');
    return at == std::string::npos ? std::pair{part, std::string()} : std::pair{part.substr(0, at), part.substr(at + 1)};
  };
  const auto [model, symmetry] = split(name.substr(0, plus));
  const auto [sampler, variant] = split(name.substr(plus + 1));
  if ((model != "ebm" && model != "e-ebm") || (sampler != "svgd" && sampler != "e-svgd" && sampler != "langevin"))
    throw fail();
  if (sampler == "langevin" && !variant.empty())
    throw Error(ErrorKind::kConfig, "config key 'combinations'", "'" + name + "': langevin takes no @variant (it has no kernel)");
  if (model == "ebm" && sampler == "e-svgd") throw fail();
  if (model == "ebm" && !symmetry.empty())
    throw Error(ErrorKind::kConfig, "config key 'combinations'", "'" + name + "': the regular ebm takes no @symmetry");
  Combination combo{name, model == "e-ebm", sampler == "e-svgd", sampler == "langevin", symmetry, variant};
  if (name.find('@') != std::string::npos && (symmetry.empty() && variant.empty())) throw fail();
  return combo;
}

namespace {

/// combinations, model.* (MLP experiments), train.*, loss.*
void declare_model_and_training_keys(core::Config& c, const EbmDefaults& d) {
  c.declare("combinations", std::vector<std::string>{"ebm+svgd", "e-ebm+svgd", "e-ebm+e-svgd"},
            "model/sampler combinations to train: ebm+svgd, e-ebm+svgd, e-ebm+e-svgd",
            {"EnergyModelOptions::symmetry"});
  if (d.mlp_model) {
    c.declare("model.hidden", d.hidden, "hidden widths of the MLP (ReLU between layers)");
    c.declare("model.head", d.head, "energy head: jem (logits), log1p-square (E = log(1+o²)) or linear (E = o)",
              {"EnergyModelOptions::head"});
    c.declare("model.symmetry", d.symmetry, "invariance of the e-ebm models: cyclic (C_n-averaged outputs) or radius",
              {"EnergyModelOptions::symmetry"});
    c.declare("model.cyclic_order", int64_t{4}, "n of the C_n average");
  }
  c.declare("train.epochs", d.epochs, "training epochs", {"CdOptions::epochs", "SupervisedOptions::epochs"});
  c.declare("train.batch_size", d.batch_size, "data batch size = number of persistent chains (last partial batch dropped)",
            {"CdOptions::batch_size", "SupervisedOptions::batch_size"});
  c.declare("train.learning_rate", d.learning_rate, "Adam learning rate until the first milestone",
            {"CdOptions::learning_rate", "SupervisedOptions::learning_rate"});
  c.declare("train.lr_milestones", d.lr_milestones, "epochs at which the learning rate changes");
  c.declare("train.lr_after", d.lr_after, "learning rates from each milestone on");
  c.declare("train.adam_beta1", 0.9, "Adam's beta1 (0: no momentum)", {"CdOptions::adam_beta1"});
  c.declare("train.grad_clip", 0.0, "clip the gradient norm to this value (0 = off, as in the paper)",
            {"CdOptions::grad_clip"});
  c.declare("train.checkpoint_every", d.checkpoint_every, "write a checkpoint every this many epochs (and at the end)",
            {"CdOptions::checkpoint_every"});
  c.declare("loss.ce_weight", d.ce_weight, "weight of the cross-entropy term (JEM)", {"CdOptions::ce_weight"});
  c.declare("loss.mse_weight", d.mse_weight, "weight of the MSE between data energies and their true energies",
            {"CdOptions::mse_weight"});
  c.declare("loss.energy_l2", 0.0, "α of the α(E(x+)² + E(x-)²) regulariser (0 = off, as in the paper)", {"CdOptions::energy_l2"});
  c.declare("loss.data_noise", 0.0, "sigma of the Gaussian noise added to every batch of positives x+ (0 = off)",
            {"CdOptions::data_noise"});
}

/// chains.* (persistent chains, replay buffer) and langevin.*
void declare_chain_keys(core::Config& c, const EbmDefaults& d) {
  c.declare("chains.reset_probability", d.reset_probability, "probability per batch of restarting the chains",
            {"CdOptions::reset_probability"});
  c.declare("chains.init", d.chain_init, "chain restarts: data (the current batch) or uniform (U[low, high)^D)",
            {"CdOptions::chain_init"});
  c.declare("chains.low", -5.0, "lower bound of the uniform chain init", {"CdOptions::box_low"});
  c.declare("chains.high", 5.0, "upper bound of the uniform chain init", {"CdOptions::box_high"});
  c.declare("chains.anchors", true, "pass the data batch to SVGD as fixed anchor particles");
  c.declare("chains.replay_size", int64_t{0},
            "replay buffer of past negatives (Du & Mordatch): capacity in chains (0 = one persistent set)",
            {"CdOptions::replay_size"});
  c.declare("chains.replay_fresh", 0.05, "with a replay buffer: fraction of chains started fresh (chains.init)",
            {"CdOptions::replay_fresh"});
  c.declare("langevin.steps", int64_t{60}, "Langevin steps per batch of the *+langevin combinations",
            {"LangevinOptions::max_steps"});
  c.declare("langevin.step_size", 0.005, "Langevin step eps in x <- x + (eps/2) score + sigma sqrt(eps) xi",
            {"LangevinOptions::step_size"});
  c.declare("langevin.noise", 1.0, "Langevin noise scale sigma (1: the Langevin diffusion)",
            {"LangevinOptions::noise"});
  c.declare("langevin.clip", 0.0, "clip each sample's drift (eps/2) score to this norm (0 = off)",
            {"LangevinOptions::clip"});
  c.declare("langevin.clamp", std::vector<double>{}, "[low, high]: clamp every coordinate into this box after each step ([] = none)",
            {"LangevinOptions::low"});
}

/// svgd.* with the step-size schedule and the samplers of the regular and equivariant combinations
void declare_sampler_keys(core::Config& c, const EbmDefaults& d) {
  declare_svgd_keys(c, d.svgd_steps, d.svgd_step_size, d.bandwidth);
  c.set("svgd.epsilon", d.epsilon, "default");
  c.declare("svgd.step_size_milestones", d.step_milestones, "epochs at which the SVGD step size changes");
  c.declare("svgd.step_size_after", d.step_after, "SVGD step sizes from each milestone on");
  c.declare("svgd.regular_sampler", d.regular_sampler, "sampler of the regular-SVGD combinations (see samplers)");
  c.declare("svgd.equivariant_sampler", d.equivariant_sampler,
            "sampler of e-ebm+e-svgd: orbit-scalar-paper (the authors'), orbit-scalar or orbit-matrix");
  c.declare("svgd.equivariant_bandwidth", d.equivariant_bandwidth,
            "bandwidth of the e-svgd samplers (0 = svgd.bandwidth; orbit_matrix.bandwidth > 0 wins for orbit-matrix)");
}

/// sample.*: sampling a trained model
void declare_sampling_keys(core::Config& c, const EbmDefaults& d) {
  c.declare("sample.particles", d.sample_particles, "particles drawn from each trained model for the figures");
  c.declare("sample.steps", d.sample_steps, "maximum SVGD steps when sampling a trained model",
            {"SvgdOptions::max_steps", "LangevinOptions::max_steps"});
  if (d.sample_center != 0) {
    c.declare("sample.center", d.sample_center, "sampling starts from U[center - box, center + box)^D");
    c.declare("sample.box", d.sample_box, "half-width of the uniform sampling start around sample.center");
  } else {
    c.declare("sample.box", d.sample_box, "sampling starts from U[-box, box)^D");
  }
  c.declare("sample.start", "noise",
            "where sampling starts: noise (the uniform box of sample.box) or replay (rows of the training "
            "replay buffer, the persistent chains; needs chains.replay_size > 0)");
  c.declare("sample.epsilon", d.sample_epsilon, "stop sampling when the mean displacement < ε",
            {"SvgdOptions::epsilon"});
  c.declare("sample.step_size", 0.0, "step size when sampling a trained model (0 = the last training one)",
            {"OptimizerOptions::step_size", "LangevinOptions::step_size"});
  c.declare("sample.noise", -1.0, "noise scale sigma of noisy samplers when sampling a trained model (< 0: the training one)");
}

}  // namespace

void declare_ebm_keys(core::Config& c, const EbmDefaults& d) {
  declare_model_and_training_keys(c, d);
  declare_chain_keys(c, d);
  declare_sampler_keys(c, d);
  declare_sampling_keys(c, d);
}

model::EnergyModel make_energy_model(const core::Config& c, const Combination& combo, int64_t dim, int64_t outputs) {
  auto o = model::EnergyModelOptions().dim(dim).hidden(c.get_ints("model.hidden"));
  try {
    o.head(model::parse_head(c.get_string("model.head")))
        .symmetry(!combo.equivariant_model ? model::Symmetry::kNone
                  : model::parse_symmetry(combo.symmetry.empty() ? c.get_string("model.symmetry") : combo.symmetry));
  } catch (const Error& e) {
    throw Error(ErrorKind::kConfig, "config key 'model.*'", e.what());
  }
  if (combo.equivariant_model && o.symmetry() == model::Symmetry::kNone)
    throw Error(ErrorKind::kConfig, "config key 'model.symmetry'", "the e-ebm combinations need an invariant model, not none");
  o.outputs(o.head() == model::Head::kJem ? outputs : 1).cyclic_order(c.get_int("model.cyclic_order"));
  if (o.cyclic_order() < 1) throw Error(ErrorKind::kConfig, "config key 'model.cyclic_order'", "must be >= 1");
  // Weights with their gradients and Adam moments (float32), and the activations of a batch of
  // chains, each evaluated at every group element, kept for the backward pass.
  double weights = 0, units = 0, inputs = static_cast<double>(dim);
  for (const int64_t w : o.hidden()) {
    weights += (inputs + 1) * static_cast<double>(w);
    units += static_cast<double>(w);
    inputs = static_cast<double>(w);
  }
  const double rows = 2.0 * static_cast<double>(std::max<int64_t>(c.get_int("train.batch_size"), 1)) *
                      static_cast<double>(combo.equivariant_model ? o.cyclic_order() : 1);
  core::require_memory("model.hidden", 16 * weights + 4 * 4 * rows * units, "the MLP's weights, Adam state and activations");
  try {
    return model::EnergyModel(o);
  } catch (const Error& e) {
    throw Error(ErrorKind::kConfig, "config key 'model.*'", e.what());
  }
}

SamplerVariant make_cd_sampler(const core::Config& c, const Combination& combo, const group::Group& group,
                               at::Generator& gen) {
  const std::string name = !combo.sampler.empty() ? combo.sampler
                           : c.get_string(combo.equivariant_sampler ? "svgd.equivariant_sampler" : "svgd.regular_sampler");
  auto v = make_variant(name, group, c, gen);
  const double eh = c.get_double("svgd.equivariant_bandwidth");
  if (eh < 0) throw Error(ErrorKind::kConfig, "config key 'svgd.equivariant_bandwidth'", "must be >= 0 (0 = svgd.bandwidth)");
  const bool own = name == "orbit-matrix" && c.get_double("orbit_matrix.bandwidth") > 0;
  if (combo.equivariant_sampler && eh > 0 && !own) v.kernel = v.kernel->with_bandwidth(eh);
  return v;
}

sampler::LangevinOptions langevin_options(const core::Config& c) {
  auto o = sampler::LangevinOptions()
               .max_steps(c.get_int("langevin.steps"))
               .step_size(c.get_double("langevin.step_size"))
               .noise(c.get_double("langevin.noise"))
               .clip(c.get_double("langevin.clip"));
  if (const auto box = c.get_doubles("langevin.clamp"); !box.empty()) {
    if (box.size() != 2)
      throw Error(ErrorKind::kConfig, "config key 'langevin.clamp'",
                  "must be [low, high] or [] (no box), got " + std::to_string(box.size()) + " numbers");
    o.low(box[0]).high(box[1]);
  }
  sampler::check_langevin(o);  // errors name the langevin.* key
  return o;
}

train::CdOptions cd_options(const core::Config& c, const Combination& combo, const std::string& checkpoint,
                            const std::string& fingerprint) {
  auto values = [](double first, std::vector<double> after) {
    after.insert(after.begin(), first);
    return after;
  };
  // One expression, read in order (C++17 evaluates a chain of calls left to right), so the first
  // bad key is the one reported, as before.
  auto options = train::CdOptions()
      .sampler(combo.langevin ? train::NegativeSampler::kLangevin : train::NegativeSampler::kSvgd)
      .langevin(langevin_options(c))
      .replay_size(c.get_int("chains.replay_size"))
      .replay_fresh(c.get_double("chains.replay_fresh"))
      .epochs(c.get_int("train.epochs"))
      .batch_size(c.get_int("train.batch_size"))
      .learning_rate(train::Schedule(values(c.get_positive("train.learning_rate"), c.get_doubles("train.lr_after")),
                                     c.get_ints("train.lr_milestones"),
                                     "config key 'train.lr_milestones'/'train.lr_after'"))
      .svgd_step_size(train::Schedule(values(c.get_positive("svgd.step_size"), c.get_doubles("svgd.step_size_after")),
                                      c.get_ints("svgd.step_size_milestones"),
                                      "config key 'svgd.step_size_milestones'/'svgd.step_size_after'"))
      .reset_probability(c.get_double("chains.reset_probability"))
      .chain_init(train::parse_chain_init(c.get_string("chains.init")))
      .box_low(c.get_double("chains.low"))
      .box_high(c.get_double("chains.high"))
      .anchors(c.get_bool("chains.anchors"))
      .ce_weight(c.get_double("loss.ce_weight"))
      .mse_weight(c.get_double("loss.mse_weight"))
      .energy_l2(c.get_double("loss.energy_l2"))
      .data_noise(c.get_double("loss.data_noise"))
      .grad_clip(c.get_double("train.grad_clip"))
      .adam_beta1(c.get_double("train.adam_beta1"))
      .checkpoint_every(c.get_int("train.checkpoint_every"))
      .checkpoint_path(checkpoint)
      .fingerprint(fingerprint);
  if (denoising(c)) options.denoising(true).noise(noise_ladder(c));
  return options;
}

namespace {
/// ε of annealed sampling: sample.step_size, which must be > 0 (there is no training step to fall back on).
double annealed_step(const core::Config& c) {
  const double eps = c.get_double("sample.step_size");
  if (!(eps > 0) || !std::isfinite(eps))
    throw Error(ErrorKind::kConfig, "config key 'sample.step_size'",
                "must be > 0 with loss.kind = denoising: it is the annealed sampler's step at the smallest noise level");
  return eps;
}

/// Whether class-conditional replay starts are drawn by the model's p(y|x) (an experiment with labels
/// declares sample.class_resample).
bool class_resample(const core::Config& c) {
  return c.has("sample.class_resample") && c.get_bool("sample.class_resample");
}
}  // namespace

bool denoising(const core::Config& c) {
  if (!c.has("loss.kind")) return false;
  const auto kind = c.get_string("loss.kind");
  if (kind != "cd" && kind != "denoising")
    throw Error(ErrorKind::kConfig, "config key 'loss.kind'", "must be cd or denoising, got '" + kind + "'");
  return kind == "denoising";
}

sampler::NoiseLadder noise_ladder(const core::Config& c) {
  const auto ladder = sampler::NoiseLadder()
                          .max(c.get_double("loss.noise_max"))
                          .min(c.get_double("loss.noise_min"))
                          .levels(c.get_int("loss.noise_levels"));
  sampler::check_noise_ladder(ladder);  // its errors name the options, which the run reports as loss.noise_* keys
  return ladder;
}

namespace {
std::shared_ptr<model::EnergyNetwork> build_model(const core::Config& c, const Combination& combo, int64_t dim,
                                                  int64_t outputs, const ModelFactory& factory) {
  return factory ? factory(combo) : make_energy_model(c, combo, dim, outputs).ptr();
}
}  // namespace

std::vector<Combination> checked_combinations(const core::Config& c, const group::Group& group, int64_t dim,
                                              int64_t outputs, const ModelFactory& factory) {
  std::vector<Combination> combos;
  for (const auto& name : c.get_strings("combinations")) combos.push_back(parse_combination(name));
  if (combos.empty()) throw Error(ErrorKind::kConfig, "config key 'combinations'", "lists no combination");
  const auto start = c.get_string("sample.start");
  if (start != "noise" && start != "replay")
    throw Error(ErrorKind::kConfig, "config key 'sample.start'", "must be noise or replay, got '" + start + "'");
  if (start == "replay" && c.get_int("chains.replay_size") == 0)
    throw Error(ErrorKind::kConfig, "config key 'sample.start'",
                "replay starts from the training replay buffer: set chains.replay_size > 0");
  if (class_resample(c) && start != "replay")
    throw Error(ErrorKind::kConfig, "config key 'sample.class_resample'",
                "resamples the training replay buffer: set sample.start = replay");
  if (denoising(c)) annealed_step(c);
  at::Generator gen = at::detail::createCPUGenerator(0);  // kernels built here are discarded
  for (const auto& combo : combos) {
    auto m = build_model(c, combo, dim, outputs, factory);
    auto v = make_cd_sampler(c, combo, group, gen);
    train::CdTrainer check(m, v.kernel, svgd_options(c, 0), cd_options(c, combo, "", ""), 0);
  }
  return combos;
}

namespace {
/// What identifies a run for resuming: every setting except the ones that may change between a
/// run and its continuation (more epochs, another checkpoint interval, the sampling and evaluation
/// of the result).
std::string fingerprint(const core::Config& c, const RunContext& ctx, const Combination& combo) {
  auto j = c.resolved();
  for (const char* key : {"train.epochs", "train.checkpoint_every", "combinations", "states.near", "data.test_subset"})
    j.erase(key);
  for (auto it = j.begin(); it != j.end();) {
    const auto& k = it.key();
    const bool evaluation = k.rfind("sample.", 0) == 0 || k.rfind("ablation.", 0) == 0 || k.rfind("reference.", 0) == 0;
    it = evaluation ? j.erase(it) : std::next(it);
  }
  // Keys added after checkpoints were written leave the fingerprint alone while off, so those still resume.
  if (j.value("loss.data_noise", 0.0) == 0) j.erase("loss.data_noise");
  return nlohmann::json{{"config", j}, {"seed", ctx.seed}, {"combination", combo.name}}.dump();
}

/// Mean over epochs of the coupling diagnostic (−1 when no epoch measured one).
double mean_interacting(const std::vector<train::EpochRecord>& history) {
  double sum = 0;
  int64_t n = 0;
  for (const auto& r : history)
    if (r.interacting >= 0) {
      sum += r.interacting;
      ++n;
    }
  return n > 0 ? sum / static_cast<double>(n) : -1.0;
}
}  // namespace

TrainedModel train_combination(const core::Config& c, const RunContext& ctx, const Combination& combo,
                               const group::Group& group, const data::TrainingData& data, int64_t outputs,
                               at::Generator& gen, const ModelFactory& factory) {
  torch::manual_seed(ctx.seed);  // the same initial weights for every combination
  TrainedModel t;
  t.combo = combo;
  t.dim = data.x.size(1);
  t.model = build_model(c, combo, t.dim, outputs, factory);
  t.sampler = make_cd_sampler(c, combo, group, gen);
  if (combo.langevin) t.sampler.name = "langevin";
  auto svgd = svgd_options(c, ctx.seed);
  svgd.temperature(t.sampler.temperature);  // the step size follows the CD schedule (svgd.step_size*)
  // An experiment may give E-SVGD its own step budget (fashion-mnist: 1000 E-SVGD vs 3000 SVGD steps).
  if (combo.equivariant_sampler && c.has("svgd.equivariant_steps") && c.get_int("svgd.equivariant_steps") > 0)
    svgd.max_steps(c.get_int("svgd.equivariant_steps"));
  const std::string checkpoint =
      ctx.checkpoint_dir.empty() ? "" : (std::filesystem::path(ctx.checkpoint_dir) / (combo.name + ".pt")).string();
  train::CdTrainer trainer(t.model, t.sampler.kernel, svgd, cd_options(c, combo, checkpoint, fingerprint(c, ctx, combo)),
                           ctx.seed, ctx.comm);
  if (ctx.resume && trainer.resume()) {
    t.resumed_from_epoch = trainer.epoch();
    if (ctx.log) *ctx.log << "[" << combo.name << "] resumed from " << checkpoint << " at epoch " << trainer.epoch() << "\n";
    const int64_t threads = trainer.checkpoint_threads();
    if (ctx.warnings && threads > 0 && threads != at::get_num_threads())
      *ctx.warnings << "esvgd: warning: " << checkpoint << " was written with --threads " << threads << ", this run uses "
                    << at::get_num_threads() << ": the result will not be bit-identical to an uninterrupted run\n";
  }
  core::Progress progress(combo.name + " training", c.get_int("train.epochs"), ctx.log, 5.0);
  trainer.fit(data, nullptr, &progress);
  progress.finish();
  t.chains = trainer.chains().defined() ? trainer.chains() : torch::empty({0, data.x.size(1)});
  t.history = trainer.history();
  t.batches = trainer.batches();
  t.replay = trainer.replay();
  if (!combo.langevin && !t.history.empty())
    warn_if_uncoupled(ctx, combo.name + " training", mean_interacting(t.history), t.history.back().bandwidth);
  return t;
}

namespace {
/// Annealed sampling of a noise-conditional energy (sampler/noise_ladder.h): the combination's sampler
/// runs sample.steps steps at each level σ_l, largest first, on −∇E(·, σ_l) with the step
/// α_l = ε (σ_l/σ_L)² (ε = sample.step_size) and noise 1 (sample.noise when >= 0) — Langevin as
/// x ← x + α_l s + √(2α_l) ξ, SVGD as its noisy step — then one denoising step x ← x + σ_L² s(x, σ_L)
/// (Tweedie's formula: the mean of the clean point given the noisy one). `starts` are this rank's rows.
sampler::ChainResult sample_annealed(const core::Config& c, const RunContext& ctx, const TrainedModel& t,
                                     const torch::Tensor& starts, const dist::RankExchange* split, at::Generator& gen,
                                     double bandwidth, core::Progress& progress) {
  const auto levels = sampler::noise_levels(noise_ladder(c));
  const int64_t steps = c.get_int("sample.steps");
  const double eps = annealed_step(c), noise = c.get_double("sample.noise");
  sampler::ChainResult result;
  auto X = starts;
  for (size_t l = 0; l < levels.size(); ++l) {
    const double alpha = eps * std::pow(levels[l] / levels.back(), 2);
    const auto score = t.model->frozen_noise_score(levels[l]);
    if (t.combo.langevin) {
      const auto lo = langevin_options(c).max_steps(steps).step_size(2 * alpha).noise(noise >= 0 ? noise : 1.0);
      auto state = sampler::init(X, lo, gen);
      result = split ? sampler::run(state, score, lo, *split) : sampler::run(state, score, lo);
    } else {
      auto opts = svgd_options(c, ctx.seed)
                      .temperature(t.sampler.temperature)
                      .max_steps(steps)
                      .epsilon(c.get_double("sample.epsilon"))
                      .langevin(true)
                      .langevin_noise(noise >= 0 ? noise : 1.0);
      opts.optimizer().step_size(alpha);
      const auto kernel = bandwidth > 0 ? t.sampler.kernel->with_bandwidth(bandwidth) : t.sampler.kernel;
      auto state = sampler::init(X, *kernel, opts, gen);
      result = split ? sampler::run(state, score, *kernel, opts, *split) : sampler::run(state, score, *kernel, opts);
    }
    X = split ? split->own_rows(result.particles) : result.particles;  // a split run returns every rank's rows
    progress.update(static_cast<int64_t>(l + 1) * steps, "sigma " + c10::str(levels[l]));
  }
  if (!t.combo.langevin)
    warn_if_uncoupled(ctx, t.combo.name + " sampling (smallest noise level)", result.interacting, result.bandwidth);
  // Every rank holds all rows again: the denoising step is per row.
  result.particles = result.particles + levels.back() * levels.back() *
                                            t.model->frozen_noise_score(levels.back())(result.particles);
  return result;
}

/// Row indices of the replay buffer drawn with probability p_θ(y|x) = softmax_k(−E(x, k))_y. The
/// buffer's rows stand for p(x), so this is importance resampling toward p(x|y) ∝ p(y|x) p(x): the
/// class-conditional chains start where the model already sees class y (sample.class_resample).
torch::Tensor rows_of_class(model::EnergyNetwork& m, const torch::Tensor& replay, int64_t label, int64_t n,
                            at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const auto& p = m.parameters();
  const auto device = p.empty() ? torch::Device(torch::kCPU) : p.front().device();
  std::vector<torch::Tensor> log_p;
  for (int64_t i = 0; i < replay.size(0); i += 1000) {  // chunks bound the activations' memory
    const auto O = m.outputs(replay.narrow(0, i, std::min<int64_t>(1000, replay.size(0) - i)).to(device, torch::kFloat32));
    std::vector<torch::Tensor> minus_e;
    for (int64_t k = 0; k < O.size(1); ++k) minus_e.push_back(-m.energy_from_outputs(O, k));
    log_p.push_back(torch::log_softmax(torch::stack(minus_e, 1), 1).select(1, label).to(torch::kCPU, torch::kFloat64));
  }
  return torch::multinomial(torch::cat(log_p).exp(), n, /*replacement=*/true, gen);
}
}  // namespace

TrainedModel with_sampler(const core::Config& c, const TrainedModel& trained, const Combination& combo,
                          const group::Group& group, at::Generator& gen) {
  TrainedModel t = trained;
  t.combo = combo;
  t.sampler = make_cd_sampler(c, combo, group, gen);
  if (combo.langevin) t.sampler.name = "langevin";
  return t;
}

torch::Tensor sample_model(const core::Config& c, const RunContext& ctx, TrainedModel& t, int64_t label,
                           at::Generator& gen, double bandwidth, int64_t particles) {
  const int64_t n = particles > 0 ? particles : c.get_int("sample.particles"), D = t.dim;
  if (n < 1) throw Error(ErrorKind::kConfig, "config key 'sample.particles'", "must be >= 1");
  const double box = c.get_positive("sample.box");
  const int64_t steps = c.get_int("sample.steps");
  const double step = c.get_double("sample.step_size"), noise = c.get_double("sample.noise");
  if (step < 0) throw Error(ErrorKind::kConfig, "config key 'sample.step_size'", "must be >= 0 (0 = the last training one)");
  if (!std::isfinite(noise)) throw Error(ErrorKind::kConfig, "config key 'sample.noise'", "must be a finite number");
  const double center = c.has("sample.center") ? c.get_double("sample.center") : 0.0;
  // Drawn with either start, so that the sampler's noise stream does not depend on sample.start.
  auto X0 = center - box + 2 * box * torch::rand({n, D}, gen, torch::kFloat32);
  if (c.get_string("sample.start") == "replay") {
    // JEM's and IGEBM's protocol: continue the persistent chains (rows drawn with replacement).
    if (!t.replay.defined() || t.replay.size(0) == 0)
      throw Error(ErrorKind::kConfig, "config key 'sample.start'", t.combo.name + " has an empty replay buffer");
    const auto rows = label >= 0 && class_resample(c) ? rows_of_class(*t.model, t.replay, label, n, gen)
                                                      : torch::randint(t.replay.size(0), {n}, gen, torch::kLong);
    X0 = t.replay.index_select(0, rows).to(torch::kFloat32);
  }
  if (const auto& p = t.model->parameters(); !p.empty()) X0 = X0.to(p.front().device());
  const bool annealed = t.model->noise_conditional();
  core::Progress progress(t.combo.name + (annealed ? " annealed" : "") + " sampling" +
                              (label >= 0 ? " y=" + std::to_string(label) : "") +
                              (bandwidth > 0 ? " h=" + c10::str(bandwidth) : ""),
                          annealed ? steps * noise_ladder(c).levels() : steps, ctx.log);
  // With several ranks, each moves its block of the particles (sampler/particle_parallel.h).
  std::optional<dist::RankExchange> split;
  if (ctx.comm && ctx.comm->size() > 1 && n >= ctx.comm->size()) split.emplace(*ctx.comm, n);
  const auto starts = split ? split->own_rows(X0) : X0;
  sampler::ChainResult result;
  if (annealed) {
    result = sample_annealed(c, ctx, t, starts, split ? &*split : nullptr, gen, bandwidth, progress);
  } else if (t.combo.langevin) {
    auto lo = langevin_options(c).max_steps(steps);
    if (step > 0) lo.step_size(step);
    if (noise >= 0) lo.noise(noise);
    const auto score = t.model->frozen_score(label);
    auto state = sampler::init(starts, lo, gen);
    result = split ? sampler::run(state, score, lo, *split, &progress) : sampler::run(state, score, lo, &progress);
  } else {
    auto opts = svgd_options(c, ctx.seed)
                    .temperature(t.sampler.temperature)
                    .max_steps(steps)
                    .epsilon(c.get_double("sample.epsilon"));
    // The step size in force at the end of training.
    opts.optimizer().step_size(t.history.empty() ? opts.optimizer().step_size() : t.history.back().svgd_step_size);
    if (step > 0) opts.optimizer().step_size(step);
    if (noise >= 0) opts.langevin_noise(noise);
    const auto kernel = bandwidth > 0 ? t.sampler.kernel->with_bandwidth(bandwidth) : t.sampler.kernel;
    const auto score = t.model->frozen_score(label);
    auto state = sampler::init(starts, *kernel, opts, gen);
    result = split ? sampler::run(state, score, *kernel, opts, *split, nullptr, &progress)
                   : sampler::run(state, score, *kernel, opts, nullptr, &progress);
    warn_if_uncoupled(ctx, t.combo.name + " sampling", result.interacting, result.bandwidth);
  }
  progress.finish();
  t.sample_bandwidth = result.bandwidth;
  t.sample_interacting = result.interacting;
  return result.particles.to(torch::kCPU, torch::kFloat64);
}

torch::Tensor model_log_density(model::EnergyNetwork& m, const torch::Tensor& points, int64_t label) {
  torch::NoGradGuard no_grad;
  return (-m.energy(points, label)).to(torch::kFloat64);
}

nlohmann::json common_metrics(const TrainedModel& t, const RunContext& ctx) {
  double steps = 0, seconds = 0;
  for (const auto& h : t.history) {
    steps += h.svgd_steps;
    seconds += h.seconds;
  }
  core::write_npy(ctx.out_dir + "/negatives_" + t.combo.name + ".npy", t.chains.to(torch::kFloat64));
  const bool kernel = !t.combo.langevin;
  // Samplers without a kernel show "-" in the coupling columns.
  auto or_dash = [&](double v) { return kernel ? nlohmann::json(v) : nlohmann::json("-"); };
  return {{"combination", t.combo.name},
          {"sampler", t.sampler.name},
          {"kernel", kernel ? t.sampler.kernel->name() : "none"},
          {"svgd_steps_per_batch", t.history.empty() ? 0.0 : steps / static_cast<double>(t.history.size())},
          {"interacting_train", or_dash(mean_interacting(t.history))},
          {"bandwidth_train", or_dash(t.history.empty() ? 0.0 : t.history.back().bandwidth)},
          {"interacting_sample", or_dash(t.sample_interacting)},
          {"bandwidth_sample", or_dash(t.sample_bandwidth)},
          {"train_seconds", seconds},  // over all epochs, across resumes
          {"resumed_from_epoch", t.resumed_from_epoch},
          {"history", history_json(t.history)}};
}

nlohmann::json finish_ebm_run(const RunContext& ctx, const std::vector<TrainedModel>& trained,
                              const std::vector<nlohmann::json>& rows, const std::string& title,
                              const std::string& preamble, const std::vector<std::string>& columns,
                              const std::string& appendix) {
  training_figure(ctx.out_dir, trained, title + " training");
  auto table = nlohmann::json::array();
  for (auto row : rows) {
    row.erase("history");
    table.push_back(row);
  }
  core::write_text_atomic(ctx.out_dir + "/summary.md",
                          "# " + title + ": EBM/E-EBM trained with SVGD/E-SVGD\n\n" + preamble +
                              metrics_table(table, columns) + (appendix.empty() ? "" : "\n" + appendix));
  return {{"combinations", rows}};
}

nlohmann::json history_json(const std::vector<train::EpochRecord>& history) {
  auto rows = nlohmann::json::array();
  for (const auto& r : history) rows.push_back(train::to_json(r));
  return rows;
}

void training_figure(const std::string& out_dir, const std::vector<TrainedModel>& runs, const std::string& title) {
  FigureData fig("training");
  fig.set("title", title);
  for (size_t i = 0; i < runs.size(); ++i) {
    std::vector<double> epoch, loss, gap, steps, interacting;
    for (const auto& r : runs[i].history) {
      epoch.push_back(static_cast<double>(r.epoch + 1));
      loss.push_back(r.loss);
      gap.push_back(r.energy_pos - r.energy_neg);
      steps.push_back(r.svgd_steps);
      interacting.push_back(r.interacting);
    }
    fig.set("rows/" + std::to_string(i), {{"combination", runs[i].combo.name}, {"langevin", runs[i].combo.langevin},
                                          {"epoch", epoch}, {"loss", loss}, {"energy_gap", gap},
                                          {"sampler_steps", steps}, {"interacting", interacting}});
  }
  fig.write(out_dir);
}

}  // namespace esvgd::experiment
