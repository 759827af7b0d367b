#include "replicas.h"

#include <cstring>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::train {

void sum_gradients(const std::vector<torch::Tensor>& parameters, const core::Collectives& ranks) {
  // Every rank ran the same graph, so the same gradients are defined everywhere.
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return;
  std::vector<torch::Tensor> flat;
  for (const auto& g : grads) flat.push_back(g.reshape({-1}));
  const auto total = ranks.all_reduce_sum(torch::cat(flat));
  int64_t offset = 0;
  for (auto& g : grads) {
    g.copy_(total.narrow(0, offset, g.numel()).view_as(g));
    offset += g.numel();
  }
}

uint64_t parameter_hash(const std::vector<torch::Tensor>& parameters) {
  uint64_t h = 14695981039346656037ULL;
  for (const auto& p : parameters) {
    const auto bytes = p.detach().to(torch::kCPU).contiguous();
    const auto* data = static_cast<const unsigned char*>(bytes.data_ptr());
    for (size_t i = 0; i < bytes.nbytes(); ++i) h = (h ^ data[i]) * 1099511628211ULL;
  }
  return h;
}

void check_same_parameters(const std::vector<torch::Tensor>& parameters, const core::Collectives& ranks,
                           const std::string& where) {
  int64_t own = 0;
  const uint64_t h = parameter_hash(parameters);
  std::memcpy(&own, &h, sizeof h);
  const auto all = ranks.all_gather_rows(torch::tensor({own}, torch::kLong));
  for (int64_t r = 1; r < all.size(0); ++r)
    if (all[r].item<int64_t>() != all[0].item<int64_t>())
      throw Error(ErrorKind::kNumerical, where,
                  "the parameters of rank " + std::to_string(r) + " differ from rank 0's (data-parallel training "
                  "lost step: were the ranks started with the same configuration, seed and esvgd build?)");
}

std::string broadcast_bytes(const std::string& bytes, const core::Collectives& ranks) {
  const bool root = ranks.rank() == 0;
  const int64_t n = ranks.broadcast(torch::tensor({root ? static_cast<int64_t>(bytes.size()) : 0}, torch::kLong), 0)
                        .item<int64_t>();
  if (n == 0) return {};
  auto buffer = torch::empty({n}, torch::kUInt8);
  if (root) std::memcpy(buffer.data_ptr(), bytes.data(), static_cast<size_t>(n));
  buffer = ranks.broadcast(buffer, 0);
  return {static_cast<const char*>(buffer.data_ptr()), static_cast<size_t>(n)};
}

int64_t max_over_ranks(int64_t value, const core::Collectives& ranks) {
  return ranks.all_gather_rows(torch::tensor({value}, torch::kLong)).max().item<int64_t>();
}

}  // namespace esvgd::train
