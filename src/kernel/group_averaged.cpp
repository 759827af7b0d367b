#include "esvgd/kernel/group_averaged.h"

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "kernel/kernel_sum.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/rbf.h"

namespace esvgd::kernel {

GroupAveragedKernel::GroupAveragedKernel(torch::Tensor matrices, double bandwidth, RepulsionForm form,
                                         std::string group_name)
    : Kernel(bandwidth), R_(matrices.to(torch::kFloat64).contiguous()), form_(form), group_name_(std::move(group_name)) {
  ESVGD_CHECK(R_.dim() == 3 && R_.size(1) == R_.size(2) && R_.size(0) >= 1,
              "group-averaged kernel needs matrices [G, D, D], got ", R_.sizes());
  const bool binary = ((R_ == 0) | (R_ == 1)).all().item<bool>();
  if (binary && (R_.sum(1) == 1).all().item<bool>() && (R_.sum(2) == 1).all().item<bool>()) {
    gather_ = R_.argmax(1);
    scatter_ = R_.argmax(2);
  }
}

namespace {
/// [G, N, D]: V [N, D] (or its block V[g] when V is [G, N, D]) with its columns permuted by index[g].
torch::Tensor permute_columns(const torch::Tensor& V, const torch::Tensor& index) {
  auto idx = index.to(V.device());
  std::vector<torch::Tensor> out;
  for (int64_t g = 0; g < idx.size(0); ++g) out.push_back((V.dim() == 3 ? V[g] : V).index_select(1, idx[g]));
  return torch::stack(out);
}
}  // namespace

GroupAveragedKernel::GroupAveragedKernel(const group::Group& group, double bandwidth, RepulsionForm form,
                                         int64_t quadrature_nodes, at::Generator& gen)
    : GroupAveragedKernel(group.is_finite() ? group.elements() : group.quadrature(quadrature_nodes, gen), bandwidth,
                          form, group.name()) {}

std::string GroupAveragedKernel::name() const {
  return "group-averaged(" + group_name_ + (form_ == RepulsionForm::kReference ? ",reference)" : ")");
}

torch::Tensor GroupAveragedKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                       double temperature) const {
  check_phi_args(X, Y, S);
  const int64_t N = X.size(0), D = X.size(1), M = Y.size(0), G = R_.size(0);
  ESVGD_CHECK(D == R_.size(1), name(), " acts on D = ", R_.size(1), ", particles have D = ", D);
  const bool gather = gather_.defined();
  auto R = gather ? torch::Tensor() : R_.to(X.device(), X.scalar_type());
  // k(x_i, R_g y_j) = k(R_gᵀ x_i, y_j): rotate the N receivers instead of the M sources, one fused call.
  auto Xg = gather ? permute_columns(X, gather_) : torch::matmul(X.unsqueeze(0), R);  // [G, N, D], rows R_gᵀ x_i
  auto V = torch::cat({S, Y, torch::ones({M, 1}, Y.options())}, 1);
  auto out = rbf_kernel_matmul(Xg.reshape({G * N, D}), Y, V, h_).view({G, N, 2 * D + 1});
  auto KS = out.narrow(2, 0, D), KY = out.narrow(2, D, D), K1 = out.narrow(2, 2 * D, 1);
  torch::Tensor repulsion;
  if (form_ == RepulsionForm::kTextbook) {
    repulsion = (Xg * K1 - KY).sum(0);  // Σ_g Σ_j k (R_gᵀ x_i − y_j)
  } else {
    auto RKY = gather ? permute_columns(KY, scatter_) : torch::matmul(KY, R.transpose(1, 2));  // R_g Σ_j k y_j
    repulsion = (X.unsqueeze(0) * K1 - RKY).sum(0);  // Σ_g Σ_j k (x_i − R_g y_j)
  }
  return (KS.sum(0) + (temperature / (h_ * h_)) * repulsion) / static_cast<double>(M * G);
}

torch::Tensor GroupAveragedKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  // k(a, R_g b) = k(R_gᵀ a, b), as in phi; ‖u − b‖² = ‖u‖² + ‖b‖² − 2 u·b by one batched matmul, not
  // a [G, n, M, D] tensor of differences (images: 784-D, four rotations).
  const auto Ag = gather_.defined() ? permute_columns(A, gather_)
                                    : torch::matmul(A.unsqueeze(0), R_.to(A.device(), A.scalar_type()));  // [G, n, D]
  const auto Bc = B.to(A.scalar_type());
  const auto d2 = Ag.square().sum(-1, true) + Bc.square().sum(-1).view({1, 1, -1}) - 2 * torch::matmul(Ag, Bc.t());
  return torch::exp(-d2.clamp_min(0) / (2 * h_ * h_)).mean(0);
}

torch::Tensor GroupAveragedKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  return orbit_sq_dist(R_, A, B);
}

}  // namespace esvgd::kernel
