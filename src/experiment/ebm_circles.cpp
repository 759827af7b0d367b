// ebm-circles (Appendix D.2, Figure 10): an EBM of two concentric circles (radius 3 and 10) trained
// by contrastive divergence plus regression on the true energies, in three model/sampler combinations.
#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "core/resources.h"
#include "esvgd/data/toy_data.h"
#include "experiment/cd_experiment.h"
#include "experiment/figure_data.h"
#include "experiment/registry_entries.h"
#include "experiment/toy.h"
#include "esvgd/group/group.h"
#include "esvgd/metric/grid_density.h"
#include "esvgd/metric/orbit_metrics.h"
#include "esvgd/target/radial_mixture.h"

namespace esvgd::experiment {

namespace {

constexpr int64_t kImageGrid = 120;
constexpr int64_t kKlGrid = 260;
constexpr int64_t kRadiusBins = 40;

struct Result {
  TrainedModel trained;
  torch::Tensor samples;
  nlohmann::json metrics;
};

/// Figure 10's data (figures/figure10.json; python/esvgd/plot/ebm_circles.py): columns target and each
/// combination; the log density on the grid [n, n] (rows y, columns x) with the data and the last CD
/// negatives, and the true radius density for the histograms of their radii (the group-factorised space).
void figure10_data(const std::string& out_dir, const target::RadialMixture& t, const data::TrainingData& train_set,
                   std::vector<Result>& results, double extent) {
  const auto grid = metric::grid_points(-extent, extent, kImageGrid);
  const auto r = torch::linspace(0, extent, 300, torch::kFloat64);
  FigureData fig("figure10");
  fig.set("title", "ebm-circles: density with data (blue) and last negatives (red); radii (group-factorised space)")
      .set("extent", extent).set("radius_bins", kRadiusBins).array("data", train_set.x)
      .array("target_log_density", t.log_prob(grid).reshape({kImageGrid, kImageGrid}))
      .array("radius_grid", r).array("radius_density", t.radius_marginal(r));
  for (size_t i = 0; i < results.size(); ++i) {
    const auto key = "rows/" + std::to_string(i);
    fig.set(key + "/combination", results[i].trained.combo.name)
        .array(key + "/log_density", model_log_density(*results[i].trained.model, grid).reshape({kImageGrid, kImageGrid}))
        .array(key + "/negatives", results[i].trained.chains);
  }
  fig.write(out_dir);
}

/// The two circles of target.radii (checked), drawn by data.sampler.
std::shared_ptr<target::RadialMixture> make_target(const core::Config& c) {
  const auto radii = c.get_doubles("target.radii");
  if (radii.empty()) throw Error(ErrorKind::kConfig, "config key 'target.radii'", "needs at least one radius");
  const std::string sampler = c.get_string("data.sampler");
  if (sampler != "exact" && sampler != "parity")
    throw Error(ErrorKind::kConfig, "config key 'data.sampler'", "must be exact or parity, got '" + sampler + "'");
  return std::make_shared<target::RadialMixture>(
      2, radii, c.get_positive("target.width_std"), std::vector<double>{},
      sampler == "exact" ? target::RadialMixture::SamplerKind::kExact : target::RadialMixture::SamplerKind::kParity);
}

struct DataSets {
  data::TrainingData train, test;
};

/// data.train_points points with their energies (or data.file), then the test set; writes the
/// training set.
DataSets load_data(const core::Config& c, const RunContext& ctx, const std::shared_ptr<target::RadialMixture>& t,
                   at::Generator& gen) {
  // The regression target of Eq. (8) as in the reference code: −log p_r(|x|), the normalised
  // radius density (≥ 0.92 here, so reachable by E = log(1 + o²) ≥ 0).
  auto energy_of = [t](const torch::Tensor& X) { return -t->radial_log_density(X.norm(2, 1)); };
  const int64_t n_train = c.get_int("data.train_points"), n_test = c.get_int("data.test_points");
  if (n_train < 1) throw Error(ErrorKind::kConfig, "config key 'data.train_points'", "must be >= 1");
  if (n_test < 1) throw Error(ErrorKind::kConfig, "config key 'data.test_points'", "must be >= 1");
  for (const auto& [key, n] : {std::pair{"data.train_points", n_train}, {"data.test_points", n_test}})
    core::require_memory(key, 64.0 * 3 * static_cast<double>(n), "the data set and its copies");
  const std::string file = c.get_string("data.file");
  auto train_set = file.empty() ? data::sample_with_energies(*t, n_train, energy_of, gen)
                                : data::read_toy_data(file, 2, "energy");
  data::check_training_data(train_set, 2, 1, file.empty() ? "generated data" : file);
  auto test_set = data::sample_with_energies(*t, n_test, energy_of, gen);
  core::write_npy(ctx.out_dir + "/train_x.npy", train_set.x);
  core::write_npy(ctx.out_dir + "/train_energy.npy", train_set.energies);
  return {std::move(train_set), std::move(test_set)};
}

/// The KL grid over [−extent, extent]² (the densities are normalised numerically on it) with the
/// target's log density; the extent reaches 3 beyond the outer circle.
struct KlGrid {
  double extent;
  torch::Tensor points, log_pi;
};

KlGrid kl_grid(const target::RadialMixture& t) {
  const auto& radii = t.radii();
  const double extent = *std::max_element(radii.begin(), radii.end()) + 3.0;
  const auto points = metric::grid_points(-extent, extent, kKlGrid);
  return {extent, points, t.log_prob(points)};
}

/// Trains one combination and draws its joint samples.
Result train_and_sample(const core::Config& c, const RunContext& ctx, const Combination& combo,
                        const group::Group& group, const DataSets& data, at::Generator& gen) {
  Result res;
  res.trained = train_combination(c, ctx, combo, group, data.train, 1, gen);
  res.samples = sample_model(c, ctx, res.trained, -1, gen);
  return res;
}

/// The row of a trained combination: KL on the grid, test energy RMSE, and how the last negatives
/// and the samples spread over the rings; writes the samples.
nlohmann::json evaluate(const Result& res, const target::RadialMixture& t, const DataSets& data, const KlGrid& grid,
                        const RunContext& ctx) {
  const auto& tm = res.trained;
  const auto& radii = t.radii();
  auto row = common_metrics(tm, ctx);
  const auto kl = metric::grid_kl(grid.log_pi, model_log_density(*tm.model, grid.points));
  row["kl_pi_p"] = kl.forward;
  row["kl_p_pi"] = kl.reverse;
  {
    torch::NoGradGuard no_grad;
    auto err = tm.model->energy(data.test.x).to(torch::kFloat64) - data.test.energies;
    row["test_energy_rmse"] = err.square().mean().sqrt().item<double>();
  }
  const double r_max = grid.extent;
  row["negatives_ring_fractions"] = metric::ring_fractions(tm.chains.to(torch::kFloat64), radii);
  row["samples_ring_fractions"] = metric::ring_fractions(res.samples, radii);
  row["true_ring_masses"] = metric::true_ring_masses(t);
  row["negatives_radial_kl"] = metric::radial_kl(tm.chains.to(torch::kFloat64), t, kRadiusBins / 2, r_max);
  row["samples_radial_kl"] = metric::radial_kl(res.samples, t, kRadiusBins / 2, r_max);
  core::write_npy(ctx.out_dir + "/samples_" + tm.combo.name + ".npy", res.samples);
  return row;
}

/// training.png and summary.md; returns the rows.
nlohmann::json report(const RunContext& ctx, const std::vector<Result>& results) {
  std::vector<TrainedModel> trained;
  std::vector<nlohmann::json> rows;
  for (const auto& r : results) {
    trained.push_back(r.trained);
    rows.push_back(r.metrics);
  }
  return finish_ebm_run(ctx, trained, rows, "ebm-circles",
                        "KL on a " + std::to_string(kKlGrid) + "² grid; ring fractions: inner, outer.\n\n",
                        {"combination", "kl_pi_p", "kl_p_pi", "test_energy_rmse", "negatives_ring_fractions",
                         "samples_ring_fractions", "true_ring_masses", "samples_radial_kl", "svgd_steps_per_batch",
                         "train_seconds"});
}

class EbmCircles : public Experiment {
 public:
  Parallelism parallelism() const override { return Parallelism::kData; }
  std::string name() const override { return "ebm-circles"; }
  std::string summary() const override {
    return "EBM of two concentric circles with energy regression: EBM/E-EBM x SVGD/E-SVGD (App. D.2)";
  }
  void declare(core::Config& c) const override {
    c.declare("target.radii", std::vector<double>{3.0, 10.0}, "radii of the two circles (equal weights)");
    c.declare("target.width_std", 0.5, "Gaussian width of each circle (standard deviation, as the code's thickness)");
    c.declare("data.sampler", "exact",
              "training points: exact (the density log pi targets) or parity (the code's r ~ p_r, uniform angle)");
    c.declare("data.train_points", int64_t{128}, "training points");
    c.declare("data.test_points", int64_t{128}, "test points (energy RMSE)");
    c.declare("data.file", "", "optional .npy [N, 3] (two coordinates, then the target energy) to train on");
    EbmDefaults d;
    d.head = "log1p-square";
    d.symmetry = "radius";
    d.mse_weight = 0.5;
    d.lr_milestones = {150, 400};
    d.lr_after = {5e-4, 1e-4};
    d.bandwidth = 0.05;
    d.step_milestones = {250, 400};
    d.step_after = {0.5, 0.1};
    d.sample_box = 13;
    // As for the CD chains here (no ε rule): with h = 0.05 the kernel couples no two particles,
    // φ ≈ s/N moves each by ε·|s|/N per step, and an ε = 1e-4 stop would end the run at once.
    d.sample_epsilon = 0;
    declare_ebm_keys(c, d);
  }
  nlohmann::json quick_preset() const override {
    return {{"train.epochs", 100}, {"svgd.steps", 200}, {"train.checkpoint_every", 25}, {"train.lr_milestones", {30, 80}},
            {"svgd.step_size_milestones", {50, 80}}, {"sample.steps", 2000}};
  }
  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    const auto t = make_target(c);
    const auto data = load_data(c, ctx, t, gen);
    const auto grid = kl_grid(*t);
    auto group = group::make_group("SO2");
    std::vector<Result> results;
    for (const auto& combo : checked_combinations(c, *group, 2, 1)) {
      auto res = train_and_sample(c, ctx, combo, *group, data, gen);
      res.metrics = evaluate(res, *t, data, grid, ctx);
      results.push_back(std::move(res));
    }
    figure10_data(ctx.out_dir, *t, data.train, results, grid.extent);
    return report(ctx, results);
  }
};

}  // namespace

std::shared_ptr<const Experiment> make_ebm_circles() { return std::make_shared<EbmCircles>(); }

}  // namespace esvgd::experiment
