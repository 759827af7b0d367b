#include "esvgd/kernel/orbit_matrix.h"

#include <algorithm>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "kernel/kernel_sum.h"
#include "esvgd/kernel/rbf.h"

namespace esvgd::kernel {

torch::Tensor orbit_images(const torch::Tensor& R, const torch::Tensor& Y) {
  // images[g, j] = R_g y_j  ⇔  Y R_gᵀ
  return torch::matmul(Y.unsqueeze(0), R.to(Y.dtype()).transpose(1, 2)).reshape({-1, Y.size(1)});
}

torch::Tensor orbit_sq_dist(const torch::Tensor& R, const torch::Tensor& A, const torch::Tensor& B) {
  auto imgs = torch::matmul(B.unsqueeze(0), R.to(B.dtype()).transpose(1, 2));  // [G, P, D]
  return (A.unsqueeze(0) - imgs).pow(2).sum(-1).amin(0);
}

OrbitMatrixKernel::OrbitMatrixKernel(torch::Tensor matrices, double bandwidth, std::string group_name)
    : Kernel(bandwidth), R_(matrices.to(torch::kFloat64).contiguous()), group_name_(std::move(group_name)) {
  ESVGD_CHECK(R_.dim() == 3 && R_.size(1) == R_.size(2) && R_.size(0) >= 1,
              "orbit kernel needs matrices [G, D, D], got ", R_.sizes());
  auto eye = torch::eye(R_.size(1), torch::kFloat64).expand_as(R_);
  ESVGD_CHECK(torch::allclose(torch::matmul(R_, R_.transpose(1, 2)), eye, 1e-9, 1e-9),
              "orbit kernel matrices must be orthogonal (R Rᵀ = I)");
  find_inverses();
}

OrbitMatrixKernel::OrbitMatrixKernel(const group::Group& group, double bandwidth, int64_t quadrature_nodes,
                                     at::Generator& gen)
    : OrbitMatrixKernel(group.is_finite() ? group.elements() : group.quadrature(quadrature_nodes, gen), bandwidth,
                        group.is_finite() ? group.name() : group.name() + "~" + std::to_string(quadrature_nodes)) {}

void OrbitMatrixKernel::find_inverses() {
  constexpr double kSameMatrix = 1e-9;
  const int64_t G = R_.size(0);
  // dist[q, g] = ‖R_q − R_gᵀ‖: one batched distance instead of G² comparisons (quadratures are large).
  auto dist = torch::cdist(R_.reshape({G, -1}), R_.transpose(1, 2).reshape({G, -1}));
  auto [best, index] = dist.min(0);
  auto found = torch::where(best < kSameMatrix, index, torch::full_like(index, -1)).contiguous();
  inverse_.assign(found.data_ptr<int64_t>(), found.data_ptr<int64_t>() + G);
}

torch::Tensor OrbitMatrixKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                     double temperature) const {
  check_phi_args(X, Y, S);
  const int64_t N = X.size(0), D = X.size(1), G = R_.size(0);
  ESVGD_CHECK(D == R_.size(1), name(), " acts on D = ", R_.size(1), ", particles have D = ", D);
  const bool closed = std::all_of(inverse_.begin(), inverse_.end(), [](int64_t q) { return q >= 0; });
  if (!(Y.is_same(X) && closed)) return rbf_stein_direction(X, orbit_images(R_, Y), orbit_images(R_, S), temperature, h_);
  // Without anchors, K_g[i, j] = k(x_i, R_g x_j) = k(x_j, R_g⁻¹ x_i) = K_{g⁻¹}[j, i]: each pair of
  // inverse elements shares one set of exponentials, and an involution's K_g is symmetric.
  auto R = R_.to(X.dtype());
  auto ones = torch::ones({N, 1}, X.options());
  // φ_i = (1/(NG)) Σ_{j,g} k(x_i, R_g x_j) [R_g (s_j − c x_j) + c x_i], c = T/h² (as in rbf.cpp).
  const double c = temperature / (h_ * h_);
  auto W = S - c * X;
  auto V = [&](int64_t g) { return torch::cat({torch::matmul(W, R[g].t()), ones}, 1); };  // [R_g w_j | 1]
  auto out = torch::zeros({N, D + 1}, X.options());
  for (int64_t g = 0; g < G; ++g) {
    const int64_t q = inverse_[g];
    if (q < g) continue;  // handled with its inverse
    auto images = torch::matmul(X, R[g].t());
    if (q == g) {
      out += rbf_kernel_matmul_symmetric(X, images, V(g), h_);
    } else {
      auto both = rbf_kernel_matmul_pair(X, images, V(g), V(q), h_);
      out += both.first + both.second;
    }
  }
  return stein_from_sums(out, X, c, N * G);
}

torch::Tensor OrbitMatrixKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  auto imgs = torch::matmul(B.unsqueeze(0), R_.to(B.dtype()).transpose(1, 2));               // [G, M, D]
  auto d2 = (A.unsqueeze(0).unsqueeze(2) - imgs.unsqueeze(1)).pow(2).sum(-1);             // [G, N, M]
  auto k = torch::exp(-d2 / (2 * h_ * h_));
  return torch::einsum("gnm,gab->nmab", {k, R_.to(A.dtype())}) / static_cast<double>(R_.size(0));
}

torch::Tensor OrbitMatrixKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  return orbit_sq_dist(R_, A, B);
}

}  // namespace esvgd::kernel
