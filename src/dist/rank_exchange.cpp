#include "esvgd/dist/rank_exchange.h"

#include <string>
#include <vector>

#include <torch/torch.h>

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

torch::Tensor RankExchange::gather(const torch::Tensor& own) const {
  const int64_t K = comm_.size(), most = rows_of(total_, K - 1, K).count;  // the last block is the largest
  auto pad = own.sizes().vec();
  pad[0] = most - own.size(0);
  const auto blocks = comm_.all_gather_equal(pad[0] == 0 ? own : torch::cat({own, torch::zeros(pad, own.options())}));
  std::vector<torch::Tensor> rows;
  for (int64_t r = 0; r < K; ++r) rows.push_back(blocks.narrow(0, r * most, rows_of(total_, r, K).count));
  return torch::cat(rows);
}

}  // namespace esvgd::dist
