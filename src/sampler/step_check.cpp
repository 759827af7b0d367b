#include "step_check.h"

#include <algorithm>

#include <torch/types.h>

#include "core/all_finite.h"
#include "esvgd/sampler/particle_parallel.h"

namespace esvgd::sampler {

namespace {

/// (1/N) Σ_i ‖s·d_i‖ for d [N, D], s·d rounded to T. Rows are summed side by side (over f in order,
/// a block of rows at a time): one row at a time was bound by its chain of dependent adds.
template <typename T>
double mean_row_norm(const T* d, int64_t N, int64_t D, T s) {
  constexpr int64_t kRows = 64;
  double total = 0;
  for (int64_t i0 = 0; i0 < N; i0 += kRows) {
    const int64_t rows = std::min(kRows, N - i0);
    double sq[kRows] = {};
    for (int64_t f = 0; f < D; ++f)
      for (int64_t r = 0; r < rows; ++r) {
        const double step = static_cast<double>(s * d[(i0 + r) * D + f]);
        sq[r] += step * step;
      }
    for (int64_t r = 0; r < rows; ++r) total += std::sqrt(sq[r]);
  }
  return total / static_cast<double>(N);
}

template <typename T>
std::pair<double, bool> displacement_and_finite_of(const T* x, const T* dx, int64_t N, int64_t D) {
  return {mean_row_norm(dx, N, D, T(1)), core::all_finite(x, N * D)};
}

/// Not compiled with FMA (no -march flags here), so x + (s·d) keeps the product's rounding.
template <typename T>
Moved moved_by_of(const torch::Tensor& X, const torch::Tensor& dx, double scale) {
  const int64_t N = X.size(0), D = X.size(1);
  auto next = torch::empty_like(X);
  const T *x = X.data_ptr<T>(), *d = dx.data_ptr<T>();
  T* y = next.data_ptr<T>();
  const T s = static_cast<T>(scale);
  for (int64_t e = 0; e < N * D; ++e) y[e] = x[e] + s * d[e];
  return {next, mean_row_norm(d, N, D, s), core::all_finite(y, N * D)};
}

}  // namespace

Moved moved_by(const torch::Tensor& X, const torch::Tensor& dx, double scale) {
  const bool plain = X.dim() == 2 && X.sizes() == dx.sizes() && X.device().is_cpu() && dx.device().is_cpu() &&
                     X.is_contiguous() && dx.is_contiguous() && X.scalar_type() == dx.scalar_type();
  if (plain && X.scalar_type() == torch::kFloat64) return moved_by_of<double>(X, dx, scale);
  if (plain && X.scalar_type() == torch::kFloat32) return moved_by_of<float>(X, dx, scale);
  const auto step = scale == 1.0 ? dx : scale * dx;
  auto next = X + step;
  const auto [mean, finite] = displacement_and_finite(next, step);
  return {next, mean, finite};
}

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
