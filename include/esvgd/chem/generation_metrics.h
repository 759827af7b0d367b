#pragma once
/// How good a batch of generated molecules is: validity, uniqueness, novelty against the training
/// molecules, and coverage of a reference set (e.g. all 48 C5H8O isomers of QM9).
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "esvgd/chem/molecule_check.h"

namespace esvgd::chem {

/// Counts and rates over N samples. A sample counts by its SmilesResult: only valid ones enter any
/// set; SMILES are compared as strings, so training and reference sets must hold canonical SMILES
/// (canonical_smiles) as to_smiles writes them. A rate with a zero denominator is 0.
struct GenerationMetrics {
  int64_t samples = 0;            ///< N
  int64_t valid = 0;              ///< samples with valid = true
  int64_t unique = 0;             ///< distinct SMILES among the valid samples
  int64_t novel = 0;              ///< distinct valid SMILES not in the training set
  int64_t isomers_found = 0;      ///< distinct valid SMILES that are in the reference set
  int64_t reference_isomers = 0;  ///< size of the reference set
  int64_t training_hits = 0;      ///< valid samples (with repeats) whose SMILES is in the training set
  double validity = 0;            ///< valid / samples
  double uniqueness = 0;          ///< unique / valid
  double novelty = 0;             ///< novel / unique
  double training_fraction = 0;   ///< training_hits / samples
};

GenerationMetrics generation_metrics(const std::vector<SmilesResult>& samples,
                                     const std::set<std::string>& training_smiles,
                                     const std::set<std::string>& reference_smiles);

}  // namespace esvgd::chem
