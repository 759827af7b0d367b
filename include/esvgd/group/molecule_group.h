#pragma once
/// E(3) × S_species on molecules of P atoms in space (QM9): rotations and reflections applied to
/// every atom, permutations among atoms of the same species (element), and translations. The
/// linear part acts on rows [N, 3P] as 3P × 3P matrices; translations are removed by centring
/// inside the invariant maps. Samplers pick the molecule kernels from it (src/experiment/samplers.h);
/// fold() is the authors' canonical form (centre, sort by radius, farthest atom onto +x).
#include <vector>

#include "esvgd/group/group.h"

namespace esvgd::group {

class MoleculeGroup : public Group {
 public:
  /// species: one value per atom (e.g. atomic numbers); errors for fewer than 2 or more than
  /// ParticleInvariant::kMaxParticles atoms.
  explicit MoleculeGroup(std::vector<int64_t> species);
  std::string name() const override { return "E3xS" + std::to_string(species_.size()); }
  int64_t dim() const override { return 3 * atoms(); }
  bool is_finite() const override { return false; }
  int64_t atoms() const { return static_cast<int64_t>(species_.size()); }
  const std::vector<int64_t>& species() const { return species_; }
  /// A Haar-random element of O(3) times a uniformly random permutation within each species, [3P, 3P].
  torch::Tensor random_element(at::Generator& gen) const override;
  /// The authors' canonical form (group/particle_invariant.h, d = 3).
  torch::Tensor fold(const torch::Tensor& X) const override;
  /// No finite quadrature of O(3) × S_species here: an error.
  torch::Tensor quadrature(int64_t count, at::Generator& gen) const override;

 private:
  std::vector<int64_t> species_;
};

}  // namespace esvgd::group
