#include "esvgd/group/image_rotation_group.h"

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::group {

ImageRotationGroup::ImageRotationGroup(int64_t side) : side_(side) {
  ESVGD_CHECK(side >= 1, "an image group needs a side >= 1, got ", side);
}

torch::Tensor ImageRotationGroup::rotate(const torch::Tensor& X, int64_t g) const {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == dim(), name(), " acts on rows [N, ", dim(), "], got ", X.sizes());
  return torch::rot90(X.view({X.size(0), side_, side_}), g, {1, 2}).reshape({X.size(0), dim()});
}

torch::Tensor ImageRotationGroup::matrix(int64_t g) const {
  const int64_t D = dim();
  auto source = rotate(torch::arange(D, torch::kFloat64).view({1, D}), g).squeeze(0).to(torch::kLong);
  auto R = torch::zeros({D, D}, torch::kFloat64);
  return R.index_put_({torch::arange(D), source}, 1.0);  // rotated[a] = x[source[a]]
}

torch::Tensor ImageRotationGroup::elements() const {
  return torch::stack({matrix(0), matrix(1), matrix(2), matrix(3)});
}

torch::Tensor ImageRotationGroup::random_element(at::Generator& gen) const {
  return matrix(torch::randint(4, {1}, gen, torch::kLong).item<int64_t>());
}

torch::Tensor ImageRotationGroup::fold(const torch::Tensor& X) const {
  const int64_t h = side_ / 2;
  std::vector<torch::Tensor> images, mass;
  for (int64_t g = 0; g < 4; ++g) {
    images.push_back(rotate(X, g));
    mass.push_back(images.back().view({X.size(0), side_, side_}).narrow(1, 0, h).narrow(2, 0, h).sum({1, 2}));
  }
  auto best = torch::stack(mass, 1).argmax(1);  // [N]
  auto stacked = torch::stack(images, 1);        // [N, 4, D]
  return stacked.gather(1, best.view({-1, 1, 1}).expand({X.size(0), 1, dim()})).squeeze(1);
}

}  // namespace esvgd::group
