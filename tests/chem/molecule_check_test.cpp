// The RDKit bridge: validity rules and their messages, canonical SMILES, and the molecule grid.
#include <gtest/gtest.h>

#include "chem/geometries.h"
#include "core/test_util.h"
#include "esvgd/chem/bond_estimation.h"
#include "esvgd/chem/molecule_check.h"

namespace esvgd::test {
namespace {

using chem::Bond;
using chem::BondGraph;

/// A graph from atoms and bonds as given (free_valence left empty: to_smiles does not read it).
BondGraph graph(std::vector<int64_t> z, std::vector<Bond> bonds) {
  BondGraph g;
  g.atomic_numbers = std::move(z);
  g.bonds = std::move(bonds);
  return g;
}

TEST(ToSmiles, ValidMoleculeHasCanonicalSmilesWithoutHydrogens) {
  // ethanol: C0 C1 O2 and six H
  const auto g = graph({6, 6, 8, 1, 1, 1, 1, 1, 1},
                       {{0, 1, 1}, {1, 2, 1}, {0, 3, 1}, {0, 4, 1}, {0, 5, 1}, {1, 6, 1}, {1, 7, 1}, {2, 8, 1}});
  const auto r = chem::to_smiles(g);
  EXPECT_TRUE(r.valid) << r.error;
  EXPECT_EQ(r.smiles, "CCO");
  EXPECT_EQ(r.error, "");
}

TEST(ToSmiles, UnspentValenceIsARadical) {
  // CH3-OH with one H missing on carbon: the graph adds no implicit H, so C keeps a free valence.
  const auto r = chem::to_smiles(graph({6, 8, 1, 1, 1}, {{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {1, 4, 1}}));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error, "unspent valence on atom 0 (C)");
  EXPECT_EQ(r.smiles, "[CH2]O");  // still written, for figures
}

TEST(ToSmiles, SeveralFragmentsAreInvalid) {
  const auto r = chem::to_smiles(graph({8, 1, 1, 8, 1, 1}, {{0, 1, 1}, {0, 2, 1}, {3, 4, 1}, {3, 5, 1}}));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error, "2 fragments");
  EXPECT_EQ(r.smiles, "O.O");
}

TEST(ToSmiles, RdkitRejectionIsReported) {
  // pentavalent carbon
  const auto r = chem::to_smiles(graph({6, 1, 1, 1, 1, 1}, {{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {0, 4, 1}, {0, 5, 1}}));
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error.rfind("RDKit: ", 0), 0u) << r.error;
  EXPECT_NE(r.error.find("valence"), std::string::npos) << r.error;
  EXPECT_EQ(r.smiles, "");
}

TEST(ToSmiles, EmptyGraphIsInvalid) {
  const auto r = chem::to_smiles(BondGraph{});
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error, "empty molecule");
}

TEST(ToSmiles, MalformedGraphThrows) {
  expect_error([] { chem::to_smiles(graph({6, 1}, {{0, 2, 1}})); }, ErrorKind::kInvalidArgument,
               {"bond 0-2", "outside 0..1"});
  expect_error([] { chem::to_smiles(graph({6, 1}, {{0, 0, 1}})); }, ErrorKind::kInvalidArgument,
               {"atom 0 is bonded to itself"});
  expect_error([] { chem::to_smiles(graph({6, 1}, {{0, 1, 1}, {1, 0, 1}})); }, ErrorKind::kInvalidArgument,
               {"bonded twice"});
  expect_error([] { chem::to_smiles(graph({6, 6}, {{0, 1, 4}})); }, ErrorKind::kInvalidArgument, {"order 4"});
  expect_error([] { chem::to_smiles(graph({6, 17}, {{0, 1, 1}})); }, ErrorKind::kInvalidArgument,
               {"atom 1", "atomic number 17"});
}

TEST(CanonicalSmiles, EquivalentSmilesAgreeAndStereoIsDropped) {
  EXPECT_EQ(chem::canonical_smiles("OCC"), "CCO");
  EXPECT_EQ(chem::canonical_smiles("C(O)C"), chem::canonical_smiles("CCO"));
  EXPECT_EQ(chem::canonical_smiles("C/C=C/[C@H](C)O"), chem::canonical_smiles("OC(C)C=CC"));
  EXPECT_EQ(chem::canonical_smiles("C/C=C/[C@H](C)O").find_first_of("@/\\"), std::string::npos);
  EXPECT_EQ(chem::canonical_smiles("[13CH4]"), "C");  // isotopes go with the stereo
  EXPECT_EQ(chem::canonical_smiles("C1=CC=CC=C1"), "c1ccccc1");
}

TEST(CanonicalSmiles, UnreadableInputIsNamed) {
  expect_error([] { chem::canonical_smiles("C1CC"); }, ErrorKind::kInvalidArgument, {"'C1CC'"});
  expect_error([] { chem::canonical_smiles("C(C)(C)(C)(C)C"); }, ErrorKind::kInvalidArgument,
               {"'C(C)(C)(C)(C)C'", "valence"});
  expect_error([] { chem::canonical_smiles(""); }, ErrorKind::kInvalidArgument, {"empty SMILES"});
}

class MoleculeGrid : public ScratchDir {};

TEST_F(MoleculeGrid, WritesAPngForValidAndInvalidMolecules) {
  std::vector<BondGraph> mols;
  for (const auto& m : small_molecules()) mols.push_back(chem::estimate_bonds(m.z, m.x));
  mols.push_back(graph({6, 8, 1, 1, 1}, {{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {1, 4, 1}}));                // radical
  mols.push_back(graph({6, 1, 1, 1, 1, 1}, {{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {0, 4, 1}, {0, 5, 1}}));  // C(5)
  mols.push_back(graph({6, 6}, {{0, 1, 3}}));                                                       // C#C radicals
  std::vector<chem::SmilesResult> results;
  for (const auto& g : mols) results.push_back(chem::to_smiles(g));
  chem::draw_molecule_grid(path("grid.png"), mols, results);
  const auto png = read_bytes(path("grid.png"));
  EXPECT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(entries(), std::vector<std::string>{"grid.png"});  // no temporary left behind
}

TEST_F(MoleculeGrid, GarbageNeverThrows) {
  // Results computed inside; a malformed graph (bond to a missing atom, unknown element, order 7)
  // and an empty graph still get panels.
  std::vector<BondGraph> mols{graph({6, 1}, {{0, 5, 1}, {0, 1, 1}}), graph({16, 6, 6}, {{0, 1, 7}, {1, 2, 1}}),
                              BondGraph{}, graph({1, 1, 1}, {{0, 1, 1}, {1, 2, 1}})};
  chem::draw_molecule_grid(path("garbage.png"), mols, {}, 3, 120);
  EXPECT_EQ(read_bytes(path("garbage.png")).substr(0, 4), std::string("\x89PNG", 4));
}

TEST_F(MoleculeGrid, MisuseIsAnError) {
  const std::vector<BondGraph> one{graph({8, 1, 1}, {{0, 1, 1}, {0, 2, 1}})};
  expect_error([&] { chem::draw_molecule_grid(path("a.png"), {}, {}); }, ErrorKind::kInvalidArgument,
               {"no molecules"});
  expect_error([&] { chem::draw_molecule_grid(path("a.png"), one, std::vector<chem::SmilesResult>(2)); },
               ErrorKind::kInvalidArgument, {"1 molecules but 2 results"});
  expect_error([&] { chem::draw_molecule_grid(path("a.png"), one, {}, 0); }, ErrorKind::kInvalidArgument,
               {"columns"});
  expect_error([&] { chem::draw_molecule_grid(path("a.png"), one, {}, 8, 10); }, ErrorKind::kInvalidArgument,
               {"panel_px"});
  expect_error([&] { chem::draw_molecule_grid(path("missing/dir/a.png"), one); }, ErrorKind::kIo, {"a.png"});
}

}  // namespace
}  // namespace esvgd::test
