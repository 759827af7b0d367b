#include "esvgd/model/c4_conv.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::model {

torch::Tensor lifting_filters(const torch::Tensor& psi) {
  ESVGD_CHECK(psi.dim() == 4 && psi.size(2) == psi.size(3), "lifting filters must be [O, I, k, k], got ", psi.sizes());
  std::vector<torch::Tensor> rotated;
  for (int64_t g = 0; g < 4; ++g) rotated.push_back(torch::rot90(psi, g, {2, 3}));
  return torch::stack(rotated, 1).flatten(0, 1);
}

torch::Tensor group_filters(const torch::Tensor& psi) {
  ESVGD_CHECK(psi.dim() == 5 && psi.size(2) == 4 && psi.size(3) == psi.size(4),
              "group filters must be [O, I, 4, k, k], got ", psi.sizes());
  std::vector<torch::Tensor> rotated;
  // roll by g along the group axis puts ψ_{(s−g) mod 4} at input group channel s.
  for (int64_t g = 0; g < 4; ++g) rotated.push_back(torch::rot90(torch::roll(psi, g, 2), g, {3, 4}));
  return torch::stack(rotated, 1).flatten(0, 1).flatten(1, 2);
}

torch::Tensor rotate_regular(const torch::Tensor& f, int64_t r) {
  ESVGD_CHECK(f.dim() == 4 && f.size(1) % 4 == 0, "a regular map is [N, 4C, H, W], got ", f.sizes());
  const auto s = f.sizes();
  auto grouped = torch::roll(f.reshape({s[0], s[1] / 4, 4, s[2], s[3]}), r, 2);
  return torch::rot90(grouped, r, {3, 4}).reshape(s);
}

torch::Tensor group_max_pool(const torch::Tensor& f) {
  ESVGD_CHECK(f.dim() == 4 && f.size(1) % 4 == 0, "group pooling needs a map [N, 4C, H, W], got ", f.sizes());
  const auto s = f.sizes();
  return f.reshape({s[0], s[1] / 4, 4, s[2], s[3]}).amax(2);
}

C4ConvImpl::C4ConvImpl(int64_t in_fields, int64_t out_fields, int64_t kernel_size, bool lifting, bool equivariant)
    : k_(kernel_size), lifting_(lifting), equivariant_(equivariant) {
  ESVGD_CHECK(in_fields >= 1 && out_fields >= 1, "a convolution needs at least one input and output field, got ",
              in_fields, " and ", out_fields);
  ESVGD_CHECK(kernel_size >= 1 && kernel_size % 2 == 1,
              "the filter size must be odd (a 90° rotation then maps the grid onto itself), got ", kernel_size);
  const int64_t in_channels = lifting ? in_fields : 4 * in_fields;
  const int64_t fan_in = in_channels * k_ * k_;
  std::vector<int64_t> shape;
  if (!equivariant) shape = {4 * out_fields, in_channels, k_, k_};
  else if (lifting) shape = {out_fields, in_fields, k_, k_};
  else shape = {out_fields, in_fields, 4, k_, k_};
  // He-uniform: keeps activations O(1) through 8 SiLU layers.
  const double bound = std::sqrt(6.0 / static_cast<double>(fan_in));
  psi_ = register_parameter("psi", torch::empty(shape).uniform_(-bound, bound));
  bias_ = register_parameter("bias", torch::zeros({equivariant ? out_fields : 4 * out_fields}));
}

std::pair<torch::Tensor, torch::Tensor> C4ConvImpl::weights() const {
  if (!equivariant_) return {psi_, bias_};
  return {lifting_ ? lifting_filters(psi_) : group_filters(psi_), bias_.repeat_interleave(4)};
}

torch::Tensor C4ConvImpl::forward(const torch::Tensor& x) const {
  auto [w, b] = weights();
  return torch::conv2d(x, w, b, 1, k_ / 2);
}

}  // namespace esvgd::model
