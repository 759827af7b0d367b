#pragma once
/// O(n) and SO(n) for n = 2, 3: continuous groups of (proper) rotations and reflections.
#include "esvgd/group/group.h"

namespace esvgd::group {

class OrthogonalGroup : public Group {
 public:
  /// dim ∈ {2, 3}; special = true gives SO(dim) (det = +1 only).
  OrthogonalGroup(int64_t dim, bool special);
  std::string name() const override;
  int64_t dim() const override { return dim_; }
  bool is_finite() const override { return false; }
  bool is_special() const { return special_; }
  /// Haar sample: QR of a Gaussian matrix with the signs of R's diagonal fixed (Mezzadri 2007);
  /// for SO(n) a column is flipped when det = -1.
  torch::Tensor random_element(at::Generator& gen) const override;
  /// Orbits of O(n)/SO(n) (n ≥ 2) are spheres: fold to (|x|, 0, ..., 0).
  torch::Tensor fold(const torch::Tensor& X) const override;
  /// SO(2): the uniform angle grid of `count` rotations (C_count, an exact rule for trigonometric
  /// polynomials); O(2): that grid and its reflections; SO(3)/O(3): `count` Haar samples and their inverses.
  torch::Tensor quadrature(int64_t count, at::Generator& gen) const override;

 private:
  int64_t dim_;
  bool special_;
};

}  // namespace esvgd::group
