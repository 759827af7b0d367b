#include "esvgd/chem/generation_metrics.h"

namespace esvgd::chem {
namespace {

double ratio(int64_t num, int64_t den) { return den > 0 ? static_cast<double>(num) / static_cast<double>(den) : 0.0; }

}  // namespace

GenerationMetrics generation_metrics(const std::vector<SmilesResult>& samples,
                                     const std::set<std::string>& training_smiles,
                                     const std::set<std::string>& reference_smiles) {
  GenerationMetrics m;
  m.samples = static_cast<int64_t>(samples.size());
  m.reference_isomers = static_cast<int64_t>(reference_smiles.size());
  std::set<std::string> distinct;
  for (const auto& s : samples) {
    if (!s.valid) continue;
    ++m.valid;
    distinct.insert(s.smiles);
    if (training_smiles.count(s.smiles)) ++m.training_hits;
  }
  m.unique = static_cast<int64_t>(distinct.size());
  for (const auto& s : distinct) {
    if (!training_smiles.count(s)) ++m.novel;
    if (reference_smiles.count(s)) ++m.isomers_found;
  }
  m.validity = ratio(m.valid, m.samples);
  m.uniqueness = ratio(m.unique, m.valid);
  m.novelty = ratio(m.novel, m.unique);
  m.training_fraction = ratio(m.training_hits, m.samples);
  return m;
}

}  // namespace esvgd::chem
