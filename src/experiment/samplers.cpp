#include "experiment/samplers.h"

#include "esvgd/core/error.h"
#include "esvgd/kernel/group_averaged.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/particle_orbit.h"
#include "esvgd/group/image_rotation_group.h"
#include "esvgd/group/molecule_group.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/kernel/so2_orbit.h"
#include "esvgd/kernel/so3_orbit.h"

namespace esvgd::experiment {

namespace {
constexpr double kPaperTemperature = 2.0;  // the authors' code doubles the repulsion (docs/method.md, "Paper parity")

std::shared_ptr<kernel::Kernel> orbit_matrix_kernel(const group::Group& group, double h, int64_t nodes,
                                                    at::Generator& gen) {
  if (group.is_finite()) return std::make_shared<kernel::OrbitMatrixKernel>(group, h, nodes, gen);
  if (group.dim() == 2 && group.name() == "SO2") return std::make_shared<kernel::So2OrbitKernel>(h);
  if (group.dim() == 3) return std::make_shared<kernel::So3OrbitKernel>(h);  // O(3) gives the same kernel
  return std::make_shared<kernel::OrbitMatrixKernel>(group, h, nodes, gen);  // O(2): quadrature
}

std::shared_ptr<kernel::Kernel> orbit_scalar_kernel(const group::Group& group, double h, kernel::RepulsionForm form,
                                                    int64_t nodes, at::Generator& gen) {
  if (group.is_finite()) return std::make_shared<kernel::GroupAveragedKernel>(group, h, form, nodes, gen);
  return std::make_shared<kernel::InvariantFeatureKernel>(std::make_shared<kernel::RadiusMap>(), h, form);
}
/// orbit_matrix.bandwidth, or h when it is 0.
double orbit_matrix_bandwidth(const core::Config& c, double h) {
  const double hm = c.get_double("orbit_matrix.bandwidth");
  if (hm < 0) throw Error(ErrorKind::kConfig, "config key 'orbit_matrix.bandwidth'", "must be >= 0 (0 = svgd.bandwidth)");
  return hm > 0 ? hm : h;
}

/// The particle-system variants: the scalar kernels on an invariant map, the exact orbit kernel.
SamplerVariant particle_variant(const std::string& name, const group::ParticleGroup& group, const core::Config& c) {
  using group::ParticleInvariant;
  using kernel::RepulsionForm;
  const double h = c.get_positive("svgd.bandwidth"), T = c.get_double("svgd.repulsion");
  auto on_map = [&](ParticleInvariant::Kind kind, bool paper) -> SamplerVariant {
    auto map = std::make_shared<kernel::ParticleMap>(ParticleInvariant(kind, group.particles(), 2));
    return {name,
            std::make_shared<kernel::InvariantFeatureKernel>(map, h, paper ? RepulsionForm::kReference : RepulsionForm::kTextbook),
            paper ? kPaperTemperature : T, 0.0, true};
  };
  if (name == "orbit-scalar") return on_map(ParticleInvariant::Kind::kCanonical, false);
  if (name == "orbit-scalar-paper") return on_map(ParticleInvariant::Kind::kCanonical, true);
  if (name == "pair-distances") return on_map(ParticleInvariant::Kind::kPairDistances, false);
  if (name == "pair-distances-paper") return on_map(ParticleInvariant::Kind::kPairDistances, true);
  if (name == "orbit-matrix")
    return {name, std::make_shared<kernel::ParticleOrbitKernel>(group.particles(), orbit_matrix_bandwidth(c, h)), T, 0.0,
            true};
  throw Error(ErrorKind::kConfig, "samplers",
              "unknown sampler '" + name +
                  "' for particle systems (expected rbf, rbf-paper, orbit-scalar, orbit-scalar-paper, pair-distances, pair-distances-paper, "
                  "orbit-matrix)");
}

/// The molecule variants (QM9): the authors' canonical form (orbit-scalar) or the species-sorted
/// pair distances, each textbook or paper form. No exact orbit kernel for O(3) × S_species.
SamplerVariant molecule_variant(const std::string& name, const group::MoleculeGroup& group, const core::Config& c) {
  using group::ParticleInvariant;
  using kernel::RepulsionForm;
  const double h = c.get_positive("svgd.bandwidth"), T = c.get_double("svgd.repulsion");
  auto on_map = [&](ParticleInvariant invariant, bool paper) -> SamplerVariant {
    auto map = std::make_shared<kernel::ParticleMap>(std::move(invariant));
    return {name,
            std::make_shared<kernel::InvariantFeatureKernel>(map, h, paper ? RepulsionForm::kReference : RepulsionForm::kTextbook),
            paper ? kPaperTemperature : T, 0.0, true};
  };
  const ParticleInvariant canonical(ParticleInvariant::Kind::kCanonical, group.atoms(), 3);
  const ParticleInvariant distances(ParticleInvariant::Kind::kPairDistances, group.atoms(), 3, group.species());
  if (name == "orbit-scalar") return on_map(canonical, false);
  if (name == "orbit-scalar-paper") return on_map(canonical, true);
  if (name == "pair-distances") return on_map(distances, false);
  if (name == "pair-distances-paper") return on_map(distances, true);
  throw Error(ErrorKind::kConfig, "samplers",
              "unknown sampler '" + name +
                  "' for molecules (expected rbf, rbf-paper, orbit-scalar, orbit-scalar-paper, pair-distances, "
                  "pair-distances-paper)");
}
}  // namespace

SamplerVariant make_variant(const std::string& name, const group::Group& group, const core::Config& c,
                            at::Generator& gen) {
  using kernel::RepulsionForm;
  const double h = c.get_positive("svgd.bandwidth"), T = c.get_double("svgd.repulsion");
  const int64_t nodes = c.get_int("svgd.quadrature_nodes");
  if (name == "rbf") return {name, std::make_shared<kernel::RbfKernel>(h), T, 0.0, false};
  if (name == "rbf-paper") return {name, std::make_shared<kernel::RbfKernel>(h), kPaperTemperature, 0.0, false};
  if (const auto* particles = dynamic_cast<const group::ParticleGroup*>(&group))
    return particle_variant(name, *particles, c);
  if (const auto* molecules = dynamic_cast<const group::MoleculeGroup*>(&group))
    return molecule_variant(name, *molecules, c);
  if (name == "orbit-matrix" && dynamic_cast<const group::ImageRotationGroup*>(&group))
    throw Error(ErrorKind::kConfig, "samplers",
                "orbit-matrix is not available for images (it needs a D x D matrix per particle pair); use "
                "orbit-scalar or orbit-scalar-paper (the C4-averaged RBF)");
  if (name == "orbit-matrix") {
    const double em = c.get_double("orbit_matrix.step_size");
    if (em < 0) throw Error(ErrorKind::kConfig, "config key 'orbit_matrix.step_size'", "must be >= 0 (0 = svgd.step_size)");
    return {name, orbit_matrix_kernel(group, orbit_matrix_bandwidth(c, h), nodes, gen), T, em, true};
  }
  if (name == "orbit-scalar")
    return {name, orbit_scalar_kernel(group, h, RepulsionForm::kTextbook, nodes, gen), T, 0.0, true};
  if (name == "orbit-scalar-paper")
    return {name, orbit_scalar_kernel(group, h, RepulsionForm::kReference, nodes, gen), kPaperTemperature, 0.0, true};
  throw Error(ErrorKind::kConfig, "samplers",
              "unknown sampler '" + name + "' (expected rbf, rbf-paper, orbit-matrix, orbit-scalar, orbit-scalar-paper)");
}

void declare_svgd_keys(core::Config& c, int64_t steps, double step_size, double bandwidth, double om_bandwidth,
                       double om_step_size) {
  c.declare("orbit_matrix.bandwidth", om_bandwidth, "bandwidth of the orbit-matrix sampler (0 = svgd.bandwidth)");
  c.declare("orbit_matrix.step_size", om_step_size, "step size of the orbit-matrix sampler (0 = svgd.step_size)");
  c.declare("svgd.steps", steps, "maximum number of SVGD steps");
  c.declare("svgd.step_size", step_size, "step size ε of the particle optimiser");
  c.declare("svgd.optimizer", "sgd", "sgd (the paper), adagrad (Liu & Wang's code) or adam");
  c.declare("svgd.bandwidth", bandwidth, "fixed kernel bandwidth h in exp(-d²/(2h²)) (on the kernel's features)");
  c.declare("svgd.median", false, "use the median heuristic 2h² = med(d²)/log(N+1) instead of the fixed h");
  c.declare("svgd.median_interval", int64_t{1}, "recompute the median bandwidth every this many steps");
  c.declare("svgd.median_max_pairs", int64_t{100000}, "exact median up to this many pairs, else a random subsample");
  c.declare("svgd.normalize", "particles",
            "divide the Stein direction by the number of points M (particles, the paper) or by the kernel mass "
            "sum_j k(x_i, y_j) (kernel-mass: a lone particle steps eps * score whatever M is)");
  c.declare("svgd.langevin", false,
            "noisy SVGD: x <- x + eps (score + beta phi) + sigma sqrt(2 eps) xi (stationary law pi for sigma = 1)");
  c.declare("svgd.langevin_noise", 1.0, "sigma of the noisy SVGD step");
  c.declare("svgd.stein_weight", 1.0, "beta, the weight of the Stein direction in the noisy SVGD step");
  c.declare("svgd.clip", 0.0, "clip each particle's drift eps (score + beta phi) in the noisy SVGD step to this norm (0 = off)");
  c.declare("svgd.epsilon", 0.0, "stop when the mean particle displacement < ε (0 = run all steps)");
  c.declare("svgd.repulsion", 1.0, "repulsion temperature T for the textbook variants (the -paper variants use 2)");
  c.declare("svgd.quadrature_nodes", int64_t{64}, "rotations in the quadrature of a continuous group without closed form");
  c.declare("svgd.anneal.schedule", "none", "annealed SVGD score weight: none, cyclical or tanh");
  c.declare("svgd.anneal.steps", int64_t{0}, "length of the annealing phase");
  c.declare("svgd.anneal.cycles", int64_t{1}, "cycles of the cyclical schedule");
  c.declare("svgd.anneal.power", 1.0, "exponent p of the schedule");
}

sampler::SvgdOptions svgd_options(const core::Config& c, uint64_t seed) {
  sampler::SvgdOptions o;
  o.optimizer.kind = c.get_string("svgd.optimizer");
  o.optimizer.step_size = c.get_positive("svgd.step_size");
  o.max_steps = c.get_int("svgd.steps");
  o.epsilon = c.get_double("svgd.epsilon");
  o.temperature = c.get_double("svgd.repulsion");
  o.median = c.get_bool("svgd.median");
  o.median_interval = c.get_int("svgd.median_interval");
  o.median_max_pairs = c.get_int("svgd.median_max_pairs");
  o.median_seed = seed;
  const std::string normalize = c.get_string("svgd.normalize");
  if (normalize != "particles" && normalize != "kernel-mass")
    throw Error(ErrorKind::kConfig, "config key 'svgd.normalize'",
                "must be particles or kernel-mass, got '" + normalize + "'");
  o.kernel_mass = normalize == "kernel-mass";
  o.langevin = c.get_bool("svgd.langevin");
  o.langevin_noise = c.get_double("svgd.langevin_noise");
  o.stein_weight = c.get_double("svgd.stein_weight");
  o.clip = c.get_double("svgd.clip");
  o.anneal.schedule = c.get_string("svgd.anneal.schedule");
  o.anneal.steps = c.get_int("svgd.anneal.steps");
  o.anneal.cycles = c.get_int("svgd.anneal.cycles");
  o.anneal.power = c.get_double("svgd.anneal.power");
  c.get_positive("svgd.bandwidth");  // validated here so the error names the key
  return o;
}

}  // namespace esvgd::experiment
