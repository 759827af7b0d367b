#pragma once
/// Metrics that look at the symmetry: unfolding particles over their orbits, occupancy of symmetric
/// modes, and the KL divergence of the radius histogram for ring/sphere targets.
#include <vector>

#include <torch/types.h>

#include "esvgd/group/group.h"

namespace esvgd::target {
class RadialMixture;
}

namespace esvgd::metric {

/// Every particle replaced by its orbit: all |G| images for a finite group, `copies` Haar-random
/// images (the particle itself first) for a continuous one. Returns [N·copies or N·|G|, D].
torch::Tensor unfold(const group::Group& group, const torch::Tensor& X, int64_t copies, at::Generator& gen);

/// Fraction of particles whose nearest mode (row of means [K, D]) is k: [K] summing to 1.
std::vector<double> mode_occupancy(const torch::Tensor& X, const torch::Tensor& means);

/// Total-variation distance ½ Σ_k |p_k − 1/K| of an occupancy to the uniform distribution.
double tv_to_uniform(const std::vector<double>& occupancy);

/// KL(true ‖ particles) of the radius histogram over `bins` equal bins on [0, r_max]: the true bin
/// masses integrate the target's radial marginal ∝ r^{D−1} p_r(r); the particle histogram gets
/// `pseudo_count` added to every bin so that empty bins keep the divergence finite.
double radial_kl(const torch::Tensor& X, const target::RadialMixture& target, int64_t bins, double r_max,
                 double pseudo_count = 0.5);

/// Fraction of particles nearest to each ring/sphere radius, and the true masses under π.
std::vector<double> ring_fractions(const torch::Tensor& X, const std::vector<double>& radii);
std::vector<double> true_ring_masses(const target::RadialMixture& target);

}  // namespace esvgd::metric
