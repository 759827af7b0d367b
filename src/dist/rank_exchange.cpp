#include "esvgd/dist/rank_exchange.h"

#include <algorithm>
#include <string>
#include <vector>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::dist {

RowBlock rows_of(int64_t total, int64_t rank, int64_t size) {
  const int64_t first = total * rank / size;
  return {first, total * (rank + 1) / size - first};
}

RankExchange::RankExchange(const core::Collectives& comm, int64_t total_rows)
    : comm_(comm), total_(total_rows), block_(rows_of(total_rows, comm.rank(), comm.size())) {
  if (total_rows < comm.size())
    throw Error(ErrorKind::kInvalidArgument, "particle-parallel SVGD",
                "needs at least one particle per rank: " + std::to_string(total_rows) + " particles, " +
                    std::to_string(comm.size()) + " ranks");
}

torch::Tensor gather_blocks(const core::Collectives& ranks, const torch::Tensor& own, const std::vector<int64_t>& counts) {
  const int64_t most = *std::max_element(counts.begin(), counts.end());
  auto pad = own.sizes().vec();
  pad[0] = most - own.size(0);
  const auto blocks = ranks.all_gather_equal(pad[0] == 0 ? own : torch::cat({own, torch::zeros(pad, own.options())}));
  std::vector<torch::Tensor> rows;
  for (size_t r = 0; r < counts.size(); ++r) rows.push_back(blocks.narrow(0, static_cast<int64_t>(r) * most, counts[r]));
  return torch::cat(rows);
}

torch::Tensor RankExchange::gather(const torch::Tensor& own) const {
  std::vector<int64_t> counts;  // known in advance: no exchange of the counts
  for (int64_t r = 0; r < comm_.size(); ++r) counts.push_back(rows_of(total_, r, comm_.size()).count);
  return gather_blocks(comm_, own, counts);
}

}  // namespace esvgd::dist
