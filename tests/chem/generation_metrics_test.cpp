// Validity, uniqueness, novelty and isomer coverage on a hand-made batch with known counts.
#include <gtest/gtest.h>

#include "esvgd/chem/generation_metrics.h"

namespace esvgd::test {
namespace {

chem::SmilesResult valid(const std::string& s) { return {true, s, ""}; }
chem::SmilesResult invalid(const std::string& s) { return {false, s, "unspent valence on atom 0 (C)"}; }

TEST(GenerationMetrics, CountsAHandMadeBatch) {
  // 7 samples: ethanol 3x (a training molecule), acetaldehyde, acetylene, and two invalid ones,
  // one of which carries a training SMILES (it must count nowhere).
  const std::vector<chem::SmilesResult> samples{valid("CCO"), valid("CC=O"), valid("CCO"),   valid("C#C"),
                                                invalid("CCO"), valid("CCO"), invalid("[CH2]O")};
  const std::set<std::string> training{"CCO", "CCC"};
  const std::set<std::string> reference{"CCO", "CC=O", "CO"};
  const auto m = chem::generation_metrics(samples, training, reference);
  EXPECT_EQ(m.samples, 7);
  EXPECT_EQ(m.valid, 5);
  EXPECT_EQ(m.unique, 3);             // CCO, CC=O, C#C
  EXPECT_EQ(m.novel, 2);              // CC=O, C#C
  EXPECT_EQ(m.isomers_found, 2);      // CCO, CC=O
  EXPECT_EQ(m.reference_isomers, 3);
  EXPECT_EQ(m.training_hits, 3);      // the three valid ethanols
  EXPECT_DOUBLE_EQ(m.validity, 5.0 / 7);
  EXPECT_DOUBLE_EQ(m.uniqueness, 3.0 / 5);
  EXPECT_DOUBLE_EQ(m.novelty, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.training_fraction, 3.0 / 7);
}

TEST(GenerationMetrics, ZeroDenominatorsGiveZero) {
  const auto none = chem::generation_metrics({}, {"CCO"}, {"CCO"});
  EXPECT_EQ(none.samples, 0);
  EXPECT_EQ(none.reference_isomers, 1);
  EXPECT_EQ(none.validity, 0.0);
  EXPECT_EQ(none.uniqueness, 0.0);
  EXPECT_EQ(none.novelty, 0.0);
  EXPECT_EQ(none.training_fraction, 0.0);
  const auto all_bad = chem::generation_metrics({invalid("C"), invalid("")}, {}, {});
  EXPECT_EQ(all_bad.samples, 2);
  EXPECT_EQ(all_bad.valid, 0);
  EXPECT_EQ(all_bad.validity, 0.0);
  EXPECT_EQ(all_bad.uniqueness, 0.0);
  EXPECT_EQ(all_bad.novelty, 0.0);
}

}  // namespace
}  // namespace esvgd::test
