// Bond-length plausibility and element-pair distance histograms on hand-made and real geometries.
#include <functional>

#include <gtest/gtest.h>

#include "chem/geometries.h"
#include "esvgd/chem/bond_lengths.h"
#include "esvgd/chem/distance_histogram.h"
#include "esvgd/core/error.h"

namespace esvgd::test {
namespace {

torch::Tensor positions(const Geometry& g) {
  std::vector<double> flat;
  for (const auto& p : g.x) flat.insert(flat.end(), p.begin(), p.end());
  return torch::tensor(flat, torch::kFloat64).view({-1, 3});
}

/// Water with the O-H bonds of length `oh` at a 104.5° angle: atoms O, H, H.
torch::Tensor water(double oh) {
  const double half = 104.5 / 2 * M_PI / 180;
  return torch::tensor({0.0, 0.0, 0.0, oh * std::sin(half), oh * std::cos(half), 0.0, -oh * std::sin(half),
                        oh * std::cos(half), 0.0},
                       torch::kFloat64)
      .view({3, 3});
}

TEST(BondLengths, RealMoleculesArePlausible) {
  for (const auto& g : small_molecules())
    EXPECT_TRUE(chem::plausible_bond_lengths(chem::estimate_bonds(g.z, g.x), positions(g))) << g.smiles;
}

TEST(BondLengths, StretchedOrSquashedBondsAreNot) {
  const std::vector<int64_t> z{8, 1, 1};
  for (double oh : {0.5, 0.85, 1.8, 3.0}) {
    const auto x = water(oh);
    EXPECT_FALSE(chem::plausible_bond_lengths(chem::estimate_bonds(z, x), x)) << oh;
  }
  for (double oh : {0.91, 0.96, 1.7}) {
    const auto x = water(oh);
    EXPECT_TRUE(chem::plausible_bond_lengths(chem::estimate_bonds(z, x), x)) << oh;
  }
}

TEST(BondLengths, WrongShapeNamesTheExpectedOne) {
  const std::vector<int64_t> z{8, 1, 1};
  const auto graph = chem::estimate_bonds(z, water(1.0));
  try {
    chem::plausible_bond_lengths(graph, torch::zeros({2, 3}, torch::kFloat64));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("positions must be [3, 3], got [2, 3]"), std::string::npos) << e.what();
  }
}

TEST(DistanceHistograms, WaterPutsEachDistanceInItsBin) {
  const std::vector<int64_t> z{8, 1, 1};
  const auto h = chem::distance_histograms(z, water(1.0).view({1, 9}), 40, 8.0);
  ASSERT_EQ(h.pairs, (std::vector<std::string>{"H-H", "O-H"}));
  EXPECT_EQ(h.atom_pairs, (std::vector<int64_t>{1, 2}));
  ASSERT_EQ(h.frequencies.sizes(), (torch::IntArrayRef{2, 40}));
  // H-H = 2 sin(52.25°) = 1.581 Å: bin 7 of 0.2 Å; both O-H = 1.0 Å: bin 5.
  EXPECT_DOUBLE_EQ(h.frequencies[0][7].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(h.frequencies[1][5].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(h.frequencies.sum().item<double>(), 2.0);
}

TEST(DistanceHistograms, LongDistancesFallInTheLastBin) {
  const std::vector<int64_t> z{6, 1};
  const auto x = torch::tensor({0.0, 0.0, 0.0, 30.0, 0.0, 0.0}, torch::kFloat64).view({1, 6});
  const auto h = chem::distance_histograms(z, x, 10, 5.0);
  EXPECT_EQ(h.pairs, std::vector<std::string>{"C-H"});
  EXPECT_DOUBLE_EQ(h.frequencies[0][9].item<double>(), 1.0);
}

TEST(DistanceTv, ZeroForTheSameSetOneForDisjointAndWeightedByAtomPairs) {
  const std::vector<int64_t> z{8, 1, 1};
  const auto a = chem::distance_histograms(z, water(1.0).view({1, 9}));
  EXPECT_DOUBLE_EQ(chem::distance_tv(a, a).weighted, 0.0);
  // Bonds of 3 Å: O-H moves from bin 5 to 15 (TV 1); H-H from 1.58 to 4.74 Å (TV 1).
  const auto b = chem::distance_histograms(z, water(3.0).view({1, 9}));
  const auto tv = chem::distance_tv(a, b);
  EXPECT_DOUBLE_EQ(tv.per_pair[0], 1.0);
  EXPECT_DOUBLE_EQ(tv.per_pair[1], 1.0);
  EXPECT_DOUBLE_EQ(tv.weighted, 1.0);
  // Half the molecules stretched: O-H and H-H each half off; weights 2 : 1 give 0.5 again.
  const auto c = chem::distance_histograms(z, torch::stack({water(1.0).view({9}), water(3.0).view({9})}));
  EXPECT_NEAR(chem::distance_tv(a, c).weighted, 0.5, 1e-12);
}

TEST(DistanceHistograms, BadInputsNameTheProblem) {
  const std::vector<int64_t> z{8, 1, 1};
  auto message = [&](const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { chem::distance_histograms(z, torch::zeros({2, 8}, torch::kFloat64)); })
                .find("X must be [N >= 1, 9] for 3 atoms (at least 2), got [2, 8]"),
            std::string::npos);
  EXPECT_NE(message([&] { chem::distance_histograms(z, torch::zeros({1, 9}, torch::kFloat64), 0); }).find("bins must be >= 1"),
            std::string::npos);
  const auto a = chem::distance_histograms(z, water(1.0).view({1, 9}));
  const auto b = chem::distance_histograms(z, water(1.0).view({1, 9}), 20);
  EXPECT_NE(message([&] { chem::distance_tv(a, b); }).find("different element pairs or bins"), std::string::npos);
}

}  // namespace
}  // namespace esvgd::test
