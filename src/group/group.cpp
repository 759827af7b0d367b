#include "esvgd/group/group.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/group/orthogonal.h"

namespace esvgd::group {

torch::Tensor Group::elements() const {
  throw Error(ErrorKind::kInvalidArgument, name(), "a continuous group has no finite list of elements; use quadrature()");
}

torch::Tensor Group::quadrature(int64_t count, at::Generator& gen) const { return elements(); }

torch::Tensor act(const torch::Tensor& R, const torch::Tensor& X) { return torch::matmul(X, R.to(X.dtype()).t()); }

torch::Tensor rotation_2d(double theta) {
  const double c = std::cos(theta), s = std::sin(theta);
  return torch::tensor({c, -s, s, c}, torch::kFloat64).view({2, 2});
}

std::shared_ptr<Group> make_group(const std::string& name) {
  if (name.size() > 1 && name[0] == 'C') {
    try {
      size_t used = 0;
      const long n = std::stol(name.substr(1), &used);
      if (used == name.size() - 1 && n >= 1) return std::make_shared<CyclicGroup>(n);
    } catch (const std::exception&) {
    }
  }
  if (name == "SO2") return std::make_shared<OrthogonalGroup>(2, true);
  if (name == "O2") return std::make_shared<OrthogonalGroup>(2, false);
  if (name == "SO3") return std::make_shared<OrthogonalGroup>(3, true);
  if (name == "O3") return std::make_shared<OrthogonalGroup>(3, false);
  throw Error(ErrorKind::kInvalidArgument, "group '" + name + "'", "unknown group (expected C<n>, SO2, O2, SO3 or O3)");
}

}  // namespace esvgd::group
