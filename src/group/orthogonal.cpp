#include "esvgd/group/orthogonal.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/group/cyclic.h"

namespace esvgd::group {

OrthogonalGroup::OrthogonalGroup(int64_t dim, bool special) : dim_(dim), special_(special) {
  ESVGD_CHECK(dim == 2 || dim == 3, "O(n)/SO(n) are implemented for n = 2, 3, got n = ", dim);
}

std::string OrthogonalGroup::name() const { return (special_ ? "SO" : "O") + std::to_string(dim_); }

torch::Tensor OrthogonalGroup::random_element(at::Generator& gen) const {
  auto A = torch::randn({dim_, dim_}, gen, torch::kFloat64);
  auto qr = torch::linalg_qr(A);
  auto Q = std::get<0>(qr);
  auto d = torch::sign(torch::diagonal(std::get<1>(qr)));
  Q = Q * d.unsqueeze(0);  // multiply column k by sign(R_kk): makes Q Haar-distributed
  if (special_ && torch::det(Q).item<double>() < 0) Q.select(1, 0).neg_();
  return Q;
}

torch::Tensor OrthogonalGroup::fold(const torch::Tensor& X) const {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == dim_, name(), " acts on ", dim_, "-D points, got shape ", X.sizes());
  auto out = torch::zeros_like(X);
  out.select(1, 0).copy_(X.norm(2, 1));
  return out;
}

torch::Tensor OrthogonalGroup::quadrature(int64_t count, at::Generator& gen) const {
  ESVGD_CHECK(count >= 1, "quadrature needs at least one node, got ", count);
  if (dim_ == 2) {
    auto R = CyclicGroup(count).elements();
    if (special_) return R;
    auto flip = torch::tensor({1.0, 0.0, 0.0, -1.0}, torch::kFloat64).view({2, 2});
    return torch::cat({R, torch::matmul(R, flip)});
  }
  std::vector<torch::Tensor> Rs{torch::eye(3, torch::kFloat64)};
  while (static_cast<int64_t>(Rs.size()) < count) {
    auto R = random_element(gen);
    Rs.push_back(R);
    Rs.push_back(R.t().contiguous());
  }
  return torch::stack(Rs);
}

}  // namespace esvgd::group
