#pragma once
/// The collectives of a run over several processes, as an interface: the sampler and the trainer
/// use it, dist::Communicator implements it over torch.distributed (c10d), so that only dist/
/// depends on the process group. Every rank calls each collective in the same order.
#include <cstdint>

#include <torch/types.h>

namespace esvgd::core {

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual int64_t rank() const = 0;
  virtual int64_t size() const = 0;
  /// Every rank's rows in rank order, [Σ n_r, ...] from this rank's [n, ...] (counts may differ;
  /// they are exchanged first).
  virtual torch::Tensor all_gather_rows(const torch::Tensor& own) const = 0;
  /// The same for tensors of one shape on every rank, [K·n, ...], in one collective.
  virtual torch::Tensor all_gather_equal(const torch::Tensor& own) const = 0;
  /// The element-wise sum over ranks (a new tensor, the same bytes on every rank).
  virtual torch::Tensor all_reduce_sum(const torch::Tensor& values) const = 0;
  /// Rank `root`'s tensor, on every rank (same shape and dtype everywhere).
  virtual torch::Tensor broadcast(const torch::Tensor& values, int64_t root) const = 0;
};

}  // namespace esvgd::core
