#pragma once
/// O(n)-equivariant flow layers (docs/method.md, "Equivariant neural transport"): they change the
/// lengths of vectors and never their directions, so T(Qx) = Q T(x) for every orthogonal Q.
///
/// RadialSplineLayer splits every row into blocks of `block` coordinates (block = D: the whole row)
/// and maps each block b ↦ b · g(|b|)/|b| with one monotone spline g of [0, ∞) onto itself (g(0) = 0);
/// the Jacobian of one block has the eigenvalue g'(r) along b and g(r)/r on the (block − 1) directions
/// across it, so log|det| = Σ_blocks log g'(r) + (block − 1) log(g(r)/r). With several blocks (the
/// particles of a particle system) the same g serves every block, so the layer is also equivariant to
/// permutations of the blocks and to an orthogonal map applied to all of them.
///
/// ScaleLayer multiplies every row by e^s (one learned s): log|det| = D s.
#include "esvgd/flow/flow.h"
#include "esvgd/flow/spline.h"

namespace esvgd::flow {

class RadialSplineLayer : public Layer {
 public:
  /// dim must be a multiple of block; g is a spline of `bins` bins on [0, bound] (linear beyond).
  RadialSplineLayer(int64_t dim, int64_t block, int64_t bins, double bound);
  Transformed forward(const torch::Tensor& z) override;
  Transformed inverse(const torch::Tensor& x) override;
  /// The raw spline parameters [1, 3K + 1] (zeros: the identity).
  torch::Tensor& raw() { return raw_; }

 private:
  Transformed apply(const torch::Tensor& rows, bool inverse);
  int64_t dim_, block_, bins_;
  SplineInterval interval_;
  torch::Tensor raw_;
};

class ScaleLayer : public Layer {
 public:
  explicit ScaleLayer(int64_t dim);
  Transformed forward(const torch::Tensor& z) override;
  Transformed inverse(const torch::Tensor& x) override;
  torch::Tensor& log_scale() { return log_scale_; }

 private:
  int64_t dim_;
  torch::Tensor log_scale_;
};

}  // namespace esvgd::flow
