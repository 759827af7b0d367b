#pragma once
/// Shared machinery of the toy sampling experiments (c4-gaussians, circles, spheres and the two
/// ablations): initial particles, running one sampler variant with a log π trace, its metrics, and
/// the figures (particles over the density, orbits unfolded, folded into the group-factorised space).
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "core/config.h"
#include "experiment/experiment.h"
#include "experiment/samplers.h"
#include "esvgd/group/group.h"
#include "esvgd/target/target.h"

namespace esvgd::experiment {

/// A sampling problem: an invariant target, its symmetry group and ground-truth samples.
struct ToyProblem {
  std::shared_ptr<target::Target> target;
  std::shared_ptr<group::Group> group;
  torch::Tensor truth;         ///< exact samples [T, D]
  double truth_mean_log_prob;  ///< E_π[log π] estimated from `truth`
  double metric_bandwidth;     ///< fixed h for MMD/KSD: the truth's median heuristic
  double plot_extent;          ///< figures show [-extent, extent]^2
};

/// Declares init.* keys: init.kind ("normal" or "uniform"), init.std, init.low, init.high.
void declare_init_keys(core::Config& config, const std::string& kind, double std, double low, double high);
/// N initial particles from the init.* keys (or --init, whose N wins); errors name the key/file.
torch::Tensor initial_particles(const core::Config& config, int64_t n, int64_t dim, const RunContext& ctx,
                                at::Generator& gen);

/// The truth sample and the fixed metric scales for a target.
ToyProblem make_problem(std::shared_ptr<target::Target> target, std::shared_ptr<group::Group> group,
                        int64_t truth_samples, double plot_extent, at::Generator& gen);

struct VariantRun {
  SamplerVariant variant;
  torch::Tensor particles;          ///< final particles [N, D]
  int64_t steps = 0;
  std::string stop_reason;
  double seconds = 0;
  double bandwidth = 0;             ///< h of the last step
  double interacting = -1;          ///< coupling diagnostic at the end (kernel/coupling.h)
  std::vector<double> trace_step;   ///< steps at which mean log π was recorded
  std::vector<double> trace_log_prob;
};

/// Runs one variant from X0 with the svgd.* options; records mean log π every trace_every steps.
VariantRun run_variant(const SamplerVariant& variant, const target::Target& target, const torch::Tensor& X0,
                       const sampler::SvgdOptions& options, int64_t trace_every, const std::string& label,
                       const RunContext& ctx);

/// One warning line on ctx.warnings when an SVGD run's kernel coupled no particles (fewer than 0.05
/// points within reach per particle at the end, kernel/coupling.h): then every particle moved alone.
void warn_if_uncoupled(const RunContext& ctx, const std::string& what, double interacting, double bandwidth);

/// Metrics of a run: mean log π (and its gap to the truth), MMD² and KSD² to the truth (particles
/// unfolded over their orbits for equivariant variants), steps, time; plus target-specific ones.
nlohmann::json variant_metrics(const VariantRun& run, const ToyProblem& problem, at::Generator& gen);

/// The data of the particle figure (figures/particles.json; drawn by python/esvgd/plot/sampling.py):
/// one row per variant, columns raw / orbits unfolded / folded (radius histogram for radial targets).
/// `name` is the file stem (several such figures in one run need distinct names).
void particles_figure(const std::string& out_dir, const std::vector<VariantRun>& runs, const ToyProblem& problem,
                      const std::string& title, const std::string& name = "particles");
/// The data of mean log π against steps for every run, with E_π[log π] (figures/log_prob_trace.json).
void log_prob_trace_figure(const std::string& out_dir, const std::vector<VariantRun>& runs, const ToyProblem& problem,
                           const std::string& title);

/// A Markdown table of the metric rows (one per variant) for summary.md.
std::string metrics_table(const nlohmann::json& rows, const std::vector<std::string>& columns);

/// Tensor → std::vector<double> (flattened).
std::vector<double> to_vector(const torch::Tensor& t);

}  // namespace esvgd::experiment
