#pragma once
/// The sampler variants that configs name (`combinations`, `samplers`, "e-ebm+e-svgd@NAME"), each
/// registered once with a one-line doc, the kinds of data it is defined for, and a factory.
/// make_variant (samplers.h), its errors and `esvgd list` read the names from here. A new kernel
/// family is one source file for the kernel and one register_sampler call (the built-in entries
/// are in sampler_registry.cpp; tests register their own).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "experiment/samplers.h"

namespace esvgd::experiment {

/// What symmetry an experiment's data has, read off its group.
enum class GroupFamily {
  kPoint,      ///< C_n, SO(n), O(n) acting on points of R^D (the toy experiments)
  kParticles,  ///< E(2) × S_P on P planar particles (DW-4)
  kMolecules,  ///< E(3) × S_species on molecules (QM9)
  kImages,     ///< C4 rotating S × S images (FashionMNIST)
};
/// "points", "particle systems", "molecules", "images".
std::string to_string(GroupFamily family);
GroupFamily family_of(const group::Group& group);

/// What a factory builds a variant from: the svgd.* bandwidth h, repulsion T and quadrature nodes,
/// and the config and generator for anything else it needs.
struct VariantInputs {
  const group::Group& group;
  GroupFamily family;
  const core::Config& config;
  double bandwidth;
  double temperature;
  int64_t quadrature_nodes;
  at::Generator& gen;
};

struct SamplerEntry {
  std::string name;
  std::string doc;                                       ///< one line
  std::vector<GroupFamily> families;                     ///< where it is defined
  std::function<SamplerVariant(const VariantInputs&)> make;  ///< returns a variant named `name`
  std::map<GroupFamily, std::string> unavailable = {};   ///< why it is not offered for a family
};

/// Adds an entry; a name registered twice is esvgd::Error(kInvalidArgument).
void register_sampler(SamplerEntry entry);
/// Every entry, the built-in ones first, in registration order.
const std::vector<SamplerEntry>& samplers();
/// The names defined for a family, comma-separated, for error messages and listings.
std::string sampler_names(GroupFamily family);

}  // namespace esvgd::experiment
