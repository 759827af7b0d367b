// Particle-system invariants: loops against torch-op references, invariance under E(2) × S_P (DW-4)
// and E(3) × S_species (molecules), behaviour at ties, errors.
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/group/molecule_group.h"
#include "esvgd/group/particle_invariant.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using group::ParticleInvariant;
using Kind = ParticleInvariant::Kind;

/// J_f by autograd of features_autograd: [N, F, D].
torch::Tensor autograd_jacobian(const ParticleInvariant& map, const torch::Tensor& X) {
  torch::AutoGradMode on(true);
  auto x = X.detach().clone().requires_grad_(true);
  auto f = map.features_autograd(x);
  std::vector<torch::Tensor> rows;
  for (int64_t k = 0; k < f.size(1); ++k)
    rows.push_back(torch::autograd::grad({f.select(1, k).sum()}, {x}, {}, true)[0]);
  return torch::stack(rows, 1);
}

TEST(ParticleInvariant, LoopsMatchTorchOpsAndAutograd) {
  auto gen = make_gen(1);
  for (auto kind : {Kind::kCanonical, Kind::kPairDistances})
    for (int64_t P : {3, 4, 7}) {
      ParticleInvariant map(kind, P, 2);
      auto X = torch::randn({20, 2 * P}, gen, torch::kFloat64) * 2 + 1;
      EXPECT_LT(rel_err(map.features(X), map.features_autograd(X)), 1e-14) << map.name() << " P=" << P;
      EXPECT_LT(rel_err(map.jacobian(X), autograd_jacobian(map, X)), 1e-12) << map.name() << " P=" << P;
    }
  ParticleInvariant d3(Kind::kPairDistances, 5, 3);
  auto X = torch::randn({10, 15}, gen, torch::kFloat64);
  EXPECT_LT(rel_err(d3.jacobian(X), autograd_jacobian(d3, X)), 1e-12);
  // float32 rows give float32 features
  EXPECT_EQ(d3.features(X.to(torch::kFloat32)).scalar_type(), torch::kFloat32);
}

TEST(ParticleInvariant, TiedDistancesSortStably) {
  // A square and a rhombus: four equal sides, and the square's two equal diagonals. Stably sorted
  // ties give the same Jacobian as torch's stable sort under autograd.
  ParticleInvariant dist(Kind::kPairDistances, 4, 2);
  auto X = torch::tensor({{1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, -1.0}, {2.0, 0.0, 0.0, 1.0, -2.0, 0.0, 0.0, -1.0}},
                         torch::kFloat64);
  EXPECT_LT(rel_err(dist.features(X), dist.features_autograd(X)), 1e-15);
  EXPECT_LT(rel_err(dist.jacobian(X), autograd_jacobian(dist, X)), 1e-14);
  // A NaN distance falls back to the insertion sort and stays in the output.
  auto nan = X.narrow(0, 0, 1).clone();
  nan[0][0] = std::nan("");
  EXPECT_EQ(torch::isnan(dist.features(nan)).sum().item<int64_t>(), 3);
}

TEST(ParticleInvariant, LinearizeIsFeaturesAndVjpFromOnePass) {
  auto gen = make_gen(4);
  for (auto kind : {Kind::kCanonical, Kind::kPairDistances}) {
    ParticleInvariant map(kind, 5, 2);
    auto X = torch::randn({7, 10}, gen, torch::kFloat64);
    auto G = torch::randn({7, map.feature_dim()}, gen, torch::kFloat64);
    auto [f, vjp] = map.linearize(X.to(torch::kFloat32));
    EXPECT_EQ(f.scalar_type(), torch::kFloat64) << "linearize works in the loops' precision";
    EXPECT_LT(rel_err(f, map.features(X.to(torch::kFloat32).to(torch::kFloat64))), 1e-15);
    auto expected = torch::matmul(map.jacobian(X.to(torch::kFloat32).to(torch::kFloat64)).transpose(1, 2),
                                  G.unsqueeze(2)).squeeze(2);
    EXPECT_LT(rel_err(vjp(G), expected), 1e-14) << map.name();
    EXPECT_LT(rel_err(vjp(2 * G), 2 * expected), 1e-14) << "a second product from the same pass";
    // Rows with a zero cotangent (a kernel's rows whose only live pair is themselves) are skipped:
    // exactly zero there, the other rows as before.
    auto Gz = G.clone();
    Gz[1].zero_(), Gz[4].zero_();
    const auto vz = vjp(Gz);
    EXPECT_EQ(vz[1].abs().max().item<double>(), 0.0);
    EXPECT_EQ(vz[4].abs().max().item<double>(), 0.0);
    EXPECT_LT(rel_err(vz, torch::matmul(map.jacobian(X.to(torch::kFloat32).to(torch::kFloat64)).transpose(1, 2),
                                        Gz.unsqueeze(2)).squeeze(2)), 1e-14) << map.name();
    expect_error([&, vjp = vjp] { vjp(torch::zeros({3, map.feature_dim()})); }, "vjp expects G [7, ");
  }
}

TEST(ParticleInvariant, JacobianMatchesFiniteDifferences) {
  auto gen = make_gen(2);
  for (auto kind : {Kind::kCanonical, Kind::kPairDistances}) {
    ParticleInvariant map(kind, 4, 2);
    auto X = torch::randn({5, 8}, gen, torch::kFloat64) * 2;
    auto J = map.jacobian(X);
    const double eps = 1e-6;
    for (int64_t k = 0; k < 8; ++k) {
      auto e = torch::zeros({1, 8}, torch::kFloat64);
      e[0][k] = eps;
      auto fd = (map.features(X + e) - map.features(X - e)) / (2 * eps);
      EXPECT_LT(rel_err(J.select(2, k), fd), 1e-7) << map.name() << " coordinate " << k;
    }
  }
}

TEST(ParticleInvariant, InvariantUnderTheGroupTheyClaim) {
  auto gen = make_gen(3);
  ParticleInvariant canon(Kind::kCanonical, 4, 2), dist(Kind::kPairDistances, 4, 2);
  auto X = torch::randn({50, 8}, gen, torch::kFloat64) * 2;
  for (int trial = 0; trial < 10; ++trial) {
    auto proper = random_particle_motion(4, gen, /*reflect=*/false);
    auto improper = random_particle_motion(4, gen, /*reflect=*/true);
    EXPECT_LT(rel_err(canon.features(proper.apply(X)), canon.features(X)), 1e-12);
    EXPECT_LT(rel_err(dist.features(proper.apply(X)), dist.features(X)), 1e-12);
    EXPECT_LT(rel_err(dist.features(improper.apply(X)), dist.features(X)), 1e-12);
    // The authors' map does not remove reflections (docs/method.md, "DW-4"): a negative control.
    EXPECT_GT(rel_err(canon.features(improper.apply(X)), canon.features(X)), 1e-2);
  }
}

TEST(ParticleInvariant, CanonicalTiesAreDefined) {
  ParticleInvariant canon(Kind::kCanonical, 4, 2);
  // Centred square: all four radii tie, so the order is the index order and particle 3 is the farthest.
  auto sq = torch::tensor({{1.0, 0.0, 0.0, 1.0, -1.0, 0.0, 0.0, -1.0}}, torch::kFloat64);
  auto f = canon.features(sq);
  // particle 3 = (0, −1) rotated onto +x: rotation by +90°, so particle 0 = (1, 0) → (0, 1)
  auto expected = torch::tensor({{0.0, 1.0, -1.0, 0.0, 0.0, -1.0, 1.0, 0.0}}, torch::kFloat64);
  EXPECT_LT((f - expected).abs().max().item<double>(), 1e-15) << f;
  // All particles at one point: nothing to rotate, the features are zero.
  auto same = torch::full({1, 8}, 2.5, torch::kFloat64);
  EXPECT_EQ(canon.features(same).abs().max().item<double>(), 0.0);
  EXPECT_EQ(canon.jacobian(same).isfinite().all().item<bool>(), true);
  // The map jumps at a tie (which particle counts as farthest flips), pair distances do not.
  ParticleInvariant dist(Kind::kPairDistances, 4, 2);
  auto a = sq.clone(), b = sq.clone();
  a[0][6] = 1e-9;  // particle 3 slightly off the circle
  a[0][7] = -1.0 - 1e-9;
  b[0][0] = 1.0 + 1e-9;  // particle 0 slightly farther instead
  EXPECT_GT((canon.features(a) - canon.features(b)).abs().max().item<double>(), 0.5);
  EXPECT_LT((dist.features(a) - dist.features(b)).abs().max().item<double>(), 1e-8);
}

TEST(ParticleInvariant, ErrorsNameTheProblem) {
  expect_error([] { ParticleInvariant(Kind::kCanonical, 4, 4); }, "d = 2 or 3");
  expect_error([] { ParticleInvariant(Kind::kPairDistances, 3, 3, {1, 6}); }, "one value per particle (3)");
  expect_error([] { ParticleInvariant(Kind::kCanonical, 3, 3, {1, 6, 6}); }, "ignores species");
  expect_error([] { ParticleInvariant(Kind::kPairDistances, 1, 2); }, "particles");
  ParticleInvariant map(Kind::kPairDistances, 4, 2);
  expect_error([&] { map.features(torch::zeros({3, 7})); }, "rows [N, 8]");
  expect_error([] { group::parse_particle_invariant("sorted"); }, "expected canonical or pair-distances");
}

// ---- molecules (QM9): the 3-D canonical form, species-sorted distances, the group E(3) × S_species ----

/// Molecule-like rows: 14 atoms spread over a few Ångström.
torch::Tensor molecules(int64_t n, at::Generator& gen) { return torch::randn({n, 42}, gen, torch::kFloat64) * 1.5 + 2; }

TEST(MoleculeInvariant, LoopsMatchTorchOpsAndAutograd) {
  auto gen = make_gen(3);
  const ParticleInvariant canonical(Kind::kCanonical, 14, 3), distances(Kind::kPairDistances, 14, 3, c5h8o());
  auto X = molecules(12, gen);
  for (const auto* map : {&canonical, &distances}) {
    EXPECT_LT(rel_err(map->features(X), map->features_autograd(X)), 1e-13) << map->name();
    EXPECT_LT(rel_err(map->jacobian(X), autograd_jacobian(*map, X)), 1e-11) << map->name();
  }
  // The Rodrigues rotation also near its singular direction (farthest atom close to −x).
  auto Y = X.clone();
  Y.select(1, 0).fill_(-30);  // atom 0 is the farthest, almost on −x from the centre
  Y.select(1, 1).fill_(1e-3);
  EXPECT_LT(rel_err(canonical.jacobian(Y), autograd_jacobian(canonical, Y)), 1e-8);
}

TEST(MoleculeInvariant, CanonicalFormFixesAllButTheRotationAboutX) {
  auto gen = make_gen(4);
  const ParticleInvariant canonical(Kind::kCanonical, 14, 3);
  auto X = molecules(8, gen);
  std::vector<int64_t> all_alike(14, 0);
  for (int r = 0; r < 5; ++r) {
    auto g = random_molecule_motion(all_alike, gen, false);
    auto f = canonical.features(X).view({8, 14, 3}), fg = canonical.features(g.apply(X)).view({8, 14, 3});
    // x components and the distance from the x axis are invariant; the farthest atom is on +x.
    EXPECT_LT(rel_err(fg.select(2, 0), f.select(2, 0)), 1e-12);
    EXPECT_LT(rel_err(fg.narrow(2, 1, 2).norm(2, 2), f.narrow(2, 1, 2).norm(2, 2)), 1e-10);
    EXPECT_LT(f.select(1, 13).narrow(1, 1, 2).abs().max().item<double>(), 1e-12);
    // a translation and permutation alone leave the form unchanged
    auto t = g;
    t.Q = torch::eye(3, torch::kFloat64);
    EXPECT_LT(rel_err(canonical.features(t.apply(X)), canonical.features(X)), 1e-12);
  }
  // negative control: the rotation about x is left free, so the whole form is not rotation invariant
  auto g = random_molecule_motion(all_alike, gen, false);
  EXPECT_GT(rel_err(canonical.features(g.apply(X)), canonical.features(X)), 1e-3);
}

TEST(MoleculeInvariant, SpeciesDistancesAreE3xSpeciesInvariantAndSeeElements) {
  auto gen = make_gen(5);
  const ParticleInvariant distances(Kind::kPairDistances, 14, 3, c5h8o());
  EXPECT_EQ(distances.feature_dim(), 91);
  auto X = molecules(8, gen);
  for (bool reflect : {false, true}) {
    auto g = random_molecule_motion(c5h8o(), gen, reflect);
    EXPECT_LT(rel_err(distances.features(g.apply(X)), distances.features(X)), 1e-12) << "reflect " << reflect;
  }
  // negative control: exchanging the oxygen with a hydrogen changes the features; without species it would not
  auto swapped = X.view({8, 14, 3}).index_select(1, torch::tensor({0, 1, 2, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12, 13})).reshape({8, 42});
  EXPECT_GT(rel_err(distances.features(swapped), distances.features(X)), 1e-3);
  const ParticleInvariant untyped(Kind::kPairDistances, 14, 3);
  EXPECT_LT(rel_err(untyped.features(swapped), untyped.features(X)), 1e-14);
  // blocks in species order (H-H 28, H-C 40, H-O 8, C-C 10, C-O 5), each sorted
  auto f = distances.features(X)[0];
  int64_t start = 0;
  for (int64_t len : {28, 40, 8, 10, 5}) {
    auto block = f.narrow(0, start, len);
    EXPECT_TRUE(torch::equal(block, std::get<0>(block.sort()))) << "block at " << start;
    start += len;
  }
}

TEST(MoleculeGroup, ElementsActAsTheyShould) {
  auto gen = make_gen(6);
  group::MoleculeGroup group(c5h8o());
  EXPECT_EQ(group.dim(), 42);
  const ParticleInvariant distances(Kind::kPairDistances, 14, 3, c5h8o());
  auto X = molecules(4, gen);
  bool reflection = false;
  for (int r = 0; r < 20; ++r) {
    auto M = group.random_element(gen);
    EXPECT_LT(rel_err(torch::matmul(M, M.t()), torch::eye(42, torch::kFloat64), 1.0), 1e-12);  // orthogonal
    EXPECT_LT(rel_err(distances.features(group::act(M, X)), distances.features(X)), 1e-12);
    auto Q = M.narrow(0, 0, 3).view({3, 14, 3}).sum(1);  // atom 0's block: the O(3) part
    reflection |= torch::det(Q).item<double>() < 0;
  }
  EXPECT_TRUE(reflection) << "20 Haar elements of O(3) without a reflection";
  auto fold = group.fold(X).view({4, 14, 3});
  EXPECT_LT(fold.select(1, 13).narrow(1, 1, 2).abs().max().item<double>(), 1e-12);
  expect_error([&] { group.quadrature(8, gen); }, "no finite quadrature");
  expect_error([] { group::MoleculeGroup({6}); }, "2..64 atoms");
}

}  // namespace
}  // namespace esvgd::test
