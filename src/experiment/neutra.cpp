// `esvgd run neutra`: equivariant neural-transport sampling (the seed's Appendix A; docs/method.md,
// "Equivariant neural transport") against non-equivariant NeuTra, HMC in X and E-SVGD, each given
// the same wall-clock budget for sampling, on the C4 mixture, the concentric circles and spheres, and
// DW-4 (src/experiment/neutra_dw4.cpp).
// Flows are trained first (their time is reported apart); then every method samples for
// budget_seconds and is judged on the same metrics as the sampling experiments plus the effective
// sample size per second of its chains.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include <torch/types.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "esvgd/core/progress.h"
#include "esvgd/flow/builders.h"
#include "esvgd/flow/neutra.h"
#include "esvgd/flow/reverse_kl.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/metric/effective_sample_size.h"
#include "esvgd/sampler/hmc.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"
#include "experiment/dw4_distances.h"
#include "experiment/figure_data.h"
#include "experiment/neutra_problem.h"
#include "experiment/registry_entries.h"
#include "experiment/toy.h"

namespace esvgd::experiment {

namespace {

const std::vector<std::string> kTargets{"c4-gaussians", "circles", "spheres", "dw4"};
const std::vector<std::string> kMethods{"neutra-equivariant", "neutra-realnvp", "hmc", "e-svgd"};

torch::Tensor uniform_starts(int64_t n, int64_t d, double half, at::Generator& gen) {
  return torch::rand({n, d}, gen, torch::kFloat64) * (2 * half) - half;
}

/// The sampling experiments' targets as their paper presets define them, and DW-4 (neutra_dw4.cpp).
NeutraProblem make_problem_named(const std::string& name, const core::Config& c, const RunContext& ctx,
                                 at::Generator& gen) {
  const auto fo = flow_options(c);
  const int64_t n = start_count(c);
  const int64_t truth = c.get_int("metrics.truth_samples");
  if (name == "c4-gaussians") {
    auto target = std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(4, 3.0, 1.0, 0.2));
    auto toy = make_problem(target, std::make_shared<group::CyclicGroup>(4), truth, 6.5, gen);
    return {name,
            toy,
            2.0 * torch::randn({n, 2}, gen, torch::kFloat64),
            [fo] { return flow::cyclic_flow(4, fo); },
            "C4 (rotations by multiples of 90°)",
            nullptr};
  }
  if (name == "circles" || name == "spheres") {
    const int64_t d = name == "circles" ? 2 : 3;
    auto target = std::make_shared<target::RadialMixture>(
        d, d == 2 ? std::vector<double>{4, 8} : std::vector<double>{4, 9}, d == 2 ? 0.5 : 0.3);
    auto toy = make_problem(target, group::make_group(d == 2 ? "SO2" : "SO3"), truth, d == 2 ? 10.0 : 11.0, gen);
    return {name,
            toy,
            uniform_starts(n, d, 8.0, gen),
            [fo, d] { return flow::radial_flow(d, fo); },
            d == 2 ? "O(2)" : "O(3)",
            nullptr};
  }
  if (name == "dw4") return make_dw4_neutra_problem(c, ctx, gen);
  throw Error(ErrorKind::kInternal, "neutra", "no target '" + name + "'");  // check_names() rejects it first
}

/// Every name of `key` is one of `known` (checked before any work).
void check_names(const core::Config& c, const std::string& key, const std::vector<std::string>& known) {
  const auto names = c.get_strings(key);
  if (names.empty()) throw Error(ErrorKind::kConfig, "config key '" + key + "'", "lists nothing");
  for (const auto& name : names) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw Error(ErrorKind::kConfig, "config key '" + key + "'", "unknown name '" + name + "' (known: " + list + ")");
  }
}

flow::LogProbFn log_prob_of(const target::Target& t) {
  return [&t](const torch::Tensor& X) { return t.log_prob(X); };
}

sampler::LogDensityFn density_of(const target::Target& t) {
  return [&t](const torch::Tensor& X) { return sampler::LogDensityAndGradient{t.log_prob(X), t.score(X)}; };
}

sampler::HmcOptions hmc_options(const core::Config& c) {
  return sampler::HmcOptions()
      .step_size(c.get_positive("hmc.step_size"))
      .leapfrog_steps(c.get_int("hmc.leapfrog_steps"))
      .warmup(c.get_int("hmc.warmup"))
      .max_steps(c.get_int("hmc.max_transitions"))
      .target_acceptance(c.get_double("hmc.target_acceptance"));
}

/// Post-warm-up draws of chains run until the budget is spent (warm-up and 20 draws at least).
struct ChainDraws {
  torch::Tensor draws;  ///< [S, M, D] in the chains' space
  double seconds = 0, acceptance = 0, step_size = 0;
  int64_t transitions = 0;
};

ChainDraws run_chains(const sampler::LogDensityFn& density, const torch::Tensor& starts, const sampler::HmcOptions& o,
                      double budget, at::Generator gen, const std::string& label, const RunContext& ctx) {
  constexpr int64_t kMinDraws = 20;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto state = sampler::init(starts, density, o, gen);
  core::Progress progress(label, o.max_steps(), ctx.log);
  std::vector<torch::Tensor> draws;
  double accepted = 0;
  while (state.step < o.max_steps() && (state.step < o.warmup() + kMinDraws || elapsed() < budget)) {
    const auto info = sampler::step(state, density, o);
    progress.update(state.step, "acceptance " + std::to_string(info.acceptance));
    if (state.step <= o.warmup()) continue;
    draws.push_back(state.particles);
    accepted += info.accepted_fraction;
  }
  progress.finish();
  ChainDraws r;
  r.seconds = elapsed();
  r.transitions = state.step;
  r.step_size = state.step_size;
  if (draws.empty())
    throw Error(ErrorKind::kConfig, "config key 'hmc.max_transitions'", "leaves no draws after warm-up");
  r.draws = torch::stack(draws);
  r.acceptance = accepted / static_cast<double>(draws.size());
  return r;
}

/// `count` points of the draws [S, M, D], evenly spaced in time within every chain.
torch::Tensor thinned(const torch::Tensor& draws, int64_t count) {
  const int64_t S = draws.size(0), M = draws.size(1);
  const int64_t per_chain = std::min<int64_t>(S, (count + M - 1) / M);
  const auto steps =
      torch::linspace(0, static_cast<double>(S - 1), per_chain, torch::kFloat64).round().to(torch::kLong);
  return draws.index_select(0, steps).reshape({-1, draws.size(2)}).narrow(0, 0, std::min(count, per_chain * M));
}

/// ESS of every coordinate (min and mean) and of log π, per second of sampling and per 1000
/// gradient evaluations (one evaluation: all chains at once; `gradients` of them in the run).
nlohmann::json ess_metrics(const torch::Tensor& draws, const target::Target& t, double seconds, double gradients) {
  const auto ess = metric::effective_sample_size(draws);
  const auto log_p = t.log_prob(draws.reshape({-1, draws.size(2)})).reshape({draws.size(0), draws.size(1), 1});
  const double ess_lp = metric::effective_sample_size(log_p).item<double>();
  const double ess_min = ess.min().item<double>();
  return {{"ess_min", ess_min},
          {"ess_mean", ess.mean().item<double>()},
          {"ess_log_prob", ess_lp},
          {"ess_per_s", ess_min / seconds},
          {"ess_per_kgrad", 1000.0 * ess_min / gradients},
          {"ess_log_prob_per_s", ess_lp / seconds}};
}

/// A row of the metrics table for a chain method whose draws (in X) are `x_draws`.
nlohmann::json chain_row(const std::string& method, const ChainDraws& chains, const torch::Tensor& x_draws,
                         const NeutraProblem& p, const core::Config& c, at::Generator& gen, VariantRun& run) {
  run.variant.name = method;
  run.particles = thinned(x_draws, c.get_int("metrics.samples"));
  run.steps = chains.transitions;
  run.stop_reason = "budget";
  run.seconds = chains.seconds;
  auto row = variant_metrics(run, p.toy, gen);
  const double gradients = static_cast<double>(chains.transitions * c.get_int("hmc.leapfrog_steps"));
  row.update(ess_metrics(x_draws, *p.toy.target, chains.seconds, gradients));
  row["acceptance"] = chains.acceptance;
  row["hmc_step_size"] = chains.step_size;
  row["chains"] = x_draws.size(1);
  return row;
}

flow::ReverseKlOptions reverse_kl_options(const core::Config& c) {
  return flow::ReverseKlOptions()
      .steps(c.get_int("train.steps"))
      .batch(c.get_int("train.batch"))
      .learning_rate(c.get_double("train.learning_rate"))
      .checkpoint_every(c.get_int("train.checkpoint_every"))
      .anneal_steps(c.get_int("train.anneal_steps"))
      .anneal_start(c.get_double("train.anneal_start"));
}

struct TrainedFlow {
  std::shared_ptr<flow::Flow> flow;
  flow::ReverseKlResult training;
};

/// Trains with draws from the run's generator (a resumed training restores its state, so the rest of
/// the run continues as an uninterrupted one would).
TrainedFlow train_flow(std::shared_ptr<flow::Flow> f, const std::string& tag, const NeutraProblem& p,
                       const core::Config& c, const RunContext& ctx, at::Generator& gen) {
  f->to(torch::kFloat64);
  auto o = reverse_kl_options(c).fingerprint(c.resolved().dump() + " seed " + std::to_string(ctx.seed) + " " + tag);
  if (!ctx.checkpoint_dir.empty()) o.checkpoint_path(ctx.checkpoint_dir + "/" + tag + ".pt");
  core::Progress progress(tag + " training", o.steps(), ctx.log);
  auto training = flow::train_reverse_kl(*f, log_prob_of(*p.toy.target), o, gen, ctx.resume, &progress);
  return {f, training};
}

/// NeuTra: HMC on the flow's pulled-back density from base draws z ~ N(0, I) (the region the flow
/// was trained on; T⁻¹ of far starts lands in its untrained tails), draws pushed to X.
nlohmann::json neutra_row(const std::string& method, TrainedFlow& tf, const NeutraProblem& p, const core::Config& c,
                          const RunContext& ctx, at::Generator& gen, VariantRun& run) {
  const auto z0 = torch::randn({c.get_int("hmc.chains"), p.starts.size(1)}, gen, torch::kFloat64);
  for (auto& parameter : tf.flow->parameters()) parameter.requires_grad_(false);  // autograd then tracks z only
  const auto density = flow::pulled_back(*tf.flow, log_prob_of(*p.toy.target));
  const auto chains =
      run_chains(density, z0, hmc_options(c), c.get_positive("budget_seconds"), gen, p.name + " " + method, ctx);
  auto row = chain_row(method, chains, flow::push_forward(*tf.flow, chains.draws), p, c, gen, run);
  row["train_s"] = tf.training.seconds;
  row["train_final_loss"] = tf.training.loss.empty() ? NAN : tf.training.loss.back();
  return row;
}

/// E-SVGD with the orbit-matrix kernel from the sampling experiments' settings, until the budget.
nlohmann::json svgd_row(const NeutraProblem& p, const core::Config& c, const RunContext& ctx, at::Generator& gen,
                        VariantRun& run) {
  const auto variant = make_variant("orbit-matrix", *p.toy.group, c, gen);
  auto o = svgd_options(c, ctx.seed);
  if (variant.step_size > 0) o.optimizer().step_size(variant.step_size);
  const auto X0 = p.starts.narrow(0, 0, c.get_int("esvgd.particles"));
  const double budget = c.get_positive("budget_seconds");
  const auto t0 = std::chrono::steady_clock::now();
  auto within_budget = [&](const sampler::StepInfo&, const torch::Tensor&) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() < budget;
  };
  core::Progress progress(p.name + " e-svgd", o.max_steps(), ctx.log);
  const auto result =
      sampler::Svgd(target::score_fn(*p.toy.target), variant.kernel, o).run(X0, {}, within_budget, &progress);
  progress.finish();
  run = VariantRun{variant,
                   result.particles,
                   result.steps,
                   sampler::to_string(result.stop_reason),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                   result.bandwidth,
                   result.interacting,
                   {},
                   {}};
  run.variant.name = "e-svgd";
  return variant_metrics(run, p.toy, gen);
}

/// Particle systems: the pair-distance histogram of every method's samples and of the reference.
void distances_figure(const std::string& out_dir, const std::vector<VariantRun>& runs, const ToyProblem& p,
                      const std::string& title) {
  FigureData fig("distances-dw4");
  fig.set("kind", "distances").set("title", title).set("max_distance", kDw4DistanceMax);
  fig.array("reference", dw4_distance_histogram(p.truth));
  for (size_t i = 0; i < runs.size(); ++i)
    fig.set("rows/" + std::to_string(i) + "/sampler", runs[i].variant.name)
        .array("rows/" + std::to_string(i) + "/histogram", dw4_distance_histogram(runs[i].particles));
  fig.write(out_dir);
}

/// Runs every configured method on one target; writes its samples, figure data and table.
nlohmann::json run_target(const NeutraProblem& p, const core::Config& c, const RunContext& ctx, at::Generator& gen,
                          nlohmann::json& training_rows, std::string& summary) {
  nlohmann::json rows = nlohmann::json::array();
  std::vector<VariantRun> runs;
  for (const auto& method : c.get_strings("methods")) {
    VariantRun run{};
    if (method == "neutra-equivariant" || method == "neutra-realnvp") {
      const bool equivariant = method == "neutra-equivariant";
      auto f = equivariant ? p.equivariant_flow() : flow::real_nvp_flow(p.toy.target->dim(), flow_options(c));
      auto tf = train_flow(f, p.name + "-" + method, p, c, ctx, gen);
      training_rows.push_back({{"target", p.name}, {"method", method}, {"loss", tf.training.loss}});
      rows.push_back(neutra_row(method, tf, p, c, ctx, gen, run));
    } else if (method == "hmc") {
      const auto starts = p.starts.narrow(0, 0, c.get_int("hmc.chains"));
      const auto chains = run_chains(density_of(*p.toy.target), starts, hmc_options(c),
                                     c.get_positive("budget_seconds"), gen, p.name + " hmc", ctx);
      rows.push_back(chain_row(method, chains, chains.draws, p, c, gen, run));
    } else if (method == "e-svgd") {
      rows.push_back(svgd_row(p, c, ctx, gen, run));
    }
    if (p.extra_metrics) rows.back().update(p.extra_metrics(run.particles));
    core::write_npy(ctx.out_dir + "/samples_" + p.name + "_" + method + ".npy", run.particles);
    runs.push_back(std::move(run));
  }
  const std::string title = p.name + ": samples after " + c.get("budget_seconds").dump() + " s";
  if (p.toy.target->dim() <= 3)
    particles_figure(ctx.out_dir, runs, p.toy, title, "particles-" + p.name);
  else
    distances_figure(ctx.out_dir, runs, p.toy, title);
  std::vector<std::string> cols{"sampler",    "ess_per_s", "ess_per_kgrad", "ess_log_prob_per_s", "ess_min",
                                "acceptance", "mmd2",      "ksd2",          "mean_log_prob",      "true_mean_log_prob",
                                "steps",      "seconds",   "train_s"};
  if (rows[0].contains("mode_tv_to_uniform")) cols.push_back("mode_tv_to_uniform");
  if (rows[0].contains("radial_kl")) cols.insert(cols.end(), {"radial_kl", "ring_fractions"});
  if (rows[0].contains("distance_tv"))
    cols.insert(cols.end(), {"mmd2_centred", "distance_tv", "energy_tv", "state_tv"});
  summary += "\n## " + p.name + " (equivariant flow: " + p.equivariant_group + ")\n\n" + metrics_table(rows, cols);
  return rows;
}

class Neutra : public Experiment {
 public:
  std::string name() const override { return "neutra"; }
  std::string summary() const override {
    return "equivariant neural-transport HMC vs RealNVP NeuTra, HMC and E-SVGD at equal time (App. A)";
  }
  void declare(core::Config& c) const override {
    c.declare("targets", kTargets, "targets: c4-gaussians, circles, spheres (as in the sampling experiments), dw4");
    c.declare("methods", kMethods, "methods: neutra-equivariant, neutra-realnvp, hmc (in X), e-svgd (orbit-matrix)");
    c.declare("budget_seconds", 30.0, "wall-clock seconds of sampling per method and target (warm-up included)");
    c.declare("flow.layers", int64_t{4}, "flow layers after the scale layer", {"FlowOptions::layers"});
    c.declare("flow.bins", int64_t{8}, "spline bins of the equivariant layers", {"FlowOptions::bins"});
    c.declare("flow.bound", 12.0, "the splines act on [0, bound] and are linear beyond", {"FlowOptions::bound"});
    c.declare("flow.hidden", int64_t{32}, "units of the conditioning MLPs (polar and RealNVP layers)",
              {"FlowOptions::hidden"});
    c.declare("train.steps", int64_t{3000}, "Adam steps of reverse-KL training per flow", {"ReverseKlOptions::steps"});
    c.declare("train.batch", int64_t{256}, "base draws per training step", {"ReverseKlOptions::batch"});
    c.declare("train.learning_rate", 5e-3, "Adam's learning rate", {"ReverseKlOptions::learning_rate"});
    c.declare("train.anneal_steps", int64_t{1000}, "steps over which the target's inverse temperature rises to 1",
              {"ReverseKlOptions::anneal_steps"});
    c.declare("train.anneal_start", 0.01, "inverse temperature at the first step (π^β: separated modes overlap)",
              {"ReverseKlOptions::anneal_start"});
    c.declare("train.checkpoint_every", int64_t{500}, "training steps between checkpoints",
              {"ReverseKlOptions::checkpoint_every"});
    c.declare("hmc.chains", int64_t{32}, "chains of every MCMC method");
    c.declare("hmc.leapfrog_steps", int64_t{10}, "leapfrog steps per transition (1: MALA)",
              {"HmcOptions::leapfrog_steps"});
    c.declare("hmc.step_size", 0.1, "first step size; adapted during warm-up", {"HmcOptions::step_size"});
    c.declare("hmc.warmup", int64_t{300}, "transitions that adapt the step size (not kept)", {"HmcOptions::warmup"});
    c.declare("hmc.target_acceptance", 0.8, "mean acceptance sought by the adaptation",
              {"HmcOptions::target_acceptance"});
    c.declare("hmc.max_transitions", int64_t{1000000}, "transitions at most, whatever the budget",
              {"HmcOptions::max_steps"});
    c.declare("esvgd.particles", int64_t{100}, "E-SVGD particles (HMC in X starts from the first hmc.chains of them)");
    c.declare("metrics.samples", int64_t{500},
              "draws of every chain method (thinned evenly) for MMD, KSD and coverage");
    c.declare("metrics.truth_samples", int64_t{5000}, "exact target samples");
    // E-SVGD as the circles experiment runs its orbit-matrix kernel (h = 1, step 0.2; docs/results.md).
    declare_svgd_keys(c, 1000000, 0.02, 0.2, 1.0, 0.2);
    declare_dw4_neutra_keys(c);
  }
  nlohmann::json quick_preset() const override {
    return {{"budget_seconds", 5.0},       {"train.steps", 600},           {"train.anneal_steps", 200},
            {"hmc.warmup", 150},           {"dw4.reference_chains", 256},  {"dw4.reference_transitions", 3000},
            {"dw4.reference_starts", 100}, {"metrics.truth_samples", 2000}};
  }
  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    check_names(c, "targets", kTargets);
    check_names(c, "methods", kMethods);
    start_count(c);  // the options' own checks, before any work
    flow::check_flow(flow_options(c));
    flow::check_reverse_kl(reverse_kl_options(c));
    sampler::check_hmc(hmc_options(c));
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    nlohmann::json training_rows = nlohmann::json::array();
    std::string summary = "# Neural-transport sampling at " + c.get("budget_seconds").dump() + " s per method\n";
    nlohmann::json metrics;
    for (const auto& name : c.get_strings("targets")) {
      const auto p = make_problem_named(name, c, ctx, gen);
      metrics["targets"][name] = run_target(p, c, ctx, gen, training_rows, summary);
    }
    FigureData training_fig("neutra_training");
    training_fig.set("title", "Reverse KL (+ log Z) during training").set("rows", training_rows);
    training_fig.write(ctx.out_dir);
    core::write_text_atomic(ctx.out_dir + "/summary.md", summary);
    return metrics;
  }
};

}  // namespace

int64_t start_count(const core::Config& c) {
  const int64_t chains = c.get_int("hmc.chains"), particles = c.get_int("esvgd.particles");
  if (chains < 1) throw Error(ErrorKind::kConfig, "config key 'hmc.chains'", "must be >= 1");
  if (particles < 2) throw Error(ErrorKind::kConfig, "config key 'esvgd.particles'", "must be >= 2");
  return std::max(chains, particles);
}

flow::FlowOptions flow_options(const core::Config& c) {
  return flow::FlowOptions()
      .layers(c.get_int("flow.layers"))
      .bins(c.get_int("flow.bins"))
      .bound(c.get_positive("flow.bound"))
      .hidden(c.get_int("flow.hidden"));
}

std::shared_ptr<const Experiment> make_neutra() { return std::make_shared<Neutra>(); }

}  // namespace esvgd::experiment
