#include "esvgd/kernel/median.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

double median_sq_distance(const Kernel& kernel, const torch::Tensor& X, int64_t max_pairs, at::Generator& gen) {
  const int64_t N = X.size(0);
  ESVGD_CHECK(N >= 2, "the median heuristic needs at least 2 particles, got ", N);
  ESVGD_CHECK(max_pairs >= 1, "median_max_pairs must be >= 1, got ", max_pairs);
  const int64_t all_pairs = N * (N - 1) / 2;
  torch::Tensor i, j;
  if (all_pairs <= max_pairs) {
    auto idx = torch::triu_indices(N, N, 1);
    i = idx[0];
    j = idx[1];
  } else {
    // Uniform over ordered pairs with i ≠ j: draw j from the N − 1 others.
    i = torch::randint(N, {max_pairs}, gen, torch::kLong);
    auto off = torch::randint(1, N, {max_pairs}, gen, torch::kLong);
    j = torch::remainder(i + off, N);
  }
  // The pairs are drawn on the CPU (one generator for every device), then follow X.
  auto d2 = kernel.pair_sq_dist(X.index_select(0, i.to(X.device())), X.index_select(0, j.to(X.device())));
  const int64_t P = d2.size(0);
  return std::get<0>(torch::kthvalue(d2, (P - 1) / 2 + 1)).item<double>();
}

double median_bandwidth(const Kernel& kernel, const torch::Tensor& X, int64_t max_pairs, at::Generator& gen) {
  const double med = median_sq_distance(kernel, X, max_pairs, gen);
  return std::sqrt(med / (2.0 * std::log(static_cast<double>(X.size(0)) + 1.0)));
}

}  // namespace esvgd::kernel
