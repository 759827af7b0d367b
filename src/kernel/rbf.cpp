#include "esvgd/kernel/rbf.h"

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "kernel/kernel_sum.h"

namespace esvgd::kernel {

void check_phi_args(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S) {
  ESVGD_CHECK(X.dim() == 2, "particles X must be [N, D], got ", X.sizes());
  ESVGD_CHECK(Y.dim() == 2 && Y.size(1) == X.size(1) && Y.size(0) >= X.size(0),
              "interacting points Y must be [M >= N, D] with X as their first rows; got X ", X.sizes(), ", Y ",
              Y.sizes());
  ESVGD_CHECK(S.sizes() == Y.sizes(), "scores S must match Y ", Y.sizes(), ", got ", S.sizes());
}

torch::Tensor rbf_stein_direction(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                  double temperature, double h) {
  if (rbf_stein_direct_applies(X, Y) && S.scalar_type() == X.scalar_type() && Y.scalar_type() == X.scalar_type())
    return rbf_stein_direct(X, Y, S, temperature, h);
  // φ_i = (1/M) [Σ_j k_ij (s_j − c y_j) + c x_i Σ_j k_ij], c = T/h²: one kernel sum with D + 1 columns.
  const int64_t M = Y.size(0);
  const double c = temperature / (h * h);
  auto V = torch::cat({S - c * Y, torch::ones({M, 1}, Y.options())}, 1);
  // Without anchors Y is X and K is symmetric: each pair's exponential is needed once.
  auto out = Y.is_same(X) ? rbf_kernel_matmul_symmetric(X, Y, V, h) : rbf_kernel_matmul(X, Y, V, h);
  return stein_from_sums(out, X, c, M);
}

torch::Tensor stein_from_sums(const torch::Tensor& sums, const torch::Tensor& X, double c, int64_t count) {
  const int64_t D = X.size(1);
  return (sums.narrow(1, 0, D) + c * X * sums.narrow(1, D, 1)) / static_cast<double>(count);
}

torch::Tensor RbfKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                             double temperature) const {
  check_phi_args(X, Y, S);
  return rbf_stein_direction(X, Y, S, temperature, h_);
}

torch::Tensor RbfKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  auto d2 = (A.unsqueeze(1) - B.unsqueeze(0)).pow(2).sum(-1);
  return torch::exp(-d2 / (2 * h_ * h_));
}

torch::Tensor RbfKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  return (A - B).pow(2).sum(1);
}

}  // namespace esvgd::kernel
