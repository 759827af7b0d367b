#pragma once
/// The multi-particle double-well potential of Köhler, Klein & Noé (2020) — DW-4 for 4 particles in
/// the plane (docs/method.md, "DW-4"):
///
///   u(x) = (1/τ) Σ_{i<j} [ a (d_ij − d0) + b (d_ij − d0)² + c (d_ij − d0)⁴ ],   d_ij = ‖x_i − x_j‖,
///
/// a = 0, b = −4, c = 0.9, d0 = 4, τ = 1. The sum runs over unordered pairs: the authors' code sums
/// ordered pairs without the ½ and so doubles u (τ = 0.5 here reproduces it). Rows of X are the
/// flattened particles x1, y1, x2, y2, ...; π(x) ∝ exp(−u(x)), invariant under translations,
/// rotations, reflections and permutations of the particles.
#include "esvgd/core/arg.h"
#include "esvgd/target/target.h"

namespace esvgd::target {

struct DoubleWellOptions {
  ESVGD_ARG(int64_t, particles) = 4;
  ESVGD_ARG(int64_t, particle_dim) = 2;
  ESVGD_ARG(double, a) = 0.0;
  ESVGD_ARG(double, b) = -4.0;
  ESVGD_ARG(double, c) = 0.9;
  ESVGD_ARG(double, d0) = 4.0;
  ESVGD_ARG(double, tau) = 1.0;
};

class DoubleWellPotential : public Target {
 public:
  explicit DoubleWellPotential(DoubleWellOptions options = {});
  std::string name() const override;
  int64_t dim() const override { return o_.particles() * o_.particle_dim(); }
  /// −u(X) [N] in X's dtype.
  torch::Tensor log_prob(const torch::Tensor& X) const override;
  /// −∇u(X) [N, D] in X's dtype (analytic).
  torch::Tensor score(const torch::Tensor& X) const override;
  /// u(X) [N] float64.
  torch::Tensor energy(const torch::Tensor& X) const;
  /// u at one row x [D]; writes ∇u into grad [D] when it is not null (0 for coincident particles).
  double energy_row(const double* x, double* grad) const;
  const DoubleWellOptions& options() const { return o_; }

 private:
  DoubleWellOptions o_;
};

}  // namespace esvgd::target
