// Particle systems and molecules, with the data shipped in esvgd (data/dw4, data/qm9).
//
// DW-4: four particles in the plane under the double-well potential, which is invariant under
// rotations, reflections, translations and permutations of the particles (E(2) × S_4). We find its
// meta-stable states, read the authors' training set, check the symmetry with a random group
// element, and sample the potential with E-SVGD (the exact O(2) × S_4 orbit kernel).
// QM9: the 48 C5H8O isomers. Bonds are estimated from the 3-D positions alone and checked with
// RDKit; noisy copies of the molecules stand in for generated samples, scored by validity,
// uniqueness, novelty and how far their interatomic distances are from the data. Last, an
// E(3)-invariant graph network energy is evaluated on a molecule and on a moved, permuted copy.
#include <algorithm>
#include <iostream>
#include <set>

#include <torch/torch.h>

#include "esvgd/chem/bond_estimation.h"
#include "esvgd/chem/bond_lengths.h"
#include "esvgd/chem/distance_histogram.h"
#include "esvgd/chem/generation_metrics.h"
#include "esvgd/chem/molecule_check.h"
#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"
#include "esvgd/data/dw4_data.h"
#include "esvgd/data/molecule.h"
#include "esvgd/data/qm9_xyz.h"
#include "esvgd/data/shipped_data.h"
#include "esvgd/group/molecule_group.h"
#include "esvgd/group/particle_group.h"
#include "esvgd/group/particle_invariant.h"
#include "esvgd/kernel/particle_orbit.h"
#include "esvgd/model/egnn_energy.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/double_well.h"
#include "esvgd/target/meta_stable.h"

using namespace esvgd;

namespace {

/// The largest |a − b|.
double max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

bool dw4(at::Generator& gen) {
  const target::DoubleWellPotential u;  // DW-4: 4 particles in 2-D, rows x1, y1, ..., x4, y4
  const auto states = target::find_meta_stable_states(u, target::StateSearchOptions().starts(100), gen);
  const target::StateClassifier classifier(u, states);
  std::cout << "DW-4: " << states.size() << " meta-stable states, S1 at u = " << states.front().energy << "\n";

  // The authors' "fixed" training set: 200 noisy copies of each state, in order.
  const auto fixed = data::read_configurations(data::shipped_data_path("dw4/jaini2021_fixed_DW4.npy"), 8);
  const auto dimer = core::read_npy(data::shipped_data_path("dw4/jaini2021_dimer_4particles.npy"));
  std::cout << "  shipped sets: fixed " << fixed.sizes() << ", dimer " << dimer.sizes() << " " << dimer.dtype()
            << "; fixed rows per state:";
  const auto labels = classifier.classify(fixed);
  for (int64_t s = 0; s < static_cast<int64_t>(states.size()); ++s)
    std::cout << " " << (labels == s).sum().item<int64_t>();
  std::cout << "\n";

  // u and the pair-distance invariant do not see a random rotation/reflection and permutation.
  const group::ParticleGroup e2s4(4);
  const auto g = e2s4.random_element(gen);  // [8, 8]
  const group::ParticleInvariant distances(group::ParticleInvariant::Kind::kPairDistances, 4, 2);
  const double u_change = max_diff(u.energy(group::act(g, fixed)), u.energy(fixed));
  const double f_change = max_diff(distances.features(group::act(g, fixed)), distances.features(fixed));
  std::cout << "  under a random element of " << e2s4.name() << ": u changes by " << u_change
            << ", pair distances by " << f_change << "\n";

  // E-SVGD on π ∝ exp(−u) from noisy copies of the states: u falls, and the particles stay in the wells.
  const auto X0 = data::build_state_copies(states, 8, 0.3, gen);
  const auto options = sampler::SvgdOptions()
                           .optimizer(sampler::OptimizerOptions().step_size(0.02))
                           .max_steps(500)
                           .median(true);
  auto kernel = std::make_shared<kernel::ParticleOrbitKernel>(4, 1.0);
  const auto X = sampler::Svgd(target::score_fn(u), kernel, options).run(X0).particles;
  const double u0 = u.energy(X0).mean().item<double>(), u1 = u.energy(X).mean().item<double>();
  const double in_states = (classifier.classify(X) >= 0).to(torch::kFloat64).mean().item<double>();
  std::cout << "  " << kernel->name() << " SVGD: mean u " << u0 << " -> " << u1 << ", " << 100 * in_states
            << "% of the particles in a meta-stable state\n";
  return u_change < 1e-9 && f_change < 1e-9 && u1 < u0;
}

/// Valid, unique and novel molecules among the shipped isomers with N(0, noise²) added to every
/// coordinate (Å), judged from their bond graphs; training and reference sets are canonical SMILES.
chem::GenerationMetrics judge(const std::vector<data::Molecule>& molecules, double noise,
                              const std::set<std::string>& training, const std::set<std::string>& reference,
                              at::Generator& gen) {
  std::vector<chem::SmilesResult> results;
  int64_t plausible = 0;
  for (const auto& m : molecules) {
    const auto positions = m.positions + noise * torch::randn(m.positions.sizes(), gen, torch::kFloat64);
    const auto graph = chem::estimate_bonds(m.atomic_numbers, positions);
    plausible += chem::plausible_bond_lengths(graph, positions);
    results.push_back(chem::to_smiles(graph));
  }
  const auto g = chem::generation_metrics(results, training, reference);
  std::cout << "  noise " << noise << " Å: validity " << g.validity << ", uniqueness " << g.uniqueness << ", novelty "
            << g.novelty << ", isomers found " << g.isomers_found << "/" << g.reference_isomers
            << ", plausible bond lengths " << plausible << "/" << molecules.size() << "\n";
  return g;
}

bool qm9(at::Generator& gen) {
  auto molecules = data::load_shipped_qm9();
  std::set<std::string> training, reference;
  for (const auto& m : molecules) {
    reference.insert(chem::canonical_smiles(m.smiles));
    if (m.split == "train") training.insert(chem::canonical_smiles(m.smiles));
  }
  std::cout << "QM9: " << molecules.size() << " molecules of " << data::formula(molecules.front().atomic_numbers)
            << ", " << training.size() << " in the training split\n";
  const auto clean = judge(molecules, 0.0, training, reference, gen);
  const auto noisy = judge(molecules, 0.3, training, reference, gen);

  // Interatomic distance histograms need one atom order: sort every molecule's atoms by element.
  std::vector<torch::Tensor> rows;
  std::vector<int64_t> Z;
  for (auto& m : molecules) {
    const auto z = torch::tensor(m.atomic_numbers);
    const auto order = std::get<1>(torch::sort(z, /*stable=*/true, /*dim=*/0, /*descending=*/false));
    rows.push_back(m.positions.index_select(0, order).reshape({-1}));
    Z.assign(m.atomic_numbers.begin(), m.atomic_numbers.end());
    std::sort(Z.begin(), Z.end());
  }
  const auto X = torch::stack(rows);  // [48, 3·14]
  const auto noisy_X = X + 0.3 * torch::randn(X.sizes(), gen, torch::kFloat64);
  const auto tv = chem::distance_tv(chem::distance_histograms(Z, X), chem::distance_histograms(Z, noisy_X));
  std::cout << "  distance histograms, data vs noise 0.3 Å: total variation " << tv.weighted << "\n";

  // An EGNN energy is invariant under rotations, reflections, translations and same-element swaps.
  model::EgnnEnergy egnn(model::EgnnOptions().atomic_numbers(Z).hidden(16).layers(2));
  const group::MoleculeGroup group(Z);
  const auto x = X.slice(0, 0, 1);
  const auto moved = group::act(group.random_element(gen), x) + torch::tensor({1.0, -2.0, 0.5}).repeat(Z.size());
  torch::NoGradGuard no_grad;
  const double change = max_diff(egnn->energy(moved), egnn->energy(x));
  std::cout << "  EGNN energy " << egnn->energy(x).item<double>() << ", under a random element of " << group.name()
            << " and a shift it changes by " << change << "\n";
  return clean.validity > noisy.validity && change < 1e-3;
}

}  // namespace

int main() try {
  auto gen = at::detail::createCPUGenerator(3);
  const bool ok = dw4(gen) && qm9(gen);
  std::cout << (ok ? "molecules: OK" : "molecules: FAILED") << "\n";
  return ok ? 0 : 1;
} catch (const esvgd::Error& e) {
  std::cerr << "molecules: " << e.what() << "\n";
  return 2;
}
