#include "esvgd/chem/molecule_check.h"

#include <set>
#include <utility>

#include <GraphMol/MolOps.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <GraphMol/SmilesParse/SmilesWrite.h>

#include "chem/elements.h"
#include "esvgd/core/error.h"
#include "rdkit_bridge.h"

namespace esvgd::chem {
namespace detail {

void check_graph(const BondGraph& graph) {
  const int64_t n = graph.num_atoms();
  for (int64_t i = 0; i < n; ++i)
    ESVGD_CHECK(is_supported_element(graph.atomic_numbers[i]), "bond graph: atom ", i, " has atomic number ",
                graph.atomic_numbers[i], "; supported: H(1) C(6) N(7) O(8) F(9)");
  std::set<std::pair<int, int>> seen;
  for (const auto& b : graph.bonds) {
    ESVGD_CHECK(b.a >= 0 && b.a < n && b.b >= 0 && b.b < n, "bond graph: bond ", b.a, "-", b.b,
                " names an atom outside 0..", n - 1);
    ESVGD_CHECK(b.a != b.b, "bond graph: atom ", b.a, " is bonded to itself");
    ESVGD_CHECK(b.order >= 1 && b.order <= 3, "bond graph: bond ", b.a, "-", b.b, " has order ", b.order,
                "; expected 1, 2 or 3");
    ESVGD_CHECK(seen.insert(std::minmax(b.a, b.b)).second, "bond graph: atoms ", b.a, " and ", b.b,
                " are bonded twice");
  }
}

std::vector<int> unspent_valence(const BondGraph& graph) {
  const int n = static_cast<int>(graph.num_atoms());
  std::vector<int> left(n, 0);
  for (int i = 0; i < n; ++i)
    if (is_supported_element(graph.atomic_numbers[i])) left[i] = max_valence(graph.atomic_numbers[i]);
  for (const auto& b : graph.bonds) {
    if (b.a < 0 || b.a >= n || b.b < 0 || b.b >= n || b.a == b.b) continue;
    left[b.a] -= b.order;
    left[b.b] -= b.order;
  }
  return left;
}

std::unique_ptr<RDKit::RWMol> build_rwmol(const BondGraph& graph, bool lenient) {
  if (!lenient) check_graph(graph);
  auto mol = std::make_unique<RDKit::RWMol>();
  const int n = static_cast<int>(graph.num_atoms());
  for (int i = 0; i < n; ++i) {
    const int64_t z = graph.atomic_numbers[i];
    RDKit::Atom atom(z >= 0 && z <= 118 ? static_cast<int>(z) : 0);
    // The graph's H atoms are all the hydrogens there are: RDKit must not add implicit ones, or a
    // radical would silently become a saturated atom.
    atom.setNoImplicit(true);
    mol->addAtom(&atom, /*updateLabel=*/true, /*takeOwnership=*/false);
  }
  std::set<std::pair<int, int>> seen;
  for (const auto& b : graph.bonds) {
    if (b.a < 0 || b.a >= n || b.b < 0 || b.b >= n || b.a == b.b) continue;  // only when lenient
    if (!seen.insert(std::minmax(b.a, b.b)).second) continue;
    const auto type = b.order == 2   ? RDKit::Bond::DOUBLE
                      : b.order == 3 ? RDKit::Bond::TRIPLE
                                     : RDKit::Bond::SINGLE;
    mol->addBond(static_cast<unsigned>(b.a), static_cast<unsigned>(b.b), type);
  }
  return mol;
}

}  // namespace detail

namespace {

std::string unspent_message(const BondGraph& graph, const std::vector<int>& left) {
  std::string atoms;
  int count = 0;
  for (size_t i = 0; i < left.size(); ++i) {
    if (left[i] <= 0) continue;
    if (count++ > 0) atoms += ", ";
    atoms += std::to_string(i) + " (" + element_symbol(graph.atomic_numbers[i]) + ")";
  }
  if (count == 0) return "";
  return std::string("unspent valence on atom") + (count > 1 ? "s " : " ") + atoms;
}

/// Parses a SMILES into a sanitised molecule; nullptr with `why` set when RDKit cannot.
std::unique_ptr<RDKit::RWMol> parse(const std::string& smiles, std::string& why) {
  try {
    std::unique_ptr<RDKit::RWMol> mol(RDKit::SmilesToMol(smiles));
    if (!mol) why = "not a SMILES RDKit can parse";
    return mol;
  } catch (const std::exception& e) {
    why = e.what();  // sanitisation failures (e.g. pentavalent carbon) throw
  }
  return nullptr;
}

}  // namespace

SmilesResult to_smiles(const BondGraph& graph) {
  auto mol = detail::build_rwmol(graph, /*lenient=*/false);
  SmilesResult out;
  if (graph.num_atoms() == 0) {
    out.error = "empty molecule";
    return out;
  }
  try {
    RDKit::MolOps::sanitizeMol(*mol);
  } catch (const std::exception& e) {
    out.error = std::string("RDKit: ") + e.what();
    return out;
  }
  std::vector<std::string> failed;
  std::vector<int> fragment_of;
  const unsigned fragments = RDKit::MolOps::getMolFrags(*mol, fragment_of);
  if (fragments > 1) failed.push_back(std::to_string(fragments) + " fragments");
  const std::string unspent = unspent_message(graph, detail::unspent_valence(graph));
  if (!unspent.empty()) failed.push_back(unspent);
  try {
    RDKit::MolOps::removeHs(*mol);
    out.smiles = RDKit::MolToSmiles(*mol, /*doIsomericSmiles=*/false);
    // Round trip: the same parser and writer as canonical_smiles of a reference, so equal
    // molecules give equal strings whichever way they were built.
    std::string why;
    if (auto again = parse(out.smiles, why)) out.smiles = RDKit::MolToSmiles(*again, false);
  } catch (const std::exception& e) {
    failed.push_back(std::string("RDKit: ") + e.what());
  }
  for (size_t i = 0; i < failed.size(); ++i) out.error += (i ? "; " : "") + failed[i];
  out.valid = failed.empty();
  return out;
}

std::string canonical_smiles(const std::string& smiles) {
  ESVGD_CHECK(!smiles.empty(), "canonical SMILES: empty SMILES");
  std::string why;
  auto mol = parse(smiles, why);
  ESVGD_CHECK(mol != nullptr, "canonical SMILES: cannot read '", smiles, "': ", why);
  return RDKit::MolToSmiles(*mol, /*doIsomericSmiles=*/false);
}

}  // namespace esvgd::chem
