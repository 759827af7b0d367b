#include "esvgd/dist/rank_exchange.h"

#include <string>

#include "esvgd/core/error.h"

namespace esvgd::dist {

RowBlock rows_of(int64_t total, int64_t rank, int64_t size) {
  const int64_t first = total * rank / size;
  return {first, total * (rank + 1) / size - first};
}

RankExchange::RankExchange(const Communicator& comm, int64_t total_rows)
    : comm_(comm), total_(total_rows), block_(rows_of(total_rows, comm.rank(), comm.size())) {
  if (total_rows < comm.size())
    throw Error(ErrorKind::kInvalidArgument, "particle-parallel SVGD",
                "needs at least one particle per rank: " + std::to_string(total_rows) + " particles, " +
                    std::to_string(comm.size()) + " ranks");
}

}  // namespace esvgd::dist
