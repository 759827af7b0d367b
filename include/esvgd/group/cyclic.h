#pragma once
/// C_n: the n rotations of the plane by multiples of 2π/n.
#include "esvgd/group/group.h"

namespace esvgd::group {

class CyclicGroup : public Group {
 public:
  explicit CyclicGroup(int64_t n);
  std::string name() const override { return "C" + std::to_string(n_); }
  int64_t dim() const override { return 2; }
  bool is_finite() const override { return true; }
  int64_t order() const { return n_; }
  torch::Tensor elements() const override;
  torch::Tensor random_element(at::Generator& gen) const override;
  torch::Tensor fold(const torch::Tensor& X) const override;

 private:
  int64_t n_;
};

}  // namespace esvgd::group
