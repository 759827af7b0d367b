// dw4 (Section 5, Appendix E.1, Figures 11-12): an EBM of the DW-4 particle system trained by
// contrastive divergence with SVGD / E-SVGD. The five meta-stable states are found by relaxation,
// the training set is built from them ("fixed") or read ("original"), and every trained model is
// judged by relaxing its samples and counting the states they fall into.
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "esvgd/data/dw4_data.h"
#include "experiment/cd_experiment.h"
#include "experiment/dw4_distances.h"
#include "experiment/figure_data.h"
#include "experiment/registry_entries.h"
#include "experiment/toy.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/group/particle_invariant.h"
#include "esvgd/target/double_well.h"
#include "esvgd/target/meta_stable.h"

namespace esvgd::experiment {

namespace {

constexpr int64_t kParticles = 4, kDim = 8;

}  // namespace

torch::Tensor dw4_distance_histogram(const torch::Tensor& X) {
  const group::ParticleInvariant pairs(group::ParticleInvariant::Kind::kPairDistances, kParticles, 2);
  const auto d = pairs.features(X.to(torch::kFloat64)).flatten();
  const auto bin = (d * (kDw4DistanceBins / kDw4DistanceMax)).floor().clamp(0, kDw4DistanceBins - 1).to(torch::kLong);
  return torch::zeros({kDw4DistanceBins}, torch::kFloat64).index_add_(0, bin, torch::ones_like(d)) / d.numel();
}

double dw4_distance_tv(const torch::Tensor& A, const torch::Tensor& B) {
  return 0.5 * (dw4_distance_histogram(A) - dw4_distance_histogram(B)).abs().sum().item<double>();
}

namespace {

/// Per-state counts of classified configurations (−1 = no state) and what the summary reports.
struct StateCounts {
  std::vector<int64_t> counts;  ///< [states]
  int64_t unclassified = 0;
};

StateCounts count_states(const torch::Tensor& labels, size_t states) {
  StateCounts c{std::vector<int64_t>(states, 0), 0};
  auto l = labels.contiguous();
  for (int64_t n = 0; n < l.numel(); ++n) {
    const int64_t s = l.data_ptr<int64_t>()[n];
    if (s < 0) ++c.unclassified;
    else ++c.counts[static_cast<size_t>(s)];
  }
  return c;
}

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t k = 0; k < v.size(); ++k) s += (k ? ", " : "") + std::to_string(v[k]);
  return s + "]";
}

/// ½ Σ |p − q| over the states and the unclassified bin.
double total_variation(const StateCounts& a, const StateCounts& b) {
  auto total = [](const StateCounts& c) {
    double t = static_cast<double>(c.unclassified);
    for (auto v : c.counts) t += static_cast<double>(v);
    return t;
  };
  const double ta = total(a), tb = total(b);
  double tv = std::abs(static_cast<double>(a.unclassified) / ta - static_cast<double>(b.unclassified) / tb);
  for (size_t s = 0; s < a.counts.size(); ++s)
    tv += std::abs(static_cast<double>(a.counts[s]) / ta - static_cast<double>(b.counts[s]) / tb);
  return tv / 2;
}

/// Samples count for a state when they lie near one of its minima (RMS distance to their relaxed
/// configuration < near): relaxing from anywhere always lands in some state, so counting every
/// relaxed sample would credit a model with states it merely scatters towards. Both are reported.
struct Judged {
  torch::Tensor near;     ///< [N] state, −1 where the sample is not near a minimum
  torch::Tensor relaxed;  ///< [N] state after relaxation from wherever the sample is
};

Judged judge(const target::StateClassifier& classifier, const torch::Tensor& X, double near) {
  auto a = classifier.assign(X);
  return {torch::where(a.distance < near, a.state, torch::full_like(a.state, -1)), a.state};
}

nlohmann::json state_metrics(const Judged& j, size_t states, const StateCounts& training) {
  const auto c = count_states(j.near, states), r = count_states(j.relaxed, states);
  int64_t recovered = 0;
  for (auto v : c.counts) recovered += v > 0;
  return {{"state_counts", c.counts},
          {"not_near_a_state", c.unclassified},
          {"states_recovered", recovered},
          {"tv_to_training", total_variation(c, training)},
          {"relaxed_state_counts", r.counts}};
}

/// The states figure's data (figures/states.json; python/esvgd/plot/dw4.py): each meta-stable state in
/// the canonical frame (centred, farthest particle on +x) with its energy and hit count.
void states_figure(const std::string& out_dir, const std::vector<target::MetaStableState>& states) {
  FigureData fig("states");
  fig.set("title", "dw4: the meta-stable states found by relaxation (bonds: pair distance < d0 = 4)");
  for (size_t k = 0; k < states.size(); ++k) {
    const auto x = torch::tensor(states[k].x, torch::kFloat64).view({1, kDim});
    const auto key = "rows/" + std::to_string(k);
    fig.set(key + "/name", states[k].name).set(key + "/energy", states[k].energy).set(key + "/hits", states[k].hits)
        .array(key + "/particles", group::ParticleGroup(kParticles).fold(x).view({kParticles, 2}));
  }
  fig.write(out_dir);
}

struct Panel {
  std::string title;
  torch::Tensor samples, labels;
};

/// A samples figure's data (samples, ablation): per panel the configurations in the canonical frame
/// [N, P, 2] and the state each relaxes to (-1: none), drawn one colour per state.
void samples_figure(const std::string& out_dir, const std::string& name, const std::string& title,
                    const std::vector<Panel>& panels, size_t states) {
  FigureData fig(name);
  fig.set("title", title).set("states", static_cast<int64_t>(states));
  for (size_t k = 0; k < panels.size(); ++k) {
    const auto key = "panels/" + std::to_string(k);
    fig.set(key + "/title", panels[k].title)
        .array(key + "/particles", group::ParticleGroup(kParticles).fold(panels[k].samples).view({-1, kParticles, 2}))
        .array(key + "/state", panels[k].labels);
  }
  fig.write(out_dir);
}

/// The energies figure's data: u of each panel's samples (before relaxation) and of the training data.
void energies_figure(const std::string& out_dir, const std::vector<Panel>& panels, const torch::Tensor& data_energy,
                     const target::DoubleWellPotential& u) {
  FigureData fig("energies");
  fig.set("title", "dw4: energy u of the samples (before relaxation) against the training data")
      .set("range", {-27.0, -5.0}).array("data_energy", data_energy);
  for (size_t k = 0; k < panels.size(); ++k)
    fig.set("panels/" + std::to_string(k) + "/title", panels[k].title)
        .array("panels/" + std::to_string(k) + "/energy", u.energy(panels[k].samples));
  fig.write(out_dir);
}

/// The state search's settings (states.*, relax.*).
target::StateSearchOptions search_options(const core::Config& c) {
  const auto search = target::StateSearchOptions()
                          .starts(c.get_int("states.starts"))
                          .box(c.get_positive("states.box"))
                          .relax(target::RelaxOptions()
                                     .max_iterations(c.get_int("relax.iterations"))
                                     .gradient_tolerance(c.get_positive("relax.tolerance")));
  if (search.starts() < 1) throw Error(ErrorKind::kConfig, "config key 'states.starts'", "must be >= 1");
  return search;
}

/// data.set and the configurations of data.file (data.set = file; else undefined).
struct DataSource {
  std::string set;
  torch::Tensor from_file;
};

/// data.set, checked, and a data.file read: before the state search, so that a bad file is found
/// in a second.
DataSource data_source(const core::Config& c) {
  const std::string set = c.get_string("data.set");
  if (set != "fixed" && set != "original" && set != "file")
    throw Error(ErrorKind::kConfig, "config key 'data.set'", "must be fixed, original or file, got '" + set + "'");
  return {set, set == "file" ? data::read_configurations(c.get_string("data.file"), kDim) : torch::Tensor()};
}

/// The meta-stable states of u, logged and kept for the states figure.
std::vector<target::MetaStableState> find_states(const target::DoubleWellPotential& u,
                                                 const target::StateSearchOptions& search, const RunContext& ctx,
                                                 at::Generator& gen) {
  auto states = target::find_meta_stable_states(u, search, gen);
  if (ctx.log) {
    *ctx.log << "[dw4] " << states.size() << " meta-stable states from " << search.starts() << " starts:";
    for (const auto& s : states) *ctx.log << " " << s.name << " " << s.energy;
    *ctx.log << "\n";
  }
  if (states.empty()) throw Error(ErrorKind::kNumerical, "dw4", "the state search found no minimum");
  states_figure(ctx.out_dir, states);
  return states;
}

/// The authors' configurations, rows [1:]: row 0 is the exact square, a saddle.
torch::Tensor original_data() {
  auto x = data::read_configurations(data::shipped_data_path("dw4/jaini2021_dimer_4particles.npy"), kDim);
  return x.narrow(0, 1, x.size(0) - 1);
}

/// The training set (data.set) and what the samples are compared with.
struct TrainingData {
  std::string set;             ///< data.set
  data::TrainingData train_set;     ///< the configurations X [N, 8]
  double near = 0;             ///< states.near
  StateCounts training;        ///< the states of the training configurations
  torch::Tensor data_energy;   ///< u of every training configuration [N]
  torch::Tensor held_out;      ///< the reference of distance_tv
};

/// Builds (fixed), reads (original) or takes (file) the training set, writes it, and counts its states.
TrainingData training_data(const core::Config& c, const RunContext& ctx, const DataSource& source,
                           const std::vector<target::MetaStableState>& states,
                           const target::StateClassifier& classifier, const target::DoubleWellPotential& u,
                           at::Generator& gen) {
  TrainingData d;
  d.set = source.set;
  torch::Tensor X = source.from_file;
  if (d.set == "fixed") X = data::build_state_copies(states, c.get_int("data.copies"), c.get_double("data.noise"), gen);
  else if (d.set == "original") X = original_data();
  d.train_set = {X, {}, {}};
  data::check_training_data(d.train_set, kDim, 1, d.set);
  core::write_npy(ctx.out_dir + "/train_x.npy", X);
  d.near = c.get_positive("states.near");
  d.training = count_states(judge(classifier, X, d.near).near, states.size());
  d.data_energy = u.energy(X);
  // Held-out data for the distance histogram: a fresh draw of the fixed set from its own stream
  // (the run's generator is left as it was); sets read from files are their own reference.
  at::Generator held_gen = at::detail::createCPUGenerator(ctx.seed ^ 0x9e3779b97f4a7c15ULL);
  d.held_out = d.set == "fixed" ? data::build_state_copies(states, c.get_int("data.copies"),
                                                           c.get_double("data.noise"), held_gen)
                                : X;
  return d;
}

/// sample.bandwidth, checked.
double sample_bandwidth(const core::Config& c) {
  const double h = c.get_double("sample.bandwidth");
  if (h < 0) throw Error(ErrorKind::kConfig, "config key 'sample.bandwidth'", "must be >= 0 (0 = training bandwidth)");
  return h;
}

/// A trained combination's row and its panel of the samples figure.
struct Judgement {
  nlohmann::json row;
  Panel panel;
};

/// Samples a trained model (sample.bandwidth) and judges the samples: the states they lie near,
/// their energies and pair distances; writes them.
Judgement sample_and_judge(const core::Config& c, const RunContext& ctx, TrainedModel& t, const TrainingData& d,
                           const target::StateClassifier& classifier, const target::DoubleWellPotential& u,
                           double sample_h, at::Generator& gen) {
  const auto n_states = classifier.states().size();
  auto samples = sample_model(c, ctx, t, -1, gen, sample_h);
  auto judged = judge(classifier, samples, d.near);
  auto row = common_metrics(t, ctx);
  row.update(state_metrics(judged, n_states, d.training));
  row["sample_energy_mean"] = u.energy(samples).mean().item<double>();
  row["energy_gap"] = row["sample_energy_mean"].get<double>() - d.data_energy.mean().item<double>();
  row["distance_tv"] = dw4_distance_tv(samples, d.held_out);
  core::write_npy(ctx.out_dir + "/samples_" + t.combo.name + ".npy", samples);
  Panel panel{t.combo.name + " (" + std::to_string(row["states_recovered"].get<int64_t>()) + "/" +
                  std::to_string(n_states) + ")",
              samples, judged.near};
  return {std::move(row), std::move(panel)};
}

/// The states found and the training set's statistics, for metrics.json.
nlohmann::json states_json(const std::vector<target::MetaStableState>& states, const TrainingData& d) {
  nlohmann::json result{{"states", nlohmann::json::array()}};
  for (const auto& s : states)
    result["states"].push_back({{"name", s.name}, {"energy", s.energy}, {"pair_distances", s.distances},
                                {"hits", s.hits}, {"min_curvature", s.min_curvature}, {"x", s.x}});
  result["training_state_counts"] = d.training.counts;
  result["training_unclassified"] = d.training.unclassified;
  result["data_energy_mean"] = d.data_energy.mean().item<double>();
  result["distance_tv_training_vs_held_out"] = dw4_distance_tv(d.train_set.x, d.held_out);
  return result;
}

/// Figure 12: one e-ebm+e-svgd model trained on the original single-state data, sampled with each
/// ablation bandwidth; returns the markdown table and stores the rows in result["ablation"].
std::string run_ablation(const core::Config& c, const RunContext& ctx, const group::ParticleGroup& group,
                         const target::StateClassifier& classifier, const torch::Tensor& X, double near,
                         at::Generator& gen, nlohmann::json& result) {
  const auto n_states = classifier.states().size();
  data::TrainingData data{X, {}, {}};
  const auto training = count_states(judge(classifier, X, near).near, n_states);
  Combination combo = parse_combination("e-ebm+e-svgd");
  combo.name = "original-e-ebm+e-svgd";
  auto t = train_combination(c, ctx, combo, group, data, 1, gen);
  std::vector<Panel> panels;
  nlohmann::json rows = nlohmann::json::array();
  std::string md = "## Figure 12: e-ebm+e-svgd trained on the original (single-state) data\n\n"
                   "Training states " + list_str(training.counts) + "; training bandwidth " +
                   c10::str(t.history.empty() ? 0.0 : t.history.back().bandwidth) + ".\n\n| sampling bandwidth | states recovered | state counts | not near a state | relaxed state counts |\n|---|---|---|---|---|\n";
  for (double h : c.get_doubles("ablation.bandwidths")) {
    if (!(h > 0)) throw Error(ErrorKind::kConfig, "config key 'ablation.bandwidths'", "every bandwidth must be > 0");
    auto samples = sample_model(c, ctx, t, -1, gen, h);
    auto judged = judge(classifier, samples, near);
    auto counts = count_states(judged.near, n_states);
    auto row = state_metrics(judged, n_states, training);
    row["bandwidth"] = h;
    md += "| " + c10::str(h) + " | " + std::to_string(row["states_recovered"].get<int64_t>()) + " | " +
          list_str(counts.counts) + " | " + std::to_string(counts.unclassified) + " | " +
          list_str(count_states(judged.relaxed, n_states).counts) + " |\n";
    core::write_npy(ctx.out_dir + "/ablation_samples_h" + c10::str(h) + ".npy", samples);
    panels.push_back({"h = " + c10::str(h) + " (" + std::to_string(row["states_recovered"].get<int64_t>()) + "/" +
                          std::to_string(n_states) + " states)",
                      samples, judged.near});
    rows.push_back(row);
  }
  samples_figure(ctx.out_dir, "ablation", "dw4 Figure 12: original data, two bandwidths", panels, n_states);
  result["ablation"] = {{"training_state_counts", training.counts}, {"samplings", rows},
                        {"history", history_json(t.history)}};
  return md;
}

/// summary.md's text above the table: the training set, how samples are judged, and the floors.
std::string preamble(const core::Config& c, const TrainingData& d, const nlohmann::json& result) {
  return "Training set: " + d.set + " (" + std::to_string(d.train_set.x.size(0)) + " configurations; per state " +
         list_str(d.training.counts) + "). Samples: " + std::to_string(c.get_int("sample.particles")) +
         " per model, relaxed under u; a sample counts for a state when it lies within RMS " + c10::str(d.near) +
         " of its relaxed configuration (state_counts; the rest: not_near_a_state); metrics.json's "
         "relaxed_state_counts credit every sample with the state it relaxes to. TV is to the training proportions over the "
         "states and the not-near bin. distance_tv: TV between the histograms of the six pair distances "
         "(" + std::to_string(kDw4DistanceBins) + " bins on [0, " + c10::str(kDw4DistanceMax) + ")) of the samples and of " +
         (d.set == "fixed" ? "a held-out draw of the training set" : "the training set") + " (training set against it: " +
         c10::str(result["distance_tv_training_vs_held_out"].get<double>()) + "). energy_gap: mean u of the samples "
         "minus mean u of the data (" + c10::str(result["data_energy_mean"].get<double>()) + "). interacting: mean "
         "number of points within each chain's kernel reach (k > 1e-3) at the end of each SVGD run, in training and "
         "in sampling (0: every particle moved alone).\n\n";
}

class Dw4 : public Experiment {
 public:
  Parallelism parallelism() const override { return Parallelism::kData; }
  std::string name() const override { return "dw4"; }
  std::string summary() const override {
    return "DW-4 particle system: E(2)xS4-invariant EBM with SVGD/E-SVGD, meta-stable states recovered (App. E.1)";
  }
  void declare(core::Config& c) const override {
    c.declare("states.starts", int64_t{400}, "random starts U[-box, box)^8 relaxed to find the meta-stable states");
    c.declare("states.box", 5.0, "half-width of the box of the state search");
    c.declare("relax.iterations", int64_t{20000}, "maximum gradient-descent steps when relaxing a configuration");
    c.declare("relax.tolerance", 1e-8, "a configuration is relaxed when |grad u| < this");
    c.declare("states.near", 0.5,
              "a sample represents a state when its RMS distance (per coordinate) to its relaxed configuration is below this");
    c.declare("data.set", "fixed",
              "training set: fixed (copies of every state, built here), original (the authors' single-state file) or file");
    c.declare("data.copies", int64_t{200}, "fixed set: noisy copies of each state");
    c.declare("data.noise", 0.1, "fixed set: standard deviation of the noise per coordinate");
    c.declare("data.file", "", "data.set = file: an .npy [N, 8] of configurations (float32 or float64)");
    EbmDefaults d;
    d.hidden = {64, 64};
    d.head = "log1p-square";
    d.symmetry = "canonical";
    d.epochs = 50;
    d.batch_size = 64;
    d.checkpoint_every = 10;
    d.learning_rate = 0.01;
    d.svgd_steps = 5000;
    d.svgd_step_size = 0.1;
    d.bandwidth = 0.1;
    d.equivariant_bandwidth = 0.001;
    d.epsilon = 1e-5;
    d.reset_probability = 0.1;
    d.chain_init = "uniform";
    d.sample_particles = 1024;
    d.sample_steps = 50000;
    d.sample_box = 5;
    d.sample_epsilon = 1e-7;
    declare_ebm_keys(c, d);
    c.set("combinations",
          std::vector<std::string>{"ebm+svgd", "e-ebm+svgd", "e-ebm+e-svgd",
                                   "e-ebm@pair-distances+e-svgd@pair-distances-paper"},
          "default");
    c.declare("sample.bandwidth", 1e-4, "kernel bandwidth when sampling the trained models (0 = the training one)");
    c.declare("ablation.enabled", true, "Figure 12: train e-ebm+e-svgd on the original data and sample it twice");
    c.declare("ablation.bandwidths", std::vector<double>{2.0, 1e-4}, "bandwidths of the two ablation samplings");
  }
  nlohmann::json quick_preset() const override {
    return {{"train.epochs", 20},     {"svgd.steps", 1000},      {"train.checkpoint_every", 5},
            {"data.copies", 100},     {"sample.particles", 256}, {"sample.steps", 5000},
            {"states.starts", 200}};
  }

  /// `tuned`: the settings that make the models generate (chosen by measurement: docs/method.md,
  /// "DW-4: a preset that generates"): short noisy runs from a replay buffer with coupling
  /// bandwidths, and the Langevin baselines.
  std::map<std::string, nlohmann::json> extra_presets() const override {
    return {{"tuned",
             {{"combinations", {"ebm+svgd", "e-ebm+svgd", "e-ebm+e-svgd",
                                "e-ebm@pair-distances+e-svgd@pair-distances", "ebm+langevin", "e-ebm+langevin"}},
              {"svgd.regular_sampler", "rbf"},      {"svgd.equivariant_sampler", "orbit-scalar"},
              {"svgd.equivariant_bandwidth", 0.0},  {"svgd.median", true},
              {"svgd.median_interval", 10},         {"svgd.normalize", "kernel-mass"},
              {"svgd.langevin", true},              {"svgd.langevin_noise", 0.1},
              {"svgd.stein_weight", 1.0},           {"svgd.steps", 60},
              {"svgd.step_size", 0.25},             {"svgd.epsilon", 0.0},
              {"langevin.steps", 60},               {"langevin.step_size", 0.5},
              {"langevin.noise", 0.1},              {"chains.anchors", false},
              {"chains.replay_size", 10000},        {"chains.replay_fresh", 0.05},
              {"loss.energy_l2", 0.1},              {"train.batch_size", 128},
              {"train.epochs", 286},                {"train.learning_rate", 1e-3},
              {"train.lr_milestones", {143}},       {"train.lr_after", {1e-4}},
              {"train.checkpoint_every", 50},       {"sample.steps", 1000},
              {"sample.noise", 0.07},               {"sample.epsilon", 0.0},
              {"sample.bandwidth", 0.0},            {"ablation.enabled", false}}}};
  }

  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    target::DoubleWellPotential u;
    const auto search = search_options(c);
    const auto source = data_source(c);
    const auto states = find_states(u, search, ctx, gen);
    target::StateClassifier classifier(u, states, 1e-3, search.relax());
    const auto data = training_data(c, ctx, source, states, classifier, u, gen);
    group::ParticleGroup group(kParticles);
    const double sample_h = sample_bandwidth(c);
    std::vector<TrainedModel> trained;
    std::vector<nlohmann::json> rows;
    std::vector<Panel> panels;
    for (const auto& combo : checked_combinations(c, group, kDim, 1)) {
      auto t = train_combination(c, ctx, combo, group, data.train_set, 1, gen);
      auto [row, panel] = sample_and_judge(c, ctx, t, data, classifier, u, sample_h, gen);
      trained.push_back(std::move(t));
      rows.push_back(std::move(row));
      panels.push_back(std::move(panel));
    }
    samples_figure(ctx.out_dir, "samples", "dw4: samples by state (canonical frame; states found / " +
                   std::to_string(states.size()) + ")", panels, states.size());
    energies_figure(ctx.out_dir, panels, data.data_energy, u);
    auto result = states_json(states, data);
    std::string ablation_md;
    if (c.get_bool("ablation.enabled"))
      ablation_md = run_ablation(c, ctx, group, classifier, original_data(), data.near, gen, result);
    result.update(finish_ebm_run(
        ctx, trained, rows, "dw4", preamble(c, data, result),
        {"combination", "states_recovered", "state_counts", "not_near_a_state", "tv_to_training", "distance_tv",
         "sample_energy_mean", "energy_gap", "interacting_train", "bandwidth_train", "interacting_sample",
         "svgd_steps_per_batch", "train_seconds"},
        ablation_md));
    return result;
  }
};

}  // namespace

std::shared_ptr<const Experiment> make_dw4() { return std::make_shared<Dw4>(); }

}  // namespace esvgd::experiment
