#pragma once
/// Stein kernels. A Kernel computes the whole Stein direction, so scalar kernels can use the fused
/// pair sum and matrix kernels can apply R_g without the sampler knowing:
///
///   φ(x_i) = (1/M) Σ_j [ K(x_i, y_j) s_j + T · div_{y_j} K(x_i, y_j) ]           (textbook form)
///
/// X [N, D] are the moving particles, Y [M, D] all interacting points (X first, then any fixed
/// anchors), S [M, D] the scores at Y, T the repulsion temperature (1 = Liu & Wang; 2 with the
/// reference form reproduces the authors' code). For a scalar kernel K = k·I and the divergence is
/// ∇_{y_j} k(y_j, x_i): the gradient with respect to the *source* particle, the form for which
/// Stein's identity holds (docs/method.md, "SVGD").
///
/// Kernels are values: nothing changes a kernel after construction. A sampler that adapts the
/// bandwidth keeps h in its own state and evaluates with_bandwidth(h), a copy, so one kernel can
/// be shared by any number of runs and threads.
#include <memory>
#include <string>

#include <torch/types.h>

namespace esvgd::kernel {

/// Which particle the repulsion differentiates (docs/method.md, "Paper parity").
/// kTextbook: Σ_j ∇_{y_j} k(y_j, x_i). kReference: the authors' code,
/// −½ ∇_{x_i} Σ_j [k(x_i, y_j) + k(y_j, x_i)], which coincides with
/// the textbook form for stationary kernels (plain RBF) and differs for orbit and feature kernels.
enum class RepulsionForm { kTextbook, kReference };

RepulsionForm parse_repulsion_form(const std::string& text);
std::string to_string(RepulsionForm form);

class Kernel {
 public:
  explicit Kernel(double bandwidth);
  virtual ~Kernel() = default;
  /// Name used in outputs and configs: "rbf", "orbit-matrix(C4)", ...
  virtual std::string name() const = 0;
  /// Stein direction φ(X) [N, D]; see the file comment. X's rows are among Y's: Y[:N] == X in one
  /// process, a block further on with a particle exchange (sampler/particle_parallel.h).
  virtual torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                            double temperature) const = 0;
  /// What phi can reuse about a run's fixed anchors [A, D] from step to step (feature kernels: the
  /// anchors' features), computed once per run by the samplers; undefined, the default, when there is
  /// nothing to reuse. It must not depend on the bandwidth (a run may change h).
  virtual torch::Tensor prepare_anchors(const torch::Tensor& anchors) const;
  /// phi when the last A rows of Y are anchors and `prepared` is prepare_anchors of them (undefined:
  /// plain phi, which is also the default for kernels that prepare nothing).
  virtual torch::Tensor phi_prepared(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                     double temperature, const torch::Tensor& prepared) const;
  /// The kernel as a function: [N, M] for scalar kernels, [N, M, D, D] for matrix-valued ones.
  virtual torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const = 0;
  virtual bool is_matrix_valued() const { return false; }
  /// Squared distance in the kernel's own geometry for paired rows a_p, b_p: [P]. The median
  /// heuristic uses it (orbit kernels: min_g ‖a − R_g b‖²; feature kernels: ‖f(a) − f(b)‖²).
  virtual torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const = 0;

  /// Bandwidth h of exp(−d²/(2h²)).
  double bandwidth() const { return h_; }
  /// A copy of this kernel with bandwidth h; esvgd::Error for h ≤ 0 or non-finite h.
  std::shared_ptr<const Kernel> with_bandwidth(double h) const;

 protected:
  /// A copy of the concrete kernel; each kernel class implements it as make_shared<Self>(*this).
  virtual std::shared_ptr<Kernel> clone() const = 0;

  double h_;  ///< set once, by the constructor or with_bandwidth on a fresh copy
};

}  // namespace esvgd::kernel
