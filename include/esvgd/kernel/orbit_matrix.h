#pragma once
/// The exact matrix-valued orbit kernel (docs/method.md, "Three orbit kernels"; matrix SVGD of Wang et al. 2019):
///
///   K(x, y) = (1/|G|) Σ_g k(x, R_g y) R_g,      k the RBF.
///
/// Its Stein direction equals textbook SVGD over the M|G| images y_jg = R_g y_j with scores R_g s_j,
/// each weighted 1/(M|G|), because div_y [k(x, R_g y) R_g] = (∇₂k)(x, R_g y) for orthogonal R_g:
///
///   φ(x_i) = 1/(M|G|) Σ_j Σ_g k(x_i, R_g y_j) [ R_g s_j + T (x_i − R_g y_j)/h² ].
///
/// So each particle stands for its whole orbit: moving y_j to R_h y_j changes no other particle's
/// update and rotates its own. For continuous groups R_g runs over a quadrature rule
/// (Group::quadrature); for SO(2) see so2_orbit.h for the closed form.
///
/// Without anchors and for a set closed under inverses, K_{g⁻¹} = K_gᵀ over the particles, so each
/// exponential is computed once for a pair of inverse elements (and once per pair of particles for
/// an involution): the C4 step costs about 2x the exponentials of a plain RBF step with all pairs.
#include <memory>
#include <vector>

#include "esvgd/group/group.h"
#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

class OrbitMatrixKernel : public Kernel {
 public:
  /// matrices [G, D, D]: a finite group's elements or a quadrature rule (closed under inverses).
  OrbitMatrixKernel(torch::Tensor matrices, double bandwidth, std::string group_name);
  /// Uses group.elements() for finite groups, group.quadrature(quadrature_nodes) otherwise.
  OrbitMatrixKernel(const group::Group& group, double bandwidth, int64_t quadrature_nodes, at::Generator& gen);
  std::string name() const override { return "orbit-matrix(" + group_name_ + ")"; }
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override;
  /// [N, M, D, D]
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override;
  bool is_matrix_valued() const override { return true; }
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override;
  const torch::Tensor& matrices() const { return R_; }

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<OrbitMatrixKernel>(*this); }

 private:
  /// inverse_[g] = index of R_gᵀ among the matrices (−1 if absent).
  void find_inverses();
  torch::Tensor R_;
  std::string group_name_;
  std::vector<int64_t> inverse_;
};

/// All images R_g y_j of the rows of Y [M, D], stacked g-major: [G·M, D].
torch::Tensor orbit_images(const torch::Tensor& R, const torch::Tensor& Y);
/// min_g ‖a_p − R_g b_p‖² for paired rows: [P].
torch::Tensor orbit_sq_dist(const torch::Tensor& R, const torch::Tensor& A, const torch::Tensor& B);

}  // namespace esvgd::kernel
