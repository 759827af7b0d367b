#pragma once
/// The group-averaged scalar kernel k_G(x, y) = (1/|G|) Σ_g k(x, R_g y) (the authors' C_n kernel).
///
/// It is separately invariant, k_G(R_a x, R_b y) = k_G(x, y), and symmetric. In the textbook form
///   φ(x_i) = 1/(M|G|) Σ_{j,g} k(x_i, R_g y_j) [ s_j + T R_gᵀ (x_i − R_g y_j)/h² ],
/// in the reference form (the authors' code, with T = 2 for parity)
///   φ(x_i) = 1/(M|G|) Σ_{j,g} k(x_i, R_g y_j) [ s_j + T (x_i − R_g y_j)/h² ].
/// The driving term uses the partner's unrotated score, so φ is not exactly equivariant particle by
/// particle, and for any G-invariant particle law its textbook mean-field update vanishes
/// (docs/method.md, "Three orbit kernels"):
/// it is kept for comparison and paper parity; OrbitMatrixKernel is the principled default.
/// When every R_g is a permutation matrix (image rotations), it is applied as a column gather, so
/// large D (images: 784) costs O(G·N·D), not O(G·N·D²).
#include "esvgd/group/group.h"
#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

class GroupAveragedKernel : public Kernel {
 public:
  GroupAveragedKernel(torch::Tensor matrices, double bandwidth, RepulsionForm form, std::string group_name);
  GroupAveragedKernel(const group::Group& group, double bandwidth, RepulsionForm form, int64_t quadrature_nodes,
                      at::Generator& gen);
  std::string name() const override;
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override;
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override;
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override;
  RepulsionForm form() const { return form_; }

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<GroupAveragedKernel>(*this); }

 private:
  torch::Tensor R_;
  torch::Tensor gather_;   ///< [G, D] long: (X R_g)[:, k] = X[:, gather_[g, k]]; undefined unless permutations
  torch::Tensor scatter_;  ///< [G, D] long: (V R_gᵀ)[:, j] = V[:, scatter_[g, j]]
  RepulsionForm form_;
  std::string group_name_;
};

}  // namespace esvgd::kernel
