#pragma once
/// The plain RBF kernel k(x, y) = exp(−‖x − y‖²/(2h²)) and its Stein direction
///
///   φ(x_i) = (1/M) Σ_j k(y_j, x_i) [ s_j + T (x_i − y_j)/h² ]      (Liu & Wang 2016, Alg. 1)
///
/// computed as one fused pair sum with V = [S | Y | 1]: φ = (KS + T/h² (x ⊙ K1 − KY)) / M.
#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

/// The RBF Stein direction above for X [N, D], Y [M, D], S [M, D] (any rows, no orbit logic).
torch::Tensor rbf_stein_direction(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                  double temperature, double h);

class RbfKernel : public Kernel {
 public:
  explicit RbfKernel(double bandwidth) : Kernel(bandwidth) {}
  std::string name() const override { return "rbf"; }
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override;
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override;
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override;

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<RbfKernel>(*this); }
};

/// Checks the shapes of a phi() call; errors name the offending argument.
void check_phi_args(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S);

}  // namespace esvgd::kernel
