#pragma once
/// Invariant maps of particle systems: P particles in R^d, a row x = (x1, y1, x2, y2, ...) [P·d].
/// They make energies and kernels invariant under E(d) × S_P (docs/method.md, "DW-4": invariant maps):
///
///   canonical       the authors' map (d = 2 or 3): subtract the centre of mass, sort the particles by
///                   their distance from it, rotate (properly) so that the farthest lies on +x; F = P·d.
///                   In 2-D invariant under translations, rotations and permutations, not reflections.
///                   In 3-D (QM9) the rotation is the Rodrigues rotation taking the farthest particle's
///                   direction u onto +x, so the rotation about x is left free: invariant under
///                   translations and permutations only (as the authors' ScalarParticleKernel).
///                   Ties: the sort is stable, so particles at equal radius keep their index order and
///                   the farthest is the last of them; with every particle at the centre there is
///                   no rotation. The map jumps where radii tie (and in 3-D where u = −x).
///   pair-distances  the P(P−1)/2 pair distances, sorted: invariant under E(d) × S_P, reflections
///                   included, and continuous everywhere (sorting values does not jump). Complete for
///                   generic configurations; rare "homometric" sets share their distances. With
///                   species (atom types), the distances are sorted within each species pair
///                   (C–C, C–H, ...; blocks in order of the species values): invariant under
///                   E(d) × the permutations of equal species only, as a molecule's energy.
///
/// Each row runs as a plain loop (forward, then backward = J_fᵀ g with what forward left in the
/// scratch), so that samplers and frozen energies call them without tensor ops;
/// features_autograd() is the same map in torch ops, differentiable, used as the reference.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace esvgd::group {

class ParticleInvariant {
 public:
  enum class Kind { kCanonical, kPairDistances };
  /// Errors for canonical with d ∉ {2, 3}, for more than kMaxParticles particles, and for species
  /// that are not one per particle or are given to the canonical map (which ignores them).
  ParticleInvariant(Kind kind, int64_t particles, int64_t particle_dim, std::vector<int64_t> species = {});
  static constexpr int64_t kMaxParticles = 64;

  Kind kind() const { return kind_; }
  std::string name() const;
  int64_t particles() const { return P_; }
  int64_t particle_dim() const { return d_; }
  /// One species value per particle, or empty (all alike).
  const std::vector<int64_t>& species() const { return species_; }
  int64_t input_dim() const { return P_ * d_; }
  int64_t feature_dim() const;
  /// Doubles per row that forward() leaves for backward().
  int64_t scratch_size() const;

  /// f(x) [F] of one row x [P·d].
  void forward(const double* x, double* f, double* scratch) const;
  /// gx = J_f(x)ᵀ gf [P·d], after forward() filled `scratch` for the same row.
  void backward(const double* x, const double* gf, const double* scratch, double* gx) const;

  /// f(X) [N, F] in X's dtype (CPU loops, no autograd).
  torch::Tensor features(const torch::Tensor& X) const;
  /// J_f(X) [N, F, P·d] in X's dtype.
  torch::Tensor jacobian(const torch::Tensor& X) const;
  /// J_f(x_n)ᵀ g_n for every row: X [N, P·d], G [N, F] → [N, P·d] in X's dtype.
  torch::Tensor vjp(const torch::Tensor& X, const torch::Tensor& G) const;
  /// f(X) and the function G ↦ J_f(x_n)ᵀ g_n at the same rows, from one forward pass (each row's
  /// scratch is kept for the products); both in float64, the loops' precision. The function uses
  /// this map: it must not outlive it.
  using Vjp = std::function<torch::Tensor(const torch::Tensor&)>;
  std::pair<torch::Tensor, Vjp> linearize(const torch::Tensor& X) const;
  /// f(X) in torch ops with autograd (the reference for the loops above).
  torch::Tensor features_autograd(const torch::Tensor& X) const;

 private:
  void check_rows(const torch::Tensor& X) const;
  void forward_canonical3(const double* x, double* f, double* scratch) const;
  void backward_canonical3(const double* x, const double* gf, const double* scratch, double* gx) const;
  Kind kind_;
  int64_t P_, d_;
  std::vector<int64_t> species_;
  /// pair-distances: pair indices (i < j, row-major) grouped by species block; block b holds
  /// block_pairs_[block_start_[b] .. block_start_[b + 1]).
  std::vector<int> block_pairs_, block_start_;
  /// pair-distances: the particles (i, j) of pair p in row-major order.
  std::vector<int> pair_i_, pair_j_;
};

/// "canonical" or "pair-distances"; errors list the accepted names.
ParticleInvariant::Kind parse_particle_invariant(const std::string& name);

}  // namespace esvgd::group
