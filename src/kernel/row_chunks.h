#pragma once
// Row chunking for kernels that form an N × M pair matrix with tensor ops (the SO(2)/SO(3) closed
// forms): bounded memory at any N, M.
#include <algorithm>
#include <vector>

#include <torch/types.h>

namespace esvgd::kernel::detail {

constexpr int64_t kMaxChunkPairs = int64_t(1) << 22;

/// Concatenates f(i0, n) over consecutive row ranges [i0, i0 + n) of at most max_pairs pairs (rows × M) each.
template <typename F>
torch::Tensor map_row_chunks(int64_t N, int64_t M, F&& f, int64_t max_pairs = kMaxChunkPairs) {
  const int64_t rows = std::max<int64_t>(1, max_pairs / std::max<int64_t>(1, M));
  std::vector<torch::Tensor> parts;
  for (int64_t i0 = 0; i0 < N; i0 += rows) parts.push_back(f(i0, std::min(rows, N - i0)));
  return torch::cat(parts);
}

}  // namespace esvgd::kernel::detail
