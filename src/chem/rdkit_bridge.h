#pragma once
// Private to src/chem: bond graphs as RDKit molecules. Only .cpp files of this folder include it,
// so no RDKit header reaches the public include/esvgd tree.
#include <memory>
#include <vector>

#include <GraphMol/RWMol.h>

#include "esvgd/chem/bond_estimation.h"

namespace esvgd::chem::detail {

/// Throws esvgd::Error(kInvalidArgument) for a malformed graph: unsupported element, bond index
/// out of range, self bond, a pair bonded twice, order outside 1..3.
void check_graph(const BondGraph& graph);

/// Per atom: max valence minus the orders of its bonds (negative when over-bonded). Lenient:
/// atoms of unsupported elements and malformed bonds count as 0.
std::vector<int> unspent_valence(const BondGraph& graph);

/// An RWMol with one atom per graph atom (no implicit H: the graph's H atoms are all there is) and
/// the graph's bonds, not sanitised. With lenient = true, malformed bonds are skipped and unknown
/// elements become dummy atoms instead of throwing (for drawing garbage).
std::unique_ptr<RDKit::RWMol> build_rwmol(const BondGraph& graph, bool lenient);

}  // namespace esvgd::chem::detail
