#pragma once
/// E(2) × S_P on systems of P particles in the plane (DW-4): rotations and reflections of the plane
/// applied to every particle, permutations of the particles, and translations. The linear part
/// O(2) × S_P acts on rows [N, 2P] as 2P × 2P matrices; translations are removed by centring
/// (kernels and invariant maps centre internally). Samplers pick their particle kernels from it
/// (src/experiment/samplers.h); fold() is the authors' canonical form.
#include <vector>

#include "esvgd/group/group.h"
#include "esvgd/group/particle_invariant.h"

namespace esvgd::group {

/// The (d·P) × (d·P) matrix of x_i ↦ Q x_perm[i] on rows of P flattened particles in R^d, Q [d, d]:
/// how both particle groups (E2xS<P>, E3xS<P>) act linearly.
torch::Tensor particle_matrix(const torch::Tensor& Q, const std::vector<int64_t>& perm);

class ParticleGroup : public Group {
 public:
  explicit ParticleGroup(int64_t particles);
  std::string name() const override { return "E2xS" + std::to_string(P_); }
  int64_t dim() const override { return 2 * P_; }
  bool is_finite() const override { return false; }
  int64_t particles() const { return P_; }
  /// A Haar-random rotation or reflection times a uniformly random permutation, [2P, 2P].
  torch::Tensor random_element(at::Generator& gen) const override;
  /// The authors' canonicalisation (centre, sort by radius, farthest particle onto +x).
  torch::Tensor fold(const torch::Tensor& X) const override;
  /// `count` rotations, each with and without the reflection, times every permutation.
  torch::Tensor quadrature(int64_t count, at::Generator& gen) const override;

 private:
  int64_t P_;
};

}  // namespace esvgd::group
