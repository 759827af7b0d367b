// The three-step bond estimate: known molecules from realistic geometries, and each step's rule on
// geometries built so that the rule decides the outcome.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "chem/geometries.h"
#include "esvgd/chem/bond_estimation.h"
#include "chem/elements.h"
#include "esvgd/chem/molecule_check.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using chem::BondGraph;
using chem::estimate_bonds;
using Positions = std::vector<std::array<double, 3>>;

/// Sum of the bond orders at atom i.
int bonds_at(const BondGraph& g, int i) {
  int s = 0;
  for (const auto& b : g.bonds)
    if (b.a == i || b.b == i) s += b.order;
  return s;
}

TEST(BondEstimation, SmallMoleculesGiveTheirSmiles) {
  for (const auto& m : small_molecules()) {
    const auto g = estimate_bonds(m.z, m.x);
    const auto r = chem::to_smiles(g);
    EXPECT_TRUE(r.valid) << m.smiles << ": " << r.error;
    EXPECT_EQ(r.smiles, chem::canonical_smiles(m.smiles)) << m.smiles;
    for (int i = 0; i < g.num_atoms(); ++i) {
      EXPECT_EQ(g.free_valence[i], 0) << m.smiles << " atom " << i;
      EXPECT_EQ(bonds_at(g, i), chem::max_valence(m.z[i])) << m.smiles << " atom " << i;
    }
  }
}

TEST(BondEstimation, MultipleBondsComeFromStepThree) {
  const auto mols = small_molecules();
  auto find = [&](const std::string& s) {
    for (const auto& m : mols)
      if (m.smiles == s) return estimate_bonds(m.z, m.x);
    ADD_FAILURE() << s;
    return BondGraph{};
  };
  EXPECT_EQ(find("CC(C)=O").bond_order(1, 3), 2);  // the carbonyl
  EXPECT_EQ(find("CC(C)=O").bond_order(0, 1), 1);
  EXPECT_EQ(find("C#C").bond_order(0, 1), 3);
  EXPECT_EQ(find("CC#C").bond_order(1, 2), 3);
  EXPECT_EQ(find("CC#N").bond_order(1, 2), 3);
  EXPECT_EQ(find("C=C").bond_order(0, 1), 2);
  EXPECT_EQ(find("OCC=O").bond_order(2, 3), 2);  // the aldehyde, not the alcohol
  const auto ring = find("C1CC1");  // the ring closes in step 3 (p2 at the length of p1)
  EXPECT_EQ(ring.bond_order(0, 1) + ring.bond_order(1, 2) + ring.bond_order(0, 2), 3);
}

TEST(BondEstimation, TensorPositionsGiveTheSameGraph) {
  const auto m = small_molecules()[2];  // ethanol
  std::vector<double> flat;
  for (const auto& p : m.x) flat.insert(flat.end(), p.begin(), p.end());
  const auto t = torch::tensor(flat, torch::kFloat64).view({-1, 3});
  const auto a = estimate_bonds(m.z, m.x);
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    const auto b = estimate_bonds(m.z, t.to(dtype));
    ASSERT_EQ(a.bonds.size(), b.bonds.size());
    for (size_t k = 0; k < a.bonds.size(); ++k) {
      EXPECT_EQ(a.bonds[k].a, b.bonds[k].a);
      EXPECT_EQ(a.bonds[k].b, b.bonds[k].b);
      EXPECT_EQ(a.bonds[k].order, b.bonds[k].order);
    }
  }
}

TEST(BondEstimation, RotationAboutTheOriginChangesNothing) {
  // The start atom is the one nearest the origin, so rotations about it keep every choice.
  for (const auto& m : small_molecules()) {
    const double c = std::cos(0.7), s = std::sin(0.7);
    Positions rotated;
    for (const auto& p : m.x) rotated.push_back({c * p[0] - s * p[1], s * p[0] + c * p[1], p[2]});
    EXPECT_EQ(chem::to_smiles(estimate_bonds(m.z, rotated)).smiles, chem::to_smiles(estimate_bonds(m.z, m.x)).smiles)
        << m.smiles;
  }
}

// Step 1: an atom joins the graph at the nearest graph atom WITH free valence. F0 starts (at the
// origin) and takes C2; C1 is much closer to F0 than to C2 but F0 is full, so C1 bonds to C2.
TEST(BondEstimation, StepOneMeasuresOnlyToAtomsWithFreeValence) {
  const auto g = estimate_bonds({9, 6, 6}, Positions{{0, 0, 0}, {1.40, 0, 0}, {-1.35, 0, 0}});
  ASSERT_EQ(g.bonds.size(), 2u);
  EXPECT_EQ(g.bonds[0].a, 0);
  EXPECT_EQ(g.bonds[0].b, 2);
  EXPECT_EQ(g.bond_order(1, 2), 3);  // step 3 raises C1-C2 to the cap
  EXPECT_EQ(g.bond_order(0, 1), 0);
  EXPECT_EQ(g.free_valence, (std::vector<int>{0, 1, 0}));
}

// Step 1 stops when no graph atom can take a bond: F-F leaves the carbon out.
TEST(BondEstimation, StepOneStopsWhenTheGraphIsSaturated) {
  const auto g = estimate_bonds({9, 9, 6}, Positions{{0, 0, 0}, {1.4, 0, 0}, {-3, 0, 0}});
  ASSERT_EQ(g.bonds.size(), 1u);
  EXPECT_EQ(g.bond_order(0, 1), 1);
  EXPECT_EQ(g.free_valence, (std::vector<int>{0, 0, 4}));
}

// Step 2: the H farthest from its nearest free heavy atom goes first, and distances are updated.
// H3 (1.20 from O0) is bonded before H2 (0.97 from O0); O0 is then full, so H2 goes to C1.
TEST(BondEstimation, StepTwoBondsTheFarthestHydrogenFirst) {
  const auto g = estimate_bonds({8, 6, 1, 1}, Positions{{0, 0, 0}, {1.43, 0, 0}, {-0.3, 0.92, 0}, {-0.8, -0.9, 0}});
  ASSERT_EQ(g.bonds.size(), 3u);
  EXPECT_EQ(g.bonds[1].a, 0);
  EXPECT_EQ(g.bonds[1].b, 3);  // H3 first, to O0
  EXPECT_EQ(g.bonds[2].a, 1);
  EXPECT_EQ(g.bonds[2].b, 2);  // then H2, to C1 although O0 is nearer
  EXPECT_EQ(g.free_valence, (std::vector<int>{0, 2, 0, 0}));
  // C1 keeps two unspent bonds: step 3 needs two heavy atoms with free valence.
  const auto r = chem::to_smiles(g);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error, "unspent valence on atom 1 (C)");
}

// An extra H far away is bonded first (it is the farthest), so a close H is left over.
TEST(BondEstimation, AFarHydrogenCrowdsOutACloseOne) {
  auto m = small_molecules()[0];  // methane: C0, H1..H4
  m.z.push_back(1);
  m.x.push_back({3.0, 0.0, 0.0});
  const auto g = estimate_bonds(m.z, m.x);
  EXPECT_EQ(g.bond_order(0, 5), 1);
  int unbonded = 0;
  for (int h = 1; h <= 4; ++h) unbonded += g.bond_order(0, h) == 0;
  EXPECT_EQ(unbonded, 1);
  const auto r = chem::to_smiles(g);
  EXPECT_FALSE(r.valid);
  EXPECT_NE(r.error.find("2 fragments"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("unspent valence on atom"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("(H)"), std::string::npos) << r.error;
}

// Step 3's 1.1 rule on a triangle C0-C1 = 1.40 (p1), C1-C2 = 1.45, C0-C2 = c (p2, the pair that
// step 1 left unbonded). C0 carries two H, C2 one, C1 none, so after steps 1-2 the free valences
// are 1, 2, 2. With c <= 1.1 * 1.40 = 1.54 the ring closes; beyond it C0=C1 doubles first.
BondGraph triangle(double c) {
  const double a = 1.40, b = 1.45;
  const double x = (c * c - b * b + a * a) / (2 * a), y = std::sqrt(c * c - x * x);
  // H atoms point away from the ring: two on C0, one on C2 (outwards from the centroid).
  const double cx = (0 + a + x) / 3, cy = y / 3;
  const double ux = x - cx, uy = y - cy, un = std::hypot(ux, uy);
  return estimate_bonds({6, 6, 6, 1, 1, 1}, Positions{{0, 0, 0},
                                                     {a, 0, 0},
                                                     {x, y, 0},
                                                     {-0.545, -0.545, 0.771},
                                                     {-0.545, -0.545, -0.771},
                                                     {x + 1.09 * ux / un, y + 1.09 * uy / un, 0}});
}

TEST(BondEstimation, StepThreeClosesTheRingWithinTheTenPercentRule) {
  const auto g = triangle(1.50);
  EXPECT_EQ(g.bond_order(0, 2), 1);  // p2 bonded
  EXPECT_EQ(g.bond_order(0, 1), 1);
  EXPECT_EQ(g.bond_order(1, 2), 2);
  EXPECT_EQ(g.free_valence[1], 1);
}

TEST(BondEstimation, StepThreeRaisesTheClosestBondBeyondTheTenPercentRule) {
  const auto g = triangle(1.60);
  EXPECT_EQ(g.bond_order(0, 2), 0);
  EXPECT_EQ(g.bond_order(0, 1), 2);  // p1 doubled
  EXPECT_EQ(g.bond_order(1, 2), 2);
  EXPECT_EQ(g.free_valence[2], 1);
}

// Orders are capped at 3: a bare C2 ends as C#C with one unspent valence on each carbon.
TEST(BondEstimation, BondOrdersStopAtThree) {
  const auto g = estimate_bonds({6, 6}, Positions{{0, 0, 0}, {1.2, 0, 0}});
  ASSERT_EQ(g.bonds.size(), 1u);
  EXPECT_EQ(g.bonds[0].order, 3);
  EXPECT_EQ(g.free_valence, (std::vector<int>{1, 1}));
  const auto r = chem::to_smiles(g);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error, "unspent valence on atoms 0 (C), 1 (C)");
}

TEST(BondEstimation, NoHeavyAtomMeansNoBonds) {
  const auto g = estimate_bonds({1, 1}, Positions{{0, 0, 0}, {0.74, 0, 0}});
  EXPECT_TRUE(g.bonds.empty());
  EXPECT_EQ(g.free_valence, (std::vector<int>{1, 1}));
}

TEST(BondEstimation, BadInputIsNamed) {
  expect_error([] { estimate_bonds({6, 16}, Positions{{0, 0, 0}, {1.8, 0, 0}}); }, ErrorKind::kInvalidArgument,
               {"atom 1", "atomic number 16", "H(1) C(6) N(7) O(8) F(9)"});
  expect_error([] { estimate_bonds({6, 1}, Positions{{0, 0, 0}}); }, ErrorKind::kInvalidArgument,
               {"2 atomic numbers but 1 positions"});
  expect_error([] { estimate_bonds({6}, Positions{{0, NAN, 0}}); }, ErrorKind::kInvalidArgument,
               {"atom 0", "non-finite"});
  expect_error([] { estimate_bonds({6, 1}, torch::zeros({2, 2}, torch::kFloat64)); }, ErrorKind::kInvalidArgument,
               {"[n, 3]", "[2, 2]"});
  expect_error([] { estimate_bonds({6, 1}, torch::zeros({2, 3}, torch::kLong)); }, ErrorKind::kInvalidArgument,
               {"floating point"});
  expect_error([] { chem::max_valence(16); }, ErrorKind::kInvalidArgument, {"16"});
  EXPECT_EQ(chem::element_symbol(16), "Z=16");
}

}  // namespace
}  // namespace esvgd::test
