#include "experiment/samplers.h"

#include <algorithm>

#include "esvgd/core/error.h"
#include "experiment/sampler_registry.h"

namespace esvgd::experiment {

SamplerVariant make_variant(const std::string& name, const group::Group& group, const core::Config& c,
                            at::Generator& gen) {
  const GroupFamily family = family_of(group);
  const double h = c.get_positive("svgd.bandwidth"), T = c.get_double("svgd.repulsion");
  const int64_t nodes = c.get_int("svgd.quadrature_nodes");
  const std::string where = family == GroupFamily::kPoint ? "" : " for " + to_string(family);
  for (const auto& entry : samplers()) {
    if (entry.name != name) continue;
    if (auto reason = entry.unavailable.find(family); reason != entry.unavailable.end())
      throw Error(ErrorKind::kConfig, "samplers", name + " is not available for " + to_string(family) + " (" +
                                                      reason->second + "); use one of " + sampler_names(family));
    if (std::find(entry.families.begin(), entry.families.end(), family) == entry.families.end()) break;
    return entry.make({group, family, c, h, T, nodes, gen});
  }
  throw Error(ErrorKind::kConfig, "samplers",
              "unknown sampler '" + name + "'" + where + " (expected " + sampler_names(family) + ")");
}

void declare_svgd_keys(core::Config& c, int64_t steps, double step_size, double bandwidth, double om_bandwidth,
                       double om_step_size) {
  c.declare("orbit_matrix.bandwidth", om_bandwidth, "bandwidth of the orbit-matrix sampler (0 = svgd.bandwidth)");
  c.declare("orbit_matrix.step_size", om_step_size, "step size of the orbit-matrix sampler (0 = svgd.step_size)");
  c.declare("svgd.steps", steps, "maximum number of SVGD steps", {"SvgdOptions::max_steps"});
  c.declare("svgd.step_size", step_size, "step size ε of the particle optimiser", {"OptimizerOptions::step_size"});
  c.declare("svgd.optimizer", "sgd", "sgd (the paper), adagrad (Liu & Wang's code) or adam",
            {"OptimizerOptions::kind"});
  c.declare("svgd.bandwidth", bandwidth, "fixed kernel bandwidth h in exp(-d²/(2h²)) (on the kernel's features)");
  c.declare("svgd.median", false, "use the median heuristic 2h² = med(d²)/log(N+1) instead of the fixed h");
  c.declare("svgd.median_interval", int64_t{1}, "recompute the median bandwidth every this many steps",
            {"SvgdOptions::median_interval"});
  c.declare("svgd.median_max_pairs", int64_t{100000}, "exact median up to this many pairs, else a random subsample",
            {"SvgdOptions::median_max_pairs"});
  c.declare("svgd.normalize", "particles",
            "divide the Stein direction by the number of points M (particles, the paper) or by the kernel mass "
            "sum_j k(x_i, y_j) (kernel-mass: a lone particle steps eps * score whatever M is)");
  c.declare("svgd.langevin", false,
            "noisy SVGD: x <- x + eps (score + beta phi) + sigma sqrt(2 eps) xi (stationary law pi for sigma = 1)",
            {"SvgdOptions::langevin"});
  c.declare("svgd.langevin_noise", 1.0, "sigma of the noisy SVGD step", {"SvgdOptions::langevin_noise"});
  c.declare("svgd.stein_weight", 1.0, "beta, the weight of the Stein direction in the noisy SVGD step",
            {"SvgdOptions::stein_weight"});
  c.declare("svgd.clip", 0.0, "clip each particle's drift eps (score + beta phi) in the noisy SVGD step to this norm (0 = off)",
            {"SvgdOptions::clip"});
  c.declare("svgd.epsilon", 0.0, "stop when the mean particle displacement < ε (0 = run all steps)",
            {"SvgdOptions::epsilon"});
  c.declare("svgd.repulsion", 1.0, "repulsion temperature T for the textbook variants (the -paper variants use 2)",
            {"SvgdOptions::temperature"});
  c.declare("svgd.quadrature_nodes", int64_t{64}, "rotations in the quadrature of a continuous group without closed form");
  c.declare("svgd.anneal.schedule", "none", "annealed SVGD score weight: none, cyclical or tanh",
            {"AnnealOptions::schedule"});
  c.declare("svgd.anneal.steps", int64_t{0}, "length of the annealing phase", {"AnnealOptions::steps"});
  c.declare("svgd.anneal.cycles", int64_t{1}, "cycles of the cyclical schedule", {"AnnealOptions::cycles"});
  c.declare("svgd.anneal.power", 1.0, "exponent p of the schedule", {"AnnealOptions::power"});
}

namespace {
/// svgd.normalize: "particles" (divide φ by M) or "kernel-mass" (true).
bool kernel_mass_normalization(const core::Config& c) {
  const std::string normalize = c.get_string("svgd.normalize");
  if (normalize != "particles" && normalize != "kernel-mass")
    throw Error(ErrorKind::kConfig, "config key 'svgd.normalize'",
                "must be particles or kernel-mass, got '" + normalize + "'");
  return normalize == "kernel-mass";
}
}  // namespace

sampler::SvgdOptions svgd_options(const core::Config& c, uint64_t seed) {
  // One expression, read in order (C++17 evaluates a chain of calls left to right), so the first
  // bad key is the one reported.
  auto o = sampler::SvgdOptions()
               .optimizer(sampler::OptimizerOptions()
                              .kind(sampler::parse_optimizer_kind(c.get_string("svgd.optimizer")))
                              .step_size(c.get_positive("svgd.step_size")))
               .max_steps(c.get_int("svgd.steps"))
               .epsilon(c.get_double("svgd.epsilon"))
               .temperature(c.get_double("svgd.repulsion"))
               .median(c.get_bool("svgd.median"))
               .median_interval(c.get_int("svgd.median_interval"))
               .median_max_pairs(c.get_int("svgd.median_max_pairs"))
               .median_seed(seed)
               .kernel_mass(kernel_mass_normalization(c))
               .langevin(c.get_bool("svgd.langevin"))
               .langevin_noise(c.get_double("svgd.langevin_noise"))
               .stein_weight(c.get_double("svgd.stein_weight"))
               .clip(c.get_double("svgd.clip"))
               .anneal(sampler::AnnealOptions()
                           .schedule(sampler::parse_anneal_schedule(c.get_string("svgd.anneal.schedule")))
                           .steps(c.get_int("svgd.anneal.steps"))
                           .cycles(c.get_int("svgd.anneal.cycles"))
                           .power(c.get_double("svgd.anneal.power")));
  c.get_positive("svgd.bandwidth");  // validated here so the error names the key
  return o;
}

}  // namespace esvgd::experiment
