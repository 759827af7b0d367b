#include "experiment/toy.h"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "core/resources.h"
#include "esvgd/core/progress.h"
#include "esvgd/metric/discrepancy.h"
#include "esvgd/metric/orbit_metrics.h"
#include "plot/figure.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"

namespace esvgd::experiment {

namespace {
constexpr int64_t kMetricSubsample = 2000;  // truth points used by MMD (its cost is quadratic)
constexpr int64_t kUnfoldCopies = 16;       // random images per particle for continuous groups
constexpr int kDensityGrid = 160;           // density image resolution per axis
constexpr int kRadiusBins = 40;
constexpr int kOrbitSegments = 96;          // polyline segments of an unfolded SO(2) orbit

plot::Color variant_color(const std::string& name) {
  if (name == "rbf") return plot::palette(0);
  if (name == "rbf-paper") return plot::palette(7);
  if (name == "orbit-matrix") return plot::palette(3);
  if (name == "orbit-scalar") return plot::palette(2);
  return plot::palette(1);
}

const target::RadialMixture* as_radial(const target::Target& t) { return dynamic_cast<const target::RadialMixture*>(&t); }
const target::GaussianMixture* as_gmm(const target::Target& t) { return dynamic_cast<const target::GaussianMixture*>(&t); }

/// Density π on a grid over [-e, e]², row-major [ny][nx] (only for 2-D targets).
std::vector<double> density_grid(const target::Target& t, double e) {
  auto xs = torch::linspace(-e, e, kDensityGrid, torch::kFloat64);
  auto grid = torch::meshgrid({xs, xs}, "xy");
  auto pts = torch::stack({grid[0].reshape(-1), grid[1].reshape(-1)}, 1);
  return to_vector(torch::exp(t.log_prob(pts)));
}

void scatter_xy(plot::Axes& ax, const torch::Tensor& X, plot::Color c, double radius, const std::string& label = "") {
  ax.scatter(to_vector(X.select(1, 0)), to_vector(X.select(1, 1)), c, radius, label);
}

void density_background(plot::Axes& ax, const ToyProblem& p, const std::vector<double>& dens) {
  const double e = p.plot_extent;
  ax.contourf(dens, kDensityGrid, kDensityGrid, -e, e, -e, e, 8, plot::Colormap::kGreys);
  ax.set_xlim(-e, e);
  ax.set_ylim(-e, e);
  ax.set_equal_aspect(true);
}

/// Radius histogram of X against the target's radial marginal.
void radius_panel(plot::Axes& ax, const torch::Tensor& X, const target::RadialMixture& t, plot::Color c) {
  const double r_max = *std::max_element(t.radii().begin(), t.radii().end()) + 6 * t.width();
  ax.histogram(to_vector(X.norm(2, 1)), kRadiusBins, 0, r_max, c, "particles");
  auto r = torch::linspace(0, r_max, 400, torch::kFloat64);
  ax.line(to_vector(r), to_vector(t.radius_marginal(r)), {0, 0, 0}, 1.5, "true radius density");
  ax.set_xlabel("radius |x|");
  ax.set_xlim(0, r_max);
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

VariantRun run_variant(const SamplerVariant& variant, const target::Target& target, const torch::Tensor& X0,
                       const sampler::SvgdOptions& options, int64_t trace_every, const std::string& label,
                       const RunContext& ctx) {
  auto opts = options;
  opts.temperature(variant.temperature);
  if (variant.step_size > 0) opts.optimizer().step_size(variant.step_size);
  sampler::Svgd svgd(target::score_fn(target), variant.kernel, opts);
  VariantRun run{variant, {}, 0, "", 0, 0, -1, {}, {}};
  auto record = [&](int64_t step, const torch::Tensor& X) {
    run.trace_step.push_back(static_cast<double>(step));
    run.trace_log_prob.push_back(target.log_prob(X).mean().item<double>());
  };
  record(0, X0);
  core::Progress progress(label, opts.max_steps(), ctx.log);
  const auto t0 = std::chrono::steady_clock::now();
  auto result = svgd.run(X0, {}, [&](const sampler::StepInfo& info, const torch::Tensor& X) {
    if (trace_every > 0 && (info.step + 1) % trace_every == 0) record(info.step + 1, X);
    return true;
  }, &progress);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.finish();
  run.particles = result.particles;
  run.steps = result.steps;
  run.stop_reason = sampler::to_string(result.stop_reason);
  run.bandwidth = result.bandwidth;
  run.interacting = result.interacting;
  warn_if_uncoupled(ctx, label, result.interacting, result.bandwidth);
  if (run.trace_step.back() != static_cast<double>(run.steps)) record(run.steps, run.particles);
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
  m["kernel"] = run.variant.kernel->name();
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

void plot_particles(const std::string& path, const std::vector<VariantRun>& runs, const ToyProblem& p,
                    const std::string& title) {
  const int64_t D = p.target->dim();
  plot::Figure fig(static_cast<int>(runs.size()), 3, 330, 300);
  fig.set_title(title);
  const auto* rad = as_radial(*p.target);
  const std::vector<double> dens = D == 2 ? density_grid(*p.target, p.plot_extent) : std::vector<double>{};
  at::Generator gen = at::detail::createCPUGenerator(0);
  for (size_t r = 0; r < runs.size(); ++r) {
    const auto& run = runs[r];
    const auto c = variant_color(run.variant.name);
    const auto& X = run.particles;
    const int row = static_cast<int>(r);
    // Column 0: the particles themselves.
    auto& raw = fig.axes(row, 0);
    if (D == 2) density_background(raw, p, dens);
    scatter_xy(raw, X, c, 3.0);
    raw.set_title(run.variant.name + ": particles" + (D == 3 ? " (x-y)" : ""));
    // Column 1: every particle's orbit.
    auto& unf = fig.axes(row, 1);
    if (D == 2) density_background(unf, p, dens);
    if (p.group->is_finite()) {
      scatter_xy(unf, metric::unfold(*p.group, X, 1, gen), c, 2.0);
    } else if (D == 2) {
      auto theta = torch::linspace(0, 2 * M_PI, kOrbitSegments + 1, torch::kFloat64);
      auto radii = X.norm(2, 1);
      for (int64_t i = 0; i < X.size(0); ++i) {
        const double ri = radii[i].item<double>();
        unf.line(to_vector(ri * torch::cos(theta)), to_vector(ri * torch::sin(theta)), plot::with_alpha(c, 0.5), 1.0);
      }
      scatter_xy(unf, X, c, 2.5);
    } else {
      scatter_xy(unf, metric::unfold(*p.group, X, kUnfoldCopies, gen), plot::with_alpha(c, 0.5), 1.5);
    }
    unf.set_title("orbits unfolded");
    // Column 2: the group-factorised space.
    auto& fold = fig.axes(row, 2);
    if (rad) {
      radius_panel(fold, X, *rad, c);
      fold.set_title("folded: radius");
    } else {
      density_background(fold, p, dens);
      scatter_xy(fold, p.group->fold(X), c, 3.0);
      fold.set_title("folded into the fundamental domain");
    }
    if (D == 3) {
      for (int col = 0; col < 2; ++col) {
        fig.axes(row, col).set_equal_aspect(true);
        fig.axes(row, col).set_xlim(-p.plot_extent, p.plot_extent);
        fig.axes(row, col).set_ylim(-p.plot_extent, p.plot_extent);
      }
    }
  }
  fig.save_png(path);
}

void plot_log_prob_traces(const std::string& path, const std::vector<VariantRun>& runs, const ToyProblem& p,
                          const std::string& title) {
  plot::Figure fig(1, 1, 560, 380);
  auto& ax = fig.axes(0, 0);
  for (const auto& run : runs) ax.line(run.trace_step, run.trace_log_prob, variant_color(run.variant.name), 1.5, run.variant.name);
  ax.hline(p.truth_mean_log_prob, {0, 0, 0}, "E_pi[log pi] (exact samples)");
  ax.set_xlabel("SVGD step");
  ax.set_ylabel("mean log pi(x_i)");
  ax.set_title(title);
  ax.legend(true, plot::LegendLocation::kBest);
  fig.save_png(path);
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
