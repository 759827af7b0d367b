#pragma once
/// Bond lengths as evidence that a point cloud is a molecule: the bond estimate (bond_estimation.h)
/// bonds any cloud by distance order alone, so a graph it builds says nothing about whether the
/// bonded atoms sit at bonding distance. This check does.
#include <torch/types.h>

#include "esvgd/chem/bond_estimation.h"

namespace esvgd::chem {

/// Bond lengths every bond of a real H/C/N/O/F molecule satisfies (QM9: 0.96-1.55 Å), with margin.
constexpr double kShortestBond = 0.9, kLongestBond = 1.75;

/// True when every bond of `graph` is kShortestBond-kLongestBond long at `positions` [P, 3] (Å).
/// Throws esvgd::Error(kInvalidArgument) when positions is not [P, 3] for the graph's P atoms.
bool plausible_bond_lengths(const BondGraph& graph, const torch::Tensor& positions);

}  // namespace esvgd::chem
