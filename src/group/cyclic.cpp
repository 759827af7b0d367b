#include "esvgd/group/cyclic.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::group {

CyclicGroup::CyclicGroup(int64_t n) : n_(n) { ESVGD_CHECK(n >= 1, "C_n needs n >= 1, got ", n); }

torch::Tensor CyclicGroup::elements() const {
  std::vector<torch::Tensor> Rs;
  for (int64_t m = 0; m < n_; ++m) Rs.push_back(rotation_2d(2 * M_PI * m / n_));
  return torch::stack(Rs);
}

torch::Tensor CyclicGroup::random_element(at::Generator& gen) const {
  const int64_t m = torch::randint(n_, {1}, gen, torch::kLong).item<int64_t>();
  return rotation_2d(2 * M_PI * m / n_);
}

torch::Tensor CyclicGroup::fold(const torch::Tensor& X) const {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == 2, "C_n acts on 2-D points, got shape ", X.sizes());
  const double sector = 2 * M_PI / n_;
  auto r = X.norm(2, 1);
  auto angle = torch::atan2(X.select(1, 1), X.select(1, 0));
  // Shift by half a sector so that the fundamental domain [-π/n, π/n) is centred on the +x axis.
  auto folded = torch::remainder(angle + sector / 2, sector) - sector / 2;
  // remainder() can round up to exactly `sector` for an angle an ulp below the lower boundary.
  folded = torch::where(folded >= sector / 2, folded - sector, folded);
  return torch::stack({r * torch::cos(folded), r * torch::sin(folded)}, 1);
}

}  // namespace esvgd::group
