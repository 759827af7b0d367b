// jem-c4 (Section 4, Appendix D.1, Figure 9): a joint energy model of two classes of C4 Gaussians
// (radius 7 and 15) trained by contrastive divergence in three model/sampler combinations.
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
#include "esvgd/group/cyclic.h"
#include "esvgd/metric/grid_density.h"
#include "esvgd/metric/orbit_metrics.h"
#include "esvgd/target/gaussian_mixture.h"

namespace esvgd::experiment {

namespace {

constexpr int64_t kImageGrid = 120;  // cells per axis of the figures' density images
constexpr int64_t kKlGrid = 240;     // cells per axis of the KL grid
constexpr int64_t kClasses = 2;

struct Problem {
  data::ClassMixture mixture;
  std::vector<torch::Tensor> means;  // per class [4, 2]
  double extent;
};

Problem make_problem(const core::Config& c) {
  const int64_t n = c.get_int("model.cyclic_order");
  if (n < 1) throw Error(ErrorKind::kConfig, "config key 'model.cyclic_order'", "must be >= 1");
  core::require_memory("model.cyclic_order", 256.0 * static_cast<double>(n), "the mixture components and the group's elements");
  const auto radii = c.get_doubles("target.radii");
  const auto var0 = c.get_doubles("target.class0_variances"), var1 = c.get_doubles("target.class1_variances");
  if (radii.size() != 2) throw Error(ErrorKind::kConfig, "config key 'target.radii'", "needs two radii, one per class");
  for (const auto* v : {&var0, &var1})
    if (v->size() != 2 || !((*v)[0] > 0) || !((*v)[1] > 0))
      throw Error(ErrorKind::kConfig, "config key 'target.class*_variances'", "needs two positive variances (radial, tangential)");
  std::vector<std::shared_ptr<target::Target>> classes;
  std::vector<torch::Tensor> means;
  for (int64_t y = 0; y < kClasses; ++y) {
    const auto& v = y == 0 ? var0 : var1;
    auto g = std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(n, radii[y], v[0], v[1]));
    means.push_back(g->means());
    classes.push_back(g);
  }
  return {data::ClassMixture(classes), means, std::max(radii[0], radii[1]) + 7.0};
}

double accuracy(model::EnergyNetwork& m, const data::TrainingData& d) {
  torch::NoGradGuard no_grad;
  return m.outputs(d.x).argmax(1).eq(d.labels).to(torch::kFloat64).mean().item<double>();
}

struct Result {
  TrainedModel trained;
  std::vector<torch::Tensor> samples;  // class-conditional samples per class
  nlohmann::json metrics;
};

nlohmann::json occupancy_json(const torch::Tensor& X, const torch::Tensor& means) {
  const auto occ = metric::mode_occupancy(X, means);
  int64_t covered = 0;
  for (double o : occ) covered += o > 0;
  return {{"occupancy", occ}, {"modes_covered", covered}, {"tv_to_uniform", metric::tv_to_uniform(occ)}};
}

/// The densities a row of Figure 9 shows: the target's (trained = null) or a model's, on `grid`.
struct RowDensities {
  std::string name;
  torch::Tensor log_joint, log_c0, log_c1, post1;  ///< log p(x), log p(x|y) up to constants, p(y=1|x)
};

RowDensities row_densities(const Problem& p, const TrainedModel* trained, const torch::Tensor& grid) {
  if (!trained) {
    auto log_c0 = p.mixture.conditional(0).log_prob(grid), log_c1 = p.mixture.conditional(1).log_prob(grid);
    return {"target", p.mixture.log_prob(grid), log_c0, log_c1, torch::sigmoid(log_c1 - log_c0)};
  }
  torch::NoGradGuard no_grad;
  auto O = trained->model->outputs(grid).to(torch::kFloat64);
  return {trained->combo.name, torch::logsumexp(O, 1), O.select(1, 0), O.select(1, 1), torch::softmax(O, 1).select(1, 1)};
}

/// Figure 9's data (figures/figure9.json; python/esvgd/plot/jem_c4.py): one row per model (the target
/// first) with p(y=1|x), log p(x) and log p(x|y) on the grid [n, n] (rows y, columns x), the last
/// negatives, the class-conditional samples, and those samples folded into the C_n wedge.
void figure9_data(const std::string& out_dir, const Problem& p, const data::TrainingData& train_set,
                  std::vector<Result>& results, int64_t order) {
  auto grid = metric::grid_points(-p.extent, p.extent, kImageGrid);
  const auto x0 = train_set.x.index_select(0, train_set.labels.eq(0).nonzero().squeeze(1));
  const auto x1 = train_set.x.index_select(0, train_set.labels.eq(1).nonzero().squeeze(1));
  FigureData fig("figure9");
  fig.set("title", "jem-c4: decision boundary, p(x) with negatives, p(x|y) with samples, samples folded")
      .set("extent", p.extent).array("data_y0", x0).array("data_y1", x1);
  group::CyclicGroup g(order);
  const auto image = [](const torch::Tensor& t) { return t.reshape({kImageGrid, kImageGrid}); };
  for (size_t r = 0; r <= results.size(); ++r) {
    const auto d = row_densities(p, r == 0 ? nullptr : &results[r - 1].trained, grid);
    const auto key = "rows/" + std::to_string(r);
    const auto s0 = r == 0 ? x0 : results[r - 1].samples[0], s1 = r == 0 ? x1 : results[r - 1].samples[1];
    fig.set(key + "/name", d.name).array(key + "/p_y1", image(d.post1)).array(key + "/log_joint", image(d.log_joint));
    fig.array(key + "/log_c0", image(d.log_c0)).array(key + "/log_c1", image(d.log_c1));
    fig.array(key + "/samples_y0", s0).array(key + "/samples_y1", s1);
    fig.array(key + "/folded_y0", g.fold(s0)).array(key + "/folded_y1", g.fold(s1));
    if (r > 0) fig.array(key + "/negatives", results[r - 1].trained.chains);
  }
  fig.write(out_dir);
}

struct DataSets {
  data::TrainingData train, test;
};

/// data.train_per_class points per class (or data.file), then the test set; writes the training set.
DataSets load_data(const core::Config& c, const RunContext& ctx, const Problem& p, at::Generator& gen) {
  const int64_t per_class = c.get_int("data.train_per_class"), test_per_class = c.get_int("data.test_per_class");
  if (per_class < 1) throw Error(ErrorKind::kConfig, "config key 'data.train_per_class'", "must be >= 1");
  if (test_per_class < 1) throw Error(ErrorKind::kConfig, "config key 'data.test_per_class'", "must be >= 1");
  for (const auto& [key, n] : {std::pair{"data.train_per_class", per_class}, {"data.test_per_class", test_per_class}})
    core::require_memory(key, 64.0 * kClasses * 2 * static_cast<double>(n), "the data set and its copies");
  const std::string file = c.get_string("data.file");
  auto train_set = file.empty() ? p.mixture.sample(per_class, gen) : data::read_toy_data(file, 2, "label");
  data::check_training_data(train_set, 2, kClasses, file.empty() ? "generated data" : file);
  auto test_set = p.mixture.sample(test_per_class, gen);
  core::write_npy(ctx.out_dir + "/train_x.npy", train_set.x);
  core::write_npy(ctx.out_dir + "/train_y.npy", train_set.labels);
  return {std::move(train_set), std::move(test_set)};
}

/// The KL grid (the densities are normalised numerically on it) with the target's log densities.
struct KlGrid {
  torch::Tensor points, log_pi;
  torch::Tensor log_pi_c[kClasses];  ///< per class
  torch::Tensor all_means;           ///< every class's modes [8, 2]
};

KlGrid kl_grid(const Problem& p) {
  KlGrid g;
  g.points = metric::grid_points(-p.extent, p.extent, kKlGrid);
  g.log_pi = p.mixture.log_prob(g.points);
  for (int64_t y = 0; y < kClasses; ++y) g.log_pi_c[y] = p.mixture.conditional(y).log_prob(g.points);
  g.all_means = torch::cat(p.means);
  return g;
}

/// Trains one combination and draws its class-conditional samples.
Result train_and_sample(const core::Config& c, const RunContext& ctx, const Combination& combo,
                        const group::Group& group, const DataSets& data, at::Generator& gen) {
  Result res;
  res.trained = train_combination(c, ctx, combo, group, data.train, kClasses, gen);
  for (int64_t y = 0; y < kClasses; ++y) res.samples.push_back(sample_model(c, ctx, res.trained, y, gen));
  return res;
}

/// The row of a trained combination: accuracies, KL of the joint and of each class, and the modes
/// its samples and last negatives cover; writes the samples.
nlohmann::json evaluate(const Result& res, const Problem& p, const DataSets& data, const KlGrid& grid,
                        const RunContext& ctx) {
  const auto& t = res.trained;
  auto& m = *t.model;
  auto row = common_metrics(t, ctx);
  row["train_accuracy"] = accuracy(m, data.train);
  row["test_accuracy"] = accuracy(m, data.test);
  const auto kl = metric::grid_kl(grid.log_pi, model_log_density(m, grid.points));
  row["kl_pi_p"] = kl.forward;
  row["kl_p_pi"] = kl.reverse;
  for (int64_t y = 0; y < kClasses; ++y) {
    const auto kc = metric::grid_kl(grid.log_pi_c[y], model_log_density(m, grid.points, y));
    row["kl_pi_p_y" + std::to_string(y)] = kc.forward;
    row["kl_p_pi_y" + std::to_string(y)] = kc.reverse;
    auto occ = occupancy_json(res.samples[y], p.means[y]);
    // Samples of class y nearest to one of class y's modes (rather than the other class's).
    const auto nearest = torch::cdist(res.samples[y], grid.all_means).argmin(1);
    occ["in_class_fraction"] = (nearest.div(p.means[y].size(0), "floor").eq(y)).to(torch::kFloat64).mean().item<double>();
    row["samples_y" + std::to_string(y)] = occ;
    row["modes_covered_y" + std::to_string(y)] = occ["modes_covered"];
    core::write_npy(ctx.out_dir + "/samples_" + t.combo.name + "_y" + std::to_string(y) + ".npy", res.samples[y]);
  }
  row["negatives"] = occupancy_json(t.chains.to(torch::kFloat64), grid.all_means);
  row["negatives_modes_covered"] = row["negatives"]["modes_covered"];
  return row;
}

/// training.png and summary.md; returns the rows.
nlohmann::json report(const RunContext& ctx, const std::vector<Result>& results, double extent) {
  std::vector<TrainedModel> trained;
  std::vector<nlohmann::json> rows;
  for (const auto& r : results) {
    trained.push_back(r.trained);
    rows.push_back(r.metrics);
  }
  return finish_ebm_run(ctx, trained, rows, "jem-c4",
                        "KL on a " + std::to_string(kKlGrid) + "² grid over [-" + c10::str(extent) + ", " +
                            c10::str(extent) +
                            "]²; modes covered out of 4 per class by class-conditional samples, out of 8 by the "
                            "last CD negatives.\n\n",
                        {"combination", "test_accuracy", "kl_pi_p", "kl_p_pi", "kl_pi_p_y0", "kl_pi_p_y1",
                         "modes_covered_y0", "modes_covered_y1", "negatives_modes_covered", "svgd_steps_per_batch",
                         "train_seconds"});
}

class JemC4 : public Experiment {
 public:
  Parallelism parallelism() const override { return Parallelism::kData; }
  std::string name() const override { return "jem-c4"; }
  std::string summary() const override {
    return "joint energy model of two C4 Gaussian classes: EBM/E-EBM x SVGD/E-SVGD (Sec. 4, App. D.1)";
  }
  void declare(core::Config& c) const override {
    c.declare("target.radii", std::vector<double>{7.0, 15.0}, "radius of class 0's and class 1's four Gaussians");
    c.declare("target.class0_variances", std::vector<double>{1.0, 0.25}, "class 0 covariance diag(radial, tangential)");
    c.declare("target.class1_variances", std::vector<double>{1.0, 2.0}, "class 1 covariance diag(radial, tangential)");
    c.declare("data.train_per_class", int64_t{64}, "training points per class (128 in all)");
    c.declare("data.test_per_class", int64_t{64}, "test points per class");
    c.declare("data.file", "", "optional .npy [N, 3] (two coordinates, then the class label) to train on instead of samples");
    EbmDefaults d;
    d.head = "jem";
    d.symmetry = "cyclic";
    d.ce_weight = 1.0;
    d.epsilon = 1e-4;
    declare_ebm_keys(c, d);
  }
  nlohmann::json quick_preset() const override {
    return {{"train.epochs", 100}, {"svgd.steps", 200}, {"train.checkpoint_every", 25}, {"sample.steps", 2000}};
  }
  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    const auto p = make_problem(c);
    const auto data = load_data(c, ctx, p, gen);
    const auto grid = kl_grid(p);
    group::CyclicGroup group(c.get_int("model.cyclic_order"));
    std::vector<Result> results;
    for (const auto& combo : checked_combinations(c, group, 2, kClasses)) {
      auto res = train_and_sample(c, ctx, combo, group, data, gen);
      res.metrics = evaluate(res, p, data, grid, ctx);
      results.push_back(std::move(res));
    }
    figure9_data(ctx.out_dir, p, data.train, results, c.get_int("model.cyclic_order"));
    return report(ctx, results, p.extent);
  }
};

}  // namespace

std::shared_ptr<const Experiment> make_jem_c4() { return std::make_shared<JemC4>(); }

}  // namespace esvgd::experiment
