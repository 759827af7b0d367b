#pragma once
/// Particle-parallel sampling over the ranks of a run (core/collectives.h; dist::Communicator over
/// c10d): rank r of K owns the r-th of K contiguous blocks of the N particles (sizes differing by at
/// most one), and the exchange of sampler/particle_parallel.h gathers and sums through the ranks.
#include <vector>

#include "esvgd/core/collectives.h"
#include "esvgd/sampler/particle_parallel.h"

namespace esvgd::dist {

struct RowBlock {
  int64_t first = 0;
  int64_t count = 0;
};

/// Rank `rank`'s block of `total` rows split over `size` ranks.
RowBlock rows_of(int64_t total, int64_t rank, int64_t size);

/// Every rank's rows in rank order, given every rank's row count: one all-gather of the blocks
/// padded to the largest count (Gloo gathers equal shapes).
torch::Tensor gather_blocks(const core::Collectives& ranks, const torch::Tensor& own, const std::vector<int64_t>& counts);

class RankExchange : public sampler::ParticleExchange {
 public:
  /// `ranks` must outlive the exchange. Throws esvgd::Error(kInvalidArgument) when total_rows < the
  /// number of ranks.
  RankExchange(const core::Collectives& ranks, int64_t total_rows);

  /// gather_blocks with the block sizes known in advance (one collective).
  torch::Tensor gather(const torch::Tensor& own) const override;
  torch::Tensor sum(const torch::Tensor& values) const override { return comm_.all_reduce_sum(values); }
  int64_t first_row() const override { return block_.first; }
  int64_t total_rows() const override { return total_; }

  /// This rank's rows of X [N, ...].
  torch::Tensor own_rows(const torch::Tensor& X) const { return X.narrow(0, block_.first, block_.count); }

 private:
  const core::Collectives& comm_;
  int64_t total_;
  RowBlock block_;
};

}  // namespace esvgd::dist
