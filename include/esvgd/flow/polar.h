#pragma once
/// A C_n-equivariant flow layer in the plane, in polar coordinates (r, α) (docs/method.md,
/// "Equivariant neural transport"). Rotating x by 2π/n adds 2π/n to α and moves u below to the next
/// sector, so a layer that maps r alone and α within its sector, conditioned on r, commutes with it:
///
///   r' = g(r)                                     monotone spline, g(0) = 0 (radial part)
///   α' = 2πk/n + h(u; r') + f(r'),  α = 2πk/n + u, u ∈ [0, 2π/n)   (angular part)
///
/// h is a monotone spline of the sector [0, 2π/n] onto itself with equal end slopes (a smooth circle
/// map) and f a shift, both from an MLP of r' (tanh, smooth for HMC) whose last layer starts at zero,
/// so a new layer is the identity. The inverse recovers r from r' and then α from (r', α'). The
/// Cartesian Jacobian determinant is (r'/r) g'(r) ∂h/∂u. One layer already reaches every C_n-invariant
/// density of the form p(r) p(α | r), i.e. all of them. h fades to the identity like r'² near the
/// origin, where a circle map that is not a rotation has no smooth extension; for the same reason g
/// does not depend on the angle, as the seed's r' = g(r; cos nα, sin nα) would: such a g makes
/// log|det| change with the angle arbitrarily close to 0, so ∇log p̃ grows like 1/r at the mode of
/// the base, where HMC in Z spends its time (measured in docs/results.md). With h the identity the
/// angular part is the seed's α' = α + f(r').
#include <torch/nn/modules/container/sequential.h>

#include "esvgd/flow/spline.h"

namespace esvgd::flow {

class CyclicPolarLayer : public Layer {
 public:
  /// order n >= 1; splines of `bins` bins (radial part on [0, bound]); an MLP with `hidden` units.
  CyclicPolarLayer(int64_t order, int64_t bins, double bound, int64_t hidden);
  Transformed forward(const torch::Tensor& z) override;
  Transformed inverse(const torch::Tensor& x) override;

 private:
  /// Sector-spline parameters of h and the shift f from r' [N].
  std::pair<SplineParameters, torch::Tensor> angular_parameters(const torch::Tensor& r_out);
  int64_t order_, bins_;
  SplineInterval radial_, sector_;
  torch::Tensor radial_raw_;  ///< g's spline parameters [1, 3K + 1]
  torch::nn::Sequential angular_net_{nullptr};
};

}  // namespace esvgd::flow
