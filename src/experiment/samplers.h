#pragma once
/// The sampler variants the experiments compare, built by name from the config. The names, their
/// one-line docs and where each is defined are in the registry (sampler_registry.h; `esvgd list`).
/// Particle systems (group E2xS<P>, DW-4): orbit-scalar(-paper) is the RBF on the authors'
/// canonical form, pair-distances(-paper) the RBF on the sorted pair distances, and orbit-matrix the
/// exact O(2) × S_P orbit kernel on centred coordinates (kernel/particle_orbit.h). Molecules (group
/// E3xS<P>, QM9): orbit-scalar(-paper) on the authors' 3-D canonical form, pair-distances(-paper) on
/// the pair distances sorted per element pair. Images (group C4(SxS), FashionMNIST): orbit-scalar(-paper)
/// is the C4-averaged RBF over the 4 pixel rotations; orbit-matrix is not offered.
#include <memory>
#include <string>

#include "core/config.h"
#include "esvgd/group/group.h"
#include "esvgd/kernel/kernel.h"
#include "esvgd/sampler/svgd.h"

namespace esvgd::experiment {

struct SamplerVariant {
  std::string name;                        ///< as in the config list
  std::shared_ptr<const kernel::Kernel> kernel;
  double temperature = 1.0;
  double step_size = 0.0;                  ///< overrides svgd.step_size when > 0
  bool equivariant = false;                ///< orbit kernel: metrics unfold its particles
};

/// Builds a variant from the svgd.* keys (bandwidth, repulsion, quadrature_nodes) and, for
/// orbit-matrix, the orbit_matrix.* overrides: its h measures distances in the plane between x and
/// the rotated R y, not between orbits, and for a continuous group its kernel mass shrinks like
/// h/|x|, so it usually needs its own bandwidth and step size. Unknown names are
/// esvgd::Error(kConfig) listing the registered ones defined for the group's family.
SamplerVariant make_variant(const std::string& name, const group::Group& group, const core::Config& config,
                            at::Generator& gen);

/// Declares the svgd.* keys with the given paper defaults, and orbit_matrix.bandwidth/step_size
/// (0 = use the svgd.* value).
void declare_svgd_keys(core::Config& config, int64_t steps, double step_size, double bandwidth,
                       double orbit_matrix_bandwidth = 0.0, double orbit_matrix_step_size = 0.0);
/// SvgdOptions from the svgd.* keys (errors name the key).
sampler::SvgdOptions svgd_options(const core::Config& config, uint64_t seed);

}  // namespace esvgd::experiment
