#include "esvgd/group/particle_group.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::group {

torch::Tensor particle_matrix(const torch::Tensor& Q, const std::vector<int64_t>& perm) {
  const int64_t P = static_cast<int64_t>(perm.size()), d = Q.size(0);
  auto M = torch::zeros({d * P, d * P}, torch::kFloat64);
  for (int64_t i = 0; i < P; ++i) M.slice(0, d * i, d * i + d).slice(1, d * perm[i], d * perm[i] + d).copy_(Q);
  return M;
}

ParticleGroup::ParticleGroup(int64_t particles) : P_(particles) {
  ESVGD_CHECK(P_ >= 2 && P_ <= 8, "particle group needs 2..8 particles, got ", P_);
}

torch::Tensor ParticleGroup::random_element(at::Generator& gen) const {
  const double th = 2 * M_PI * torch::rand({1}, gen, torch::kFloat64).item<double>();
  auto Q = rotation_2d(th);
  if (torch::rand({1}, gen, torch::kFloat64).item<double>() < 0.5)
    Q = torch::matmul(Q, torch::diag(torch::tensor({1.0, -1.0}, torch::kFloat64)));
  auto p = torch::randperm(P_, gen, torch::kLong);
  return particle_matrix(Q, std::vector<int64_t>(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + P_));
}

torch::Tensor ParticleGroup::fold(const torch::Tensor& X) const {
  return ParticleInvariant(ParticleInvariant::Kind::kCanonical, P_, 2).features(X);
}

torch::Tensor ParticleGroup::quadrature(int64_t count, at::Generator&) const {
  ESVGD_CHECK(count >= 1, "quadrature needs >= 1 rotation, got ", count);
  std::vector<int64_t> perm(static_cast<size_t>(P_));
  std::iota(perm.begin(), perm.end(), 0);
  std::vector<torch::Tensor> out;
  const auto F = torch::diag(torch::tensor({1.0, -1.0}, torch::kFloat64));
  do {
    for (int64_t q = 0; q < count; ++q) {
      auto R = rotation_2d(2 * M_PI * static_cast<double>(q) / static_cast<double>(count));
      out.push_back(particle_matrix(R, perm));
      out.push_back(particle_matrix(torch::matmul(R, F), perm));
    }
  } while (std::next_permutation(perm.begin(), perm.end()));
  return torch::stack(out);
}

}  // namespace esvgd::group
