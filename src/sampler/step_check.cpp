#include "step_check.h"

#include <torch/types.h>

#include "esvgd/sampler/particle_parallel.h"

namespace esvgd::sampler {

namespace {

template <typename T>
std::pair<double, bool> displacement_and_finite_of(const T* x, const T* dx, int64_t N, int64_t D) {
  double total = 0;
  bool finite = true;
  for (int64_t i = 0; i < N; ++i) {
    double sq = 0;
    for (int64_t f = 0; f < D; ++f) {
      sq += static_cast<double>(dx[i * D + f]) * static_cast<double>(dx[i * D + f]);
      finite &= std::isfinite(x[i * D + f]);
    }
    total += std::sqrt(sq);
  }
  return {total / static_cast<double>(N), finite};
}

}  // namespace

std::pair<double, bool> displacement_and_finite(const torch::Tensor& X, const torch::Tensor& dx) {
  if (X.device().is_cpu() && X.is_contiguous() && dx.is_contiguous() && X.scalar_type() == dx.scalar_type()) {
    if (X.scalar_type() == torch::kFloat64)
      return displacement_and_finite_of(X.data_ptr<double>(), dx.data_ptr<double>(), X.size(0), X.size(1));
    if (X.scalar_type() == torch::kFloat32)
      return displacement_and_finite_of(X.data_ptr<float>(), dx.data_ptr<float>(), X.size(0), X.size(1));
  }
  return {dx.norm(2, 1).mean().item<double>(), torch::isfinite(X).all().item<bool>()};
}

torch::Tensor noise_rows(const torch::Tensor& X, at::Generator& gen, const ParticleExchange* ex) {
  const auto cpu = X.options().device(torch::kCPU);
  if (!ex) return torch::randn(X.sizes(), gen, cpu).to(X.device());
  return torch::randn({ex->total_rows(), X.size(1)}, gen, cpu).narrow(0, ex->first_row(), X.size(0)).to(X.device());
}

}  // namespace esvgd::sampler
