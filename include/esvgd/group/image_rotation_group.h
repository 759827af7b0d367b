#pragma once
/// C4 acting on flattened S × S images (rows of S² pixels): the rotations by multiples of 90°,
/// each an exact pixel permutation (torch::rot90, counter-clockwise). elements() gives them as
/// permutation matrices, which GroupAveragedKernel applies as gathers, never as D × D products.
#include "esvgd/group/group.h"

namespace esvgd::group {

class ImageRotationGroup : public Group {
 public:
  explicit ImageRotationGroup(int64_t side);
  std::string name() const override { return "C4(" + std::to_string(side_) + "x" + std::to_string(side_) + ")"; }
  int64_t dim() const override { return side_ * side_; }
  bool is_finite() const override { return true; }
  int64_t side() const { return side_; }
  /// [4, S², S²] float64, R_g with x Rᵀ = rot90(x, g) for a flattened image x.
  torch::Tensor elements() const override;
  torch::Tensor random_element(at::Generator& gen) const override;
  /// Rotates each image so that its brightest quadrant (pixel sum) is the top-left one.
  torch::Tensor fold(const torch::Tensor& X) const override;
  /// rot90 by g of every row of X [N, S²].
  torch::Tensor rotate(const torch::Tensor& X, int64_t g) const;

 private:
  /// R_g [S², S²] float64.
  torch::Tensor matrix(int64_t g) const;
  int64_t side_;
};

}  // namespace esvgd::group
