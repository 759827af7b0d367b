#pragma once
/// The exact matrix orbit kernel for P particles in the plane under O(2) × S_P (rotations and
/// reflections of the plane acting on every particle, times permutations of the particles), with
/// translations removed by centring C (subtract the mean particle). Points are flattened
/// x = (x1, y1, x2, y2, ...) ∈ R^{2P}.
///
/// The group is R_θ h for θ ∈ [0, 2π) and h in the finite set H = {F^ε P_π} (P! permutations, times
/// the reflection F: (x, y) → (x, −y) of every particle when reflections are on):
///
///   K(x, y) = (1/|H|) Σ_h (1/2π) ∫ k(Cx, R_θ h Cy) R_θ h dθ.
///
/// The θ integral is closed-form (as for SO(2), so2_orbit.h). With x̃ = Cx, z = h Cy,
/// a = Σ_p x̃_p·z_p, b = Σ_p x̃_p × z_p (so x̃ᵀR_θ z = ρ cos(θ − β)), ρ = |(a, b)|, β = atan2(b, a),
/// d² = |x̃|² + |z|² − 2ρ (the orbit distance) and u = ρ/h²:
///
///   (1/2π) ∫ k(x̃, R_θ z) R_θ dθ = e^{−d²/(2h²)} I₁ₑ(u) R_β,    div_y: e^{−d²/(2h²)} [I₀ₑ(u) x̃ − I₁ₑ(u) R_β z]/h²,
///
/// so that, with w_ν = e^{−d²/(2h²)} I_νe(u),
///
///   φ(x_i) = 1/(M|H|) Σ_j Σ_h [ w₁ R_β h (s_j − T ỹ_j/h²) + T w₀ x̃_i/h² ].
///
/// φ(gX + t) = g φ(X) for g ∈ O(2) × S_P and a translation t applied to every row of X, Y (scores
/// g S), with or without reflections in H (F normalises SO(2) × S_P). What the reflections add is
/// the per-particle symmetry: moving one y_j to g y_j + t (score g s_j) leaves every other update
/// unchanged exactly when g is in the kernel's group.
///
/// Plain double loops over (i, j, h), parallel over rows; pairs and elements whose e^{−d²/(2h²)}
/// underflows are skipped. P ≤ 8 (|H| = 2·P! grows fast: P = 4 gives 48).
#include <cstdint>
#include <vector>

#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

class ParticleOrbitKernel : public Kernel {
 public:
  static constexpr int64_t kMaxParticles = 8;

  /// Throws esvgd::Error unless 2 ≤ num_particles ≤ kMaxParticles.
  ParticleOrbitKernel(int64_t num_particles, double bandwidth, bool reflections = true);
  /// "orbit-matrix(O2xS4)", or "orbit-matrix(SO2xS4)" without reflections.
  std::string name() const override;
  /// X, Y, S float32 or float64 on the CPU with D = 2P; the result has X's dtype.
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override;
  /// [N, M, D, D] in A's dtype.
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override;
  bool is_matrix_valued() const override { return true; }
  /// min_h d²: the squared distance between the orbits of Ca_p and Cb_p, [P] in A's dtype.
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override;

  int64_t num_particles() const { return P_; }
  bool reflections() const { return reflections_; }
  /// |H| = (1 or 2) · P!: the number of finite group elements each θ integral is summed over.
  int64_t num_elements() const;

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<ParticleOrbitKernel>(*this); }

 private:
  /// Converts to a contiguous CPU float64 [n, 2P] tensor; errors name the argument.
  torch::Tensor checked_points(const torch::Tensor& T, const char* what) const;

  int64_t P_;
  bool reflections_;
  /// perms_[p·P + i] = π_p(i): particle i of h y is particle π(i) of y. Identity first.
  std::vector<uint8_t> perms_;
};

/// e^{−u} I₀(u) and e^{−u} I₁(u) in double for u ≥ 0, by fixed-length polynomials (piecewise in u
/// below u = 20, in 1/u above): about 1e-15 relative for every u, including u ≫ 1.
double scaled_bessel_i0(double u);
double scaled_bessel_i1(double u);

}  // namespace esvgd::kernel
