#include "esvgd/group/molecule_group.h"

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/group/particle_invariant.h"

namespace esvgd::group {

MoleculeGroup::MoleculeGroup(std::vector<int64_t> species) : species_(std::move(species)) {
  ESVGD_CHECK(atoms() >= 2 && atoms() <= ParticleInvariant::kMaxParticles, "a molecule group needs 2..",
              ParticleInvariant::kMaxParticles, " atoms, got ", atoms());
}

torch::Tensor MoleculeGroup::random_element(at::Generator& gen) const {
  // Haar on O(3): QR of a Gaussian matrix with the signs of R's diagonal moved into Q.
  auto qr = torch::linalg_qr(torch::randn({3, 3}, gen, torch::kFloat64));
  auto Q = std::get<0>(qr) * torch::sign(torch::diagonal(std::get<1>(qr))).unsqueeze(0);
  const int64_t P = atoms();
  std::vector<int64_t> perm(static_cast<size_t>(P));
  for (int64_t i = 0; i < P; ++i) perm[static_cast<size_t>(i)] = i;
  for (int64_t i = P - 1; i > 0; --i) {  // Fisher-Yates over the atoms of atom i's species
    std::vector<int64_t> same;
    for (int64_t j = 0; j <= i; ++j)
      if (species_[static_cast<size_t>(j)] == species_[static_cast<size_t>(i)]) same.push_back(j);
    const auto k = torch::randint(static_cast<int64_t>(same.size()), {1}, gen, torch::kLong).item<int64_t>();
    std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(same[static_cast<size_t>(k)])]);
  }
  return particle_matrix(Q, perm);
}

torch::Tensor MoleculeGroup::fold(const torch::Tensor& X) const {
  return ParticleInvariant(ParticleInvariant::Kind::kCanonical, atoms(), 3).features(X);
}

torch::Tensor MoleculeGroup::quadrature(int64_t, at::Generator&) const {
  throw Error(ErrorKind::kInvalidArgument, name(), "no finite quadrature of O(3) x S_species is implemented");
}

}  // namespace esvgd::group
