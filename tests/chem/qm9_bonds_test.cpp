// The bond estimate on the 48 true QM9 C5H8O geometries: how many come back as their own SMILES.
#include <iostream>
#include <set>

#include <gtest/gtest.h>

#include "esvgd/chem/bond_estimation.h"
#include "esvgd/chem/generation_metrics.h"
#include "esvgd/chem/molecule_check.h"
#include "esvgd/data/qm9_xyz.h"

namespace esvgd::test {
namespace {

TEST(Qm9Bonds, TrueGeometriesReproduceTheirSmiles) {
  const auto mols = data::load_shipped_qm9();
  ASSERT_EQ(mols.size(), 48u);
  std::vector<chem::SmilesResult> results;
  std::set<std::string> reference, training;
  int64_t same = 0;
  for (const auto& m : mols) {
    const auto r = chem::to_smiles(chem::estimate_bonds(m.atomic_numbers, m.positions));
    const auto ref = chem::canonical_smiles(m.smiles);
    reference.insert(ref);
    if (m.split == "train") training.insert(ref);
    const bool ok = r.valid && r.smiles == ref;
    same += ok;
    EXPECT_TRUE(ok) << m.name << ": expected " << ref << ", got " << r.smiles << " " << r.error;
    results.push_back(r);
  }
  std::cout << "[ qm9 ] " << same << " of " << mols.size() << " QM9 C5H8O geometries reproduce their SMILES\n";
  // All 48 do with this implementation (measured); the bound leaves no room for a silent regression.
  EXPECT_GE(same, 48);
  const auto m = chem::generation_metrics(results, training, reference);
  EXPECT_EQ(m.validity, 1.0);
  EXPECT_EQ(m.unique, 48);
  EXPECT_EQ(m.isomers_found, 48);
  EXPECT_EQ(m.reference_isomers, 48);
  EXPECT_EQ(training.size(), 35u);
  EXPECT_EQ(m.training_hits, 35);
  EXPECT_EQ(m.novel, 13);
}

}  // namespace
}  // namespace esvgd::test
