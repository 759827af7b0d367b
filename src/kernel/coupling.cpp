#include "esvgd/kernel/coupling.h"

#include <algorithm>
#include <cmath>

#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/kernel/kernel.h"
#include "row_chunks.h"

namespace esvgd::kernel {

namespace {
/// Elements of the largest temporary per chunk ([rows, M, D] for a scalar kernel's Gram, [rows, M, D, D]
/// for a matrix kernel's): small enough for the allocator to reuse freed blocks instead of mapping fresh
/// pages every step (at N = M = 1024 one unchunked Gram costs more in page faults than in arithmetic).
constexpr int64_t kChunkElements = int64_t(1) << 18;
}  // namespace

torch::Tensor kernel_strength(const Kernel& kernel, const torch::Tensor& X, const torch::Tensor& Y) {
  ESVGD_CHECK(X.dim() == 2 && Y.dim() == 2 && X.size(1) == Y.size(1), "kernel_strength needs X [N, D] and Y [M, D], got ",
              X.sizes(), " and ", Y.sizes());
  torch::NoGradGuard no_grad;
  const auto Yc = Y.to(X.dtype());
  const int64_t D = X.size(1), M = Y.size(0);
  auto scalar = [&](int64_t i0, int64_t n) { return kernel.gram(X.narrow(0, i0, n), Yc).to(X.dtype()); };
  auto matrix = [&](int64_t i0, int64_t n) {
    const auto K = kernel.gram(X.narrow(0, i0, n), Yc);  // [n, M, D, D]
    return (K.square().sum({2, 3}) / static_cast<double>(D)).sqrt().to(X.dtype());
  };
  if (!kernel.is_matrix_valued()) return detail::map_row_chunks(X.size(0), M * D, scalar, kChunkElements);
  return detail::map_row_chunks(X.size(0), M * D * D, matrix, kChunkElements);
}

torch::Tensor kernel_mass(const Kernel& kernel, const torch::Tensor& X, const torch::Tensor& Y) {
  return kernel_strength(kernel, X, Y).mean(1);
}

double mean_interacting(const Kernel& kernel, const torch::Tensor& X, const torch::Tensor& Y, double threshold,
                        int64_t max_rows) {
  ESVGD_CHECK(Y.size(0) >= X.size(0), "mean_interacting needs Y[:N] == X");
  const int64_t N = X.size(0), rows = std::min(N, std::max<int64_t>(max_rows, 1));
  if (rows == 0) return 0.0;
  // Evenly spaced rows: row r of the measured set is particle ⌊r N / rows⌋.
  const auto index = (torch::arange(rows, torch::kLong) * N).div(rows, "floor").to(X.device());
  auto s = kernel_strength(kernel, X.index_select(0, index), Y);  // [rows, M]
  s.scatter_(1, index.unsqueeze(1), 0.0);                         // the particle itself does not count
  return (s > threshold).sum().item<double>() / static_cast<double>(rows);
}

}  // namespace esvgd::kernel
