#pragma once
/// The exact matrix orbit kernel for SO(3) (and O(3), which gives the same kernel) in closed form:
///
///   K(x, y) = ∫_{SO(3)} k(x, R y) R dR = e^{−(|x|²+|y|²)/(2h²)} B(κ) x̂ ŷᵀ,   κ = |x||y|/h²,
///   B(κ) = (κ cosh κ − sinh κ)/κ²,   and ∫ k(x, R y) dR = e^{−(|x|²+|y|²)/(2h²)} A(κ),  A(κ) = sinh κ/κ.
///
/// Derivation: write R = P R' Qᵀ with P e₁ = x̂, Q e₁ = ŷ (Haar invariance); then x̂·R ŷ = R'₁₁, which
/// is uniform on [−1, 1], and averaging over the rotations about e₁ keeps only R'₁₁ e₁e₁ᵀ. So
///
///   φ(x_i) = 1/M Σ_j e_ij [ B_ij (ŷ_j·s_j) x̂_i + T/h² ( A_ij x_i − B_ij |y_j| x̂_i ) ].
///
/// A and B are evaluated with the factor e^{−κ} folded in, so nothing overflows for tiny h.
#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

class So3OrbitKernel : public Kernel {
 public:
  explicit So3OrbitKernel(double bandwidth) : Kernel(bandwidth) {}
  std::string name() const override { return "orbit-matrix(SO3)"; }
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override;
  /// [N, M, 3, 3]
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override;
  bool is_matrix_valued() const override { return true; }
  /// (|a| − |b|)²: the squared distance between the orbits (spheres).
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override;

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<So3OrbitKernel>(*this); }
};

}  // namespace esvgd::kernel
