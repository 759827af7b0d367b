// Particle-system invariants: loops against torch-op references, invariance under E(2) × S_P,
// behaviour at ties, errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

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
    // The authors' map does not remove reflections (notes §2.5): a negative control.
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
  expect_error([] { ParticleInvariant(Kind::kCanonical, 4, 3); }, "plane (d = 2)");
  expect_error([] { ParticleInvariant(Kind::kPairDistances, 1, 2); }, "particles");
  ParticleInvariant map(Kind::kPairDistances, 4, 2);
  expect_error([&] { map.features(torch::zeros({3, 7})); }, "rows [N, 8]");
  expect_error([] { group::parse_particle_invariant("sorted"); }, "expected canonical or pair-distances");
}

}  // namespace
}  // namespace esvgd::test
