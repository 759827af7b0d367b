#include "esvgd/chem/bond_lengths.h"

#include <cmath>

#include <ATen/ATen.h>

#include "esvgd/core/error.h"

namespace esvgd::chem {

bool plausible_bond_lengths(const BondGraph& graph, const torch::Tensor& positions) {
  if (positions.dim() != 2 || positions.size(0) != graph.num_atoms() || positions.size(1) != 3)
    throw Error(ErrorKind::kInvalidArgument, "plausible_bond_lengths",
                "positions must be [" + std::to_string(graph.num_atoms()) + ", 3], got " + c10::str(positions.sizes()));
  const auto x = positions.to(at::kDouble).contiguous();
  const double* r = x.data_ptr<double>();
  for (const auto& b : graph.bonds) {
    double d2 = 0;
    for (int k = 0; k < 3; ++k) d2 += (r[3 * b.a + k] - r[3 * b.b + k]) * (r[3 * b.a + k] - r[3 * b.b + k]);
    const double d = std::sqrt(d2);
    if (!(d >= kShortestBond && d <= kLongestBond)) return false;
  }
  return true;
}

}  // namespace esvgd::chem
