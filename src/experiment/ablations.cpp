// The paper's two sampler ablations (Section 3):
//  ablation-efficiency: regular SVGD with 20·{1,...,32} particles vs 20 equivariant particles on the
//                       circles; mean log π over steps against E_π[log π].
//  ablation-init:       25 random initialisations N(μ, σ²I) on the C4 mixture; the final mean log π
//                       of every sampler as a box plot against the truth.
#include <torch/types.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "experiment/figure_data.h"
#include "experiment/registry_entries.h"
#include "experiment/toy.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/metric/discrepancy.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"

namespace esvgd::experiment {

namespace {

class AblationEfficiency : public Experiment {
 public:
  std::string name() const override { return "ablation-efficiency"; }
  std::string summary() const override {
    return "sample efficiency on the circles: regular SVGD with 20x{1..32} particles vs 20 equivariant (Sec. 3)";
  }
  void declare(core::Config& c) const override {
    c.declare("particles", int64_t{20}, "particles of the equivariant samplers (and the unit of the regular counts)");
    c.declare("regular_multipliers", std::vector<int64_t>{1, 2, 4, 8, 16, 32}, "regular SVGD runs with particles x these");
    c.declare("regular_samplers", std::vector<std::string>{"rbf"}, "regular variants (rbf, rbf-paper)");
    c.declare("equivariant_samplers", std::vector<std::string>{"orbit-matrix", "orbit-scalar", "orbit-scalar-paper"},
              "equivariant variants run with `particles` particles");
    c.declare("target.radii", std::vector<double>{4.0, 8.0}, "radii of the circles");
    c.declare("target.width_std", 0.5, "ring width as a standard deviation (see circles)");
    c.declare("trace_every", int64_t{25}, "record mean log pi every this many steps");
    c.declare("metrics.truth_samples", int64_t{5000}, "exact samples for E_pi[log pi]");
    declare_init_keys(c, "uniform", 2.0, -8.0, 8.0);
    declare_svgd_keys(c, 5000, 0.05, 0.1, /*orbit_matrix_bandwidth=*/1.0, /*orbit_matrix_step_size=*/0.2);  // see circles
  }
  bool takes_init() const override { return true; }
  nlohmann::json quick_preset() const override { return {{"svgd.steps", 1500}}; }
  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    auto radii = c.get_doubles("target.radii");
    auto target = std::make_shared<target::RadialMixture>(2, radii, c.get_positive("target.width_std"));
    auto problem = make_problem(target, group::make_group("SO2"), c.get_int("metrics.truth_samples"),
                                *std::max_element(radii.begin(), radii.end()) + 2.0, gen);
    const int64_t base = c.get_int("particles");
    int64_t max_mult = 1;
    for (auto m : c.get_ints("regular_multipliers")) {
      if (m < 1) throw Error(ErrorKind::kConfig, "config key 'regular_multipliers'", "entries must be >= 1");
      max_mult = std::max(max_mult, m);
    }
    // One shared draw: every run starts from the first N rows, so the runs differ only in N and kernel.
    auto pool = initial_particles(c, base * max_mult, 2, ctx, gen);
    const auto options = svgd_options(c, ctx.seed);
    std::vector<VariantRun> runs;
    std::vector<std::string> labels;
    nlohmann::json rows = nlohmann::json::array();
    auto add = [&](const std::string& sampler, int64_t n) {
      if (n > pool.size(0)) throw Error(ErrorKind::kConfig, "--init", "has fewer particles than the largest run needs");
      auto variant = make_variant(sampler, *problem.group, c, gen);
      const std::string label = sampler + " N=" + std::to_string(n);
      auto run = run_variant(variant, *target, pool.narrow(0, 0, n), options, c.get_int("trace_every"), label, ctx);
      auto m = variant_metrics(run, problem, gen);
      m["label"] = label;
      rows.push_back(m);
      core::write_npy(ctx.out_dir + "/particles_" + sampler + "_N" + std::to_string(n) + ".npy", run.particles);
      runs.push_back(std::move(run));
      labels.push_back(label);
    };
    for (const auto& s : c.get_strings("regular_samplers"))
      for (auto m : c.get_ints("regular_multipliers")) add(s, base * m);
    for (const auto& s : c.get_strings("equivariant_samplers")) add(s, base);

    FigureData fig("log_prob_curves");
    fig.set("title", "Sample efficiency: circles (dashed = equivariant, " + std::to_string(base) + " particles)")
        .set("truth_mean_log_prob", problem.truth_mean_log_prob);
    for (size_t i = 0; i < runs.size(); ++i)
      fig.set("rows/" + std::to_string(i), {{"label", labels[i]}, {"equivariant", runs[i].variant.equivariant},
                                            {"step", runs[i].trace_step}, {"mean_log_prob", runs[i].trace_log_prob}});
    fig.write(ctx.out_dir);
    core::write_text_atomic(ctx.out_dir + "/summary.md",
                            "# Sample efficiency (circles)\n\n" +
                                metrics_table(rows, {"label", "kernel", "mean_log_prob", "true_mean_log_prob", "mmd2",
                                                     "ksd2", "radial_kl", "ring_fractions", "ms_per_step"}));
    return {{"runs", rows}, {"true_mean_log_prob", problem.truth_mean_log_prob}};
  }
};

class AblationInit : public Experiment {
 public:
  std::string name() const override { return "ablation-init"; }
  std::string summary() const override {
    return "robustness to initialisation on the C4 mixture: 25 inits N(mu, s^2 I), final mean log pi (Sec. 3)";
  }
  void declare(core::Config& c) const override {
    c.declare("particles", int64_t{25}, "particles per run");
    c.declare("repeats", int64_t{25}, "random initialisations, shared by all samplers");
    c.declare("init.mean_half_width", 5.0, "mu ~ U[-w, w]^2");
    c.declare("init.std_max", 4.0, "sigma ~ U[0, s]");
    c.declare("samplers", std::vector<std::string>{"rbf", "orbit-matrix", "orbit-scalar", "orbit-scalar-paper"},
              "sampler variants compared");
    c.declare("metrics.truth_samples", int64_t{5000}, "exact samples for E_pi[log pi] and MMD");
    declare_svgd_keys(c, 5000, 0.1, 0.25);
  }
  nlohmann::json quick_preset() const override { return {{"svgd.steps", 1500}, {"repeats", 10}}; }
  nlohmann::json run(const core::Config& c, const RunContext& ctx) const override {
    at::Generator gen = at::detail::createCPUGenerator(ctx.seed);
    auto target = std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(4, 3.0, 1.0, 0.2));
    auto problem = make_problem(target, std::make_shared<group::CyclicGroup>(4), c.get_int("metrics.truth_samples"), 6.5, gen);
    const int64_t n = c.get_int("particles"), repeats = c.get_int("repeats");
    if (n < 2) throw Error(ErrorKind::kConfig, "config key 'particles'", "must be >= 2");
    if (repeats < 1) throw Error(ErrorKind::kConfig, "config key 'repeats'", "must be >= 1");
    const auto options = svgd_options(c, ctx.seed);
    const double w = c.get_double("init.mean_half_width"), smax = c.get_double("init.std_max");
    const auto samplers = c.get_strings("samplers");
    std::vector<std::vector<double>> final_lp(samplers.size()), final_mmd(samplers.size());
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t r = 0; r < repeats; ++r) {
      auto mu = -w + 2 * w * torch::rand({1, 2}, gen, torch::kFloat64);
      const double sigma = smax * torch::rand({1}, gen, torch::kFloat64).item<double>();
      auto X0 = mu + sigma * torch::randn({n, 2}, gen, torch::kFloat64);
      for (size_t s = 0; s < samplers.size(); ++s) {
        auto variant = make_variant(samplers[s], *problem.group, c, gen);
        auto run = run_variant(variant, *target, X0, options, 0,
                               "init " + std::to_string(r + 1) + "/" + std::to_string(repeats) + " " + samplers[s], ctx);
        auto m = variant_metrics(run, problem, gen);
        m["repeat"] = r;
        m["init_mean"] = to_vector(mu);
        m["init_std"] = sigma;
        final_lp[s].push_back(m["mean_log_prob"].get<double>());
        final_mmd[s].push_back(m["mmd2"].get<double>());
        rows.push_back(m);
      }
    }
    FigureData("final_log_prob_boxplot")
        .set("title", "Robustness to initialisation: C4 mixture, " + std::to_string(repeats) + " random inits")
        .set("truth_mean_log_prob", problem.truth_mean_log_prob)
        .set("samplers", samplers)
        .set("final_mean_log_prob", final_lp)
        .set("final_mmd2", final_mmd)
        .write(ctx.out_dir);
    nlohmann::json summary = nlohmann::json::array();
    for (size_t s = 0; s < samplers.size(); ++s) {
      auto lp = torch::tensor(final_lp[s], torch::kFloat64), mmd = torch::tensor(final_mmd[s], torch::kFloat64);
      summary.push_back({{"sampler", samplers[s]},
                         {"median_final_mean_log_prob", lp.median().item<double>()},
                         {"min_final_mean_log_prob", lp.min().item<double>()},
                         {"max_final_mean_log_prob", lp.max().item<double>()},
                         {"median_mmd2", mmd.median().item<double>()},
                         {"max_mmd2", mmd.max().item<double>()}});
    }
    core::write_text_atomic(ctx.out_dir + "/summary.md",
                            "# Robustness to initialisation (C4 mixture)\n\ntrue mean log pi: " +
                                std::to_string(problem.truth_mean_log_prob) + "\n\n" +
                                metrics_table(summary, {"sampler", "median_final_mean_log_prob", "min_final_mean_log_prob",
                                                        "max_final_mean_log_prob", "median_mmd2", "max_mmd2"}));
    return {{"summary", summary}, {"runs", rows}, {"true_mean_log_prob", problem.truth_mean_log_prob}};
  }
};

}  // namespace

std::shared_ptr<const Experiment> make_ablation_efficiency() { return std::make_shared<AblationEfficiency>(); }
std::shared_ptr<const Experiment> make_ablation_init() { return std::make_shared<AblationInit>(); }

}  // namespace esvgd::experiment
