#include "experiment/toy.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <optional>
#include <iomanip>
#include <sstream>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "core/resources.h"
#include "esvgd/core/progress.h"
#include "esvgd/dist/communicator.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/metric/discrepancy.h"
#include "esvgd/metric/orbit_metrics.h"
#include "esvgd/sampler/particle_parallel.h"
#include "experiment/figure_data.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"

namespace esvgd::experiment {

namespace {
constexpr int64_t kMetricSubsample = 2000;  // truth points used by MMD (its cost is quadratic)
constexpr int64_t kUnfoldCopies = 16;       // random images per particle for continuous groups
constexpr int kDensityGrid = 160;           // density image resolution per axis
constexpr int kRadiusBins = 40;

const target::RadialMixture* as_radial(const target::Target& t) { return dynamic_cast<const target::RadialMixture*>(&t); }
const target::GaussianMixture* as_gmm(const target::Target& t) { return dynamic_cast<const target::GaussianMixture*>(&t); }

/// Density π on a grid over [-e, e]² [ny, nx] (only for 2-D targets).
torch::Tensor density_grid(const target::Target& t, double e) {
  auto xs = torch::linspace(-e, e, kDensityGrid, torch::kFloat64);
  auto grid = torch::meshgrid({xs, xs}, "xy");
  auto pts = torch::stack({grid[0].reshape(-1), grid[1].reshape(-1)}, 1);
  return torch::exp(t.log_prob(pts)).reshape({kDensityGrid, kDensityGrid});
}

/// The orbits of X for the middle column: every group image (finite groups), the radii (SO(2): drawn
/// as circles) or kUnfoldCopies random images each (SO(3)/O(3)).
void add_orbits(FigureData& fig, const std::string& key, const ToyProblem& p, const torch::Tensor& X, at::Generator& gen) {
  if (p.group->is_finite()) fig.array(key + "/unfolded", metric::unfold(*p.group, X, 1, gen));
  else if (X.size(1) == 2) fig.array(key + "/orbit_radii", X.norm(2, 1));
  else fig.array(key + "/unfolded", metric::unfold(*p.group, X, kUnfoldCopies, gen));
}
}  // namespace

std::vector<double> to_vector(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous().reshape(-1);
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

void declare_init_keys(core::Config& c, const std::string& kind, double std, double low, double high) {
  c.declare("init.kind", kind, "initial particles: normal (N(0, std² I)) or uniform (U[low, high)^D)");
  c.declare("init.std", std, "standard deviation of the normal init (the code's N(0, 2²I) for C4)");
  c.declare("init.low", low, "lower bound of the uniform init");
  c.declare("init.high", high, "upper bound of the uniform init");
}

torch::Tensor initial_particles(const core::Config& c, int64_t n, int64_t dim, const RunContext& ctx,
                                at::Generator& gen) {
  if (!ctx.init_path.empty()) return core::read_particles(ctx.init_path, dim);
  if (n < 1) throw Error(ErrorKind::kConfig, "config key 'particles'", "must be >= 1");
  core::require_memory("particles", 16.0 * 8 * static_cast<double>(n) * static_cast<double>(dim),
                       "the particles and their SVGD buffers");
  const std::string kind = c.get_string("init.kind");
  if (kind == "normal") return c.get_positive("init.std") * torch::randn({n, dim}, gen, torch::kFloat64);
  if (kind == "uniform") {
    const double lo = c.get_double("init.low"), hi = c.get_double("init.high");
    if (!(hi > lo)) throw Error(ErrorKind::kConfig, "config key 'init.high'", "must be > init.low");
    return lo + (hi - lo) * torch::rand({n, dim}, gen, torch::kFloat64);
  }
  throw Error(ErrorKind::kConfig, "config key 'init.kind'", "unknown init '" + kind + "' (expected normal or uniform)");
}

ToyProblem make_problem(std::shared_ptr<target::Target> target, std::shared_ptr<group::Group> group,
                        int64_t truth_samples, double plot_extent, at::Generator& gen) {
  if (truth_samples < 2) throw Error(ErrorKind::kConfig, "config key 'metrics.truth_samples'", "must be >= 2");
  core::require_memory("metrics.truth_samples", 8.0 * 8 * static_cast<double>(truth_samples) * target->dim(),
                       "the exact target samples and their log densities");
  ToyProblem p{target, group, target->sample(truth_samples, gen), 0, 0, plot_extent};
  p.truth_mean_log_prob = target->log_prob(p.truth).mean().item<double>();
  p.metric_bandwidth = metric::reference_bandwidth(p.truth.narrow(0, 0, std::min<int64_t>(kMetricSubsample, truth_samples)));
  return p;
}

namespace {

/// SVGD from X0 in one process, or with the particles split over the ranks of ctx.comm (every rank
/// gets the same result; sampler/particle_parallel.h).
sampler::ChainResult run_svgd(const kernel::Kernel& kernel, const target::Target& target, const torch::Tensor& X0,
                              const sampler::SvgdOptions& opts, const RunContext& ctx,
                              const std::function<void(int64_t, double)>& record, int64_t trace_every,
                              core::Progress& progress) {
  std::optional<dist::RankExchange> exchange;
  if (ctx.comm && ctx.comm->size() > 1) exchange.emplace(*ctx.comm, X0.size(0));
  const auto mean_log_prob = [&](const torch::Tensor& X) {
    if (!exchange) return target.log_prob(X).mean().item<double>();
    // Every rank takes part in the sum over all N.
    const auto own = target.log_prob(X).sum().to(torch::kFloat64).reshape({1});
    return exchange->sum(own)[0].item<double>() / static_cast<double>(X0.size(0));
  };
  const sampler::Callback trace = [&](const sampler::StepInfo& info, const torch::Tensor& X) {
    if (trace_every > 0 && (info.step + 1) % trace_every == 0) record(info.step + 1, mean_log_prob(X));
    return true;
  };
  const auto score = target::score_fn(target);
  auto state = sampler::init(exchange ? exchange->own_rows(X0) : X0, kernel, opts);
  return exchange ? sampler::run(state, score, kernel, opts, *exchange, trace, &progress)
                  : sampler::run(state, score, kernel, opts, trace, &progress);
}

}  // namespace

VariantRun run_variant(const SamplerVariant& variant, const target::Target& target, const torch::Tensor& X0,
                       const sampler::SvgdOptions& options, int64_t trace_every, const std::string& label,
                       const RunContext& ctx) {
  auto opts = options;
  opts.temperature(variant.temperature);
  if (variant.step_size > 0) opts.optimizer().step_size(variant.step_size);
  VariantRun run{variant, {}, 0, "", 0, 0, -1, {}, {}};
  auto record = [&](int64_t step, double mean_log_prob) {
    run.trace_step.push_back(static_cast<double>(step));
    run.trace_log_prob.push_back(mean_log_prob);
  };
  record(0, target.log_prob(X0).mean().item<double>());
  core::Progress progress(label, opts.max_steps(), ctx.log);
  const auto t0 = std::chrono::steady_clock::now();
  const auto result = run_svgd(*variant.kernel, target, X0, opts, ctx, record, trace_every, progress);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.finish();
  run.particles = result.particles;
  run.steps = result.steps;
  run.stop_reason = sampler::to_string(result.stop_reason);
  run.bandwidth = result.bandwidth;
  run.interacting = result.interacting;
  warn_if_uncoupled(ctx, label, result.interacting, result.bandwidth);
  if (run.trace_step.back() != static_cast<double>(run.steps))
    record(run.steps, target.log_prob(run.particles).mean().item<double>());
  return run;
}

void warn_if_uncoupled(const RunContext& ctx, const std::string& what, double interacting, double h) {
  constexpr double kUncoupled = 0.05;  // below this, SVGD is independent gradient ascent on log π
  if (ctx.warnings && interacting >= 0 && interacting < kUncoupled)
    *ctx.warnings << "esvgd: warning: " << what << ": the kernel coupled no particles (" << interacting
                  << " points within reach per particle at h = " << h
                  << "), so SVGD ran as independent gradient ascent; try svgd.median = true or a larger bandwidth\n";
}

nlohmann::json variant_metrics(const VariantRun& run, const ToyProblem& p, at::Generator& gen) {
  const auto& X = run.particles;
  nlohmann::json m;
  m["sampler"] = run.variant.name;
  m["kernel"] = run.variant.kernel ? run.variant.kernel->name() : "none";  // MCMC rows have none
  m["repulsion_temperature"] = run.variant.temperature;
  m["bandwidth"] = run.bandwidth;
  m["interacting"] = run.interacting;
  if (run.variant.step_size > 0) m["step_size"] = run.variant.step_size;
  m["particles"] = X.size(0);
  m["steps"] = run.steps;
  m["stop_reason"] = run.stop_reason;
  m["seconds"] = run.seconds;
  m["ms_per_step"] = run.steps > 0 ? 1e3 * run.seconds / run.steps : 0.0;
  const double mlp = p.target->log_prob(X).mean().item<double>();
  m["mean_log_prob"] = mlp;
  m["true_mean_log_prob"] = p.truth_mean_log_prob;
  m["log_prob_gap"] = mlp - p.truth_mean_log_prob;
  // The equivariant sampler's particles stand for their orbits: compare the unfolded set.
  auto rep = run.variant.equivariant ? metric::unfold(*p.group, X, kUnfoldCopies, gen) : X;
  m["unfolded_for_metrics"] = run.variant.equivariant;
  auto truth = p.truth.narrow(0, 0, std::min<int64_t>(kMetricSubsample, p.truth.size(0)));
  m["mmd2"] = X.size(0) >= 2 ? metric::mmd2(rep, truth, p.metric_bandwidth) : NAN;
  m["ksd2"] = rep.size(0) >= 2 ? metric::ksd2(rep, p.target->score(rep), p.metric_bandwidth) : NAN;
  m["metric_bandwidth"] = p.metric_bandwidth;
  if (const auto* gmm = as_gmm(*p.target)) {
    const auto occ = metric::mode_occupancy(X, gmm->means());
    m["mode_occupancy"] = occ;
    m["mode_tv_to_uniform"] = metric::tv_to_uniform(occ);
  }
  if (const auto* rad = as_radial(*p.target)) {
    const double r_max = *std::max_element(rad->radii().begin(), rad->radii().end()) + 6 * rad->width();
    m["radial_kl"] = metric::radial_kl(X, *rad, kRadiusBins / 2, r_max);
    m["ring_fractions"] = metric::ring_fractions(X, rad->radii());
    m["true_ring_masses"] = metric::true_ring_masses(*rad);
  }
  return m;
}

void particles_figure(const std::string& out_dir, const std::vector<VariantRun>& runs, const ToyProblem& p,
                      const std::string& title, const std::string& name) {
  const int64_t D = p.target->dim();
  FigureData fig(name);
  fig.set("kind", "particles").set("title", title).set("dim", D).set("extent", p.plot_extent).set("group", p.group->name());
  if (D == 2) fig.array("density", density_grid(*p.target, p.plot_extent));
  if (const auto* rad = as_radial(*p.target)) {
    const double r_max = *std::max_element(rad->radii().begin(), rad->radii().end()) + 6 * rad->width();
    auto r = torch::linspace(0, r_max, 400, torch::kFloat64);
    fig.set("radius_bins", kRadiusBins).array("radius_grid", r).array("radius_density", rad->radius_marginal(r));
  }
  at::Generator gen = at::detail::createCPUGenerator(0);
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto key = "rows/" + std::to_string(i);
    const auto& X = runs[i].particles;
    fig.set(key + "/sampler", runs[i].variant.name).array(key + "/particles", X);
    add_orbits(fig, key, p, X, gen);
    fig.array(key + "/folded", as_radial(*p.target) ? X.norm(2, 1) : p.group->fold(X));
  }
  fig.write(out_dir);
}

void log_prob_trace_figure(const std::string& out_dir, const std::vector<VariantRun>& runs, const ToyProblem& p,
                           const std::string& title) {
  FigureData fig("log_prob_trace");
  fig.set("title", title).set("truth_mean_log_prob", p.truth_mean_log_prob);
  for (size_t i = 0; i < runs.size(); ++i)
    fig.set("rows/" + std::to_string(i), {{"sampler", runs[i].variant.name}, {"step", runs[i].trace_step},
                                          {"mean_log_prob", runs[i].trace_log_prob}});
  fig.write(out_dir);
}

std::string metrics_table(const nlohmann::json& rows, const std::vector<std::string>& columns) {
  std::ostringstream os;
  os << "|";
  for (const auto& c : columns) os << " " << c << " |";
  os << "\n|";
  for (size_t i = 0; i < columns.size(); ++i) os << "---|";
  os << "\n";
  for (const auto& row : rows) {
    os << "|";
    for (const auto& c : columns) {
      os << " ";
      if (!row.contains(c)) os << "-";
      else if (row[c].is_number_float()) {
        const double v = row[c].get<double>();
        if (std::abs(v) >= 1000 && std::abs(v) < 1e12) os << std::fixed << std::setprecision(0) << v << std::defaultfloat;
        else os << std::setprecision(4) << v;
      }
      else if (row[c].is_string()) os << row[c].get<std::string>();
      else if (row[c].is_array() && !row[c].empty() && row[c][0].is_number_float()) {
        os << "[";  // short, like the scalar columns
        for (size_t k = 0; k < row[c].size(); ++k) os << (k ? ", " : "") << std::setprecision(3) << row[c][k].get<double>();
        os << "]";
      } else os << row[c].dump();
      os << " |";
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace esvgd::experiment
