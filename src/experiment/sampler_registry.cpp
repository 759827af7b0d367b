#include "experiment/sampler_registry.h"

#include "esvgd/core/error.h"
#include "esvgd/group/image_rotation_group.h"
#include "esvgd/group/molecule_group.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/kernel/group_averaged.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/particle_orbit.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/kernel/so2_orbit.h"
#include "esvgd/kernel/so3_orbit.h"

namespace esvgd::experiment {

namespace {

using group::ParticleInvariant;
using kernel::RepulsionForm;
constexpr double kPaperTemperature = 2.0;  // the authors' code doubles the repulsion (docs/method.md, "Paper parity")
constexpr auto kPoint = GroupFamily::kPoint, kParticles = GroupFamily::kParticles,
               kMolecules = GroupFamily::kMolecules, kImages = GroupFamily::kImages;

RepulsionForm form_of(bool paper) { return paper ? RepulsionForm::kReference : RepulsionForm::kTextbook; }

/// orbit_matrix.bandwidth, or h when it is 0.
double orbit_matrix_bandwidth(const core::Config& c, double h) {
  const double hm = c.get_double("orbit_matrix.bandwidth");
  if (hm < 0) throw Error(ErrorKind::kConfig, "config key 'orbit_matrix.bandwidth'", "must be >= 0 (0 = svgd.bandwidth)");
  return hm > 0 ? hm : h;
}

SamplerVariant rbf(const std::string& name, const VariantInputs& in, double T) {
  return {name, std::make_shared<kernel::RbfKernel>(in.bandwidth), T, 0.0, false};
}

/// The exact matrix orbit kernel: C_n images, the SO(2) and SO(3)/O(3) closed forms, O(2) by
/// quadrature; E(2) × S_P on centred particle coordinates.
SamplerVariant orbit_matrix(const VariantInputs& in) {
  const double h = orbit_matrix_bandwidth(in.config, in.bandwidth);
  if (in.family == kParticles) {
    const auto& particles = dynamic_cast<const group::ParticleGroup&>(in.group);
    return {"orbit-matrix", std::make_shared<kernel::ParticleOrbitKernel>(particles.particles(), h), in.temperature, 0.0,
            true};
  }
  const double em = in.config.get_double("orbit_matrix.step_size");
  if (em < 0) throw Error(ErrorKind::kConfig, "config key 'orbit_matrix.step_size'", "must be >= 0 (0 = svgd.step_size)");
  std::shared_ptr<const kernel::Kernel> k;
  if (in.group.is_finite()) {
    k = std::make_shared<kernel::OrbitMatrixKernel>(in.group, h, in.quadrature_nodes, in.gen);
  } else if (in.group.dim() == 2 && in.group.name() == "SO2") {
    k = std::make_shared<kernel::So2OrbitKernel>(h);
  } else if (in.group.dim() == 3) {
    k = std::make_shared<kernel::So3OrbitKernel>(h);  // O(3) gives the same kernel
  } else {
    k = std::make_shared<kernel::OrbitMatrixKernel>(in.group, h, in.quadrature_nodes, in.gen);  // O(2): quadrature
  }
  return {"orbit-matrix", k, in.temperature, em, true};
}

/// The RBF on an invariant of particle or molecule coordinates.
SamplerVariant on_invariant(const std::string& name, const VariantInputs& in, ParticleInvariant::Kind kind, bool paper) {
  const bool molecules = in.family == kMolecules;
  const auto* particles = dynamic_cast<const group::ParticleGroup*>(&in.group);
  const auto* molecule = dynamic_cast<const group::MoleculeGroup*>(&in.group);
  // Pair distances of molecules are sorted per element pair; the canonical form ignores species.
  const bool by_species = molecules && kind == ParticleInvariant::Kind::kPairDistances;
  const ParticleInvariant invariant(kind, molecules ? molecule->atoms() : particles->particles(), molecules ? 3 : 2,
                                    by_species ? molecule->species() : std::vector<int64_t>{});
  auto map = std::make_shared<kernel::ParticleMap>(invariant);
  return {name, std::make_shared<kernel::InvariantFeatureKernel>(map, in.bandwidth, form_of(paper)),
          paper ? kPaperTemperature : in.temperature, 0.0, true};
}

/// The scalar orbit kernel: the group average (finite groups, images included) or the radius
/// feature (O(n), SO(n)); the authors' canonical form for particles and molecules.
SamplerVariant orbit_scalar(const std::string& name, const VariantInputs& in, bool paper) {
  if (in.family == kParticles || in.family == kMolecules)
    return on_invariant(name, in, ParticleInvariant::Kind::kCanonical, paper);
  std::shared_ptr<const kernel::Kernel> k;
  if (in.group.is_finite())
    k = std::make_shared<kernel::GroupAveragedKernel>(in.group, in.bandwidth, form_of(paper), in.quadrature_nodes, in.gen);
  else
    k = std::make_shared<kernel::InvariantFeatureKernel>(std::make_shared<kernel::RadiusMap>(), in.bandwidth, form_of(paper));
  return {name, k, paper ? kPaperTemperature : in.temperature, 0.0, true};
}

std::vector<SamplerEntry>& registry() {
  static std::vector<SamplerEntry> entries{
      {"rbf", "plain RBF SVGD at temperature svgd.repulsion (textbook form)",
       {kPoint, kParticles, kMolecules, kImages},
       [](const VariantInputs& in) { return rbf("rbf", in, in.temperature); }},
      {"rbf-paper", "plain RBF SVGD with T = 2: the authors' regular SVGD",
       {kPoint, kParticles, kMolecules, kImages},
       [](const VariantInputs& in) { return rbf("rbf-paper", in, kPaperTemperature); }},
      {"orbit-matrix", "the exact matrix orbit kernel (default E-SVGD); own bandwidth/step via orbit_matrix.*",
       {kPoint, kParticles},
       orbit_matrix,
       {{kImages, "it needs a D x D matrix per particle pair"}}},
      {"orbit-scalar", "the scalar orbit kernel, textbook form: group average, radius feature or canonical form",
       {kPoint, kParticles, kMolecules, kImages},
       [](const VariantInputs& in) { return orbit_scalar("orbit-scalar", in, false); }},
      {"orbit-scalar-paper", "the scalar orbit kernel in the authors' reference form with T = 2 (paper parity)",
       {kPoint, kParticles, kMolecules, kImages},
       [](const VariantInputs& in) { return orbit_scalar("orbit-scalar-paper", in, true); }},
      {"pair-distances", "the RBF on the sorted pair distances (per element pair for molecules), textbook form",
       {kParticles, kMolecules},
       [](const VariantInputs& in) {
         return on_invariant("pair-distances", in, ParticleInvariant::Kind::kPairDistances, false);
       }},
      {"pair-distances-paper", "the pair-distance kernel in the reference form with T = 2",
       {kParticles, kMolecules},
       [](const VariantInputs& in) {
         return on_invariant("pair-distances-paper", in, ParticleInvariant::Kind::kPairDistances, true);
       }},
  };
  return entries;
}

}  // namespace

std::string to_string(GroupFamily family) {
  switch (family) {
    case GroupFamily::kPoint: return "points";
    case GroupFamily::kParticles: return "particle systems";
    case GroupFamily::kMolecules: return "molecules";
    case GroupFamily::kImages: return "images";
  }
  return "?";
}

GroupFamily family_of(const group::Group& group) {
  if (dynamic_cast<const group::ParticleGroup*>(&group)) return GroupFamily::kParticles;
  if (dynamic_cast<const group::MoleculeGroup*>(&group)) return GroupFamily::kMolecules;
  if (dynamic_cast<const group::ImageRotationGroup*>(&group)) return GroupFamily::kImages;
  return GroupFamily::kPoint;
}

void register_sampler(SamplerEntry entry) {
  for (const auto& e : registry())
    if (e.name == entry.name)
      throw Error(ErrorKind::kInvalidArgument, "sampler '" + entry.name + "'", "is registered already");
  registry().push_back(std::move(entry));
}

const std::vector<SamplerEntry>& samplers() { return registry(); }

std::string sampler_names(GroupFamily family) {
  std::string names;
  for (const auto& e : registry())
    if (std::find(e.families.begin(), e.families.end(), family) != e.families.end())
      names += (names.empty() ? "" : ", ") + e.name;
  return names;
}

}  // namespace esvgd::experiment
