#pragma once
/// The exact matrix orbit kernel for SO(2) in closed form (docs/method.md, "Three orbit kernels"):
///
///   K(x, y) = (1/2π) ∫ k(x, R_θ y) R_θ dθ = e^{−(|x|−|y|)²/(2h²)} I₁ₑ(|x||y|/h²) R_{α(x)−α(y)},
///
/// with α the polar angle and I_νe(a) = e^{−a} I_ν(a) the scaled modified Bessel functions. Its
/// divergence in y is e^{−(|x|−|y|)²/(2h²)} [ I₀ₑ(a) x − I₁ₑ(a) |y| x̂ ] / h², so
///
///   φ(x_i) = 1/M [ R_{α_i} Σ_j w_ij s̃_j + T/h² ( x_i Σ_j v_ij − x̂_i Σ_j w_ij |y_j| ) ],
///   w_ij = e^{−(r_i−r_j)²/(2h²)} I₁ₑ(r_i r_j/h²),  v_ij = e^{…} I₀ₑ(r_i r_j/h²),  s̃_j = R_{−α_j} s_j.
///
/// The sums depend on radii only; they are formed in row chunks of bounded memory.
#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

class So2OrbitKernel : public Kernel {
 public:
  explicit So2OrbitKernel(double bandwidth) : Kernel(bandwidth) {}
  std::string name() const override { return "orbit-matrix(SO2)"; }
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override;
  /// [N, M, 2, 2]
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override;
  bool is_matrix_valued() const override { return true; }
  /// (|a| − |b|)²: the squared distance between the orbits (circles).
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override;

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<So2OrbitKernel>(*this); }
};

}  // namespace esvgd::kernel
