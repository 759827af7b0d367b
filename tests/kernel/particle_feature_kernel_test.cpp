// RBF kernels on the particle-system invariants (the DW-4 E-SVGD kernels): the one-pass loop against
// autograd of the kernel, equivariance φ(gX + t) = g φ(X), and separate invariance k(gx, y) = k(x, y)
// under the group each map removes.
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/group/particle_invariant.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/target/double_well.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using group::ParticleInvariant;
using kernel::RepulsionForm;

std::shared_ptr<kernel::InvariantFeatureKernel> make(ParticleInvariant::Kind kind, double h, RepulsionForm form) {
  return std::make_shared<kernel::InvariantFeatureKernel>(
      std::make_shared<kernel::ParticleMap>(ParticleInvariant(kind, 4, 2)), h, form);
}

/// φ by autograd of k(f(x), f(y)) = exp(−|f(x) − f(y)|²/(2h²)), f in torch ops: the textbook form
/// differentiates the source y_j, the reference form the receiver x_i.
torch::Tensor reference_phi(const ParticleInvariant& map, const torch::Tensor& X, const torch::Tensor& Y,
                            const torch::Tensor& S, double h, double T, RepulsionForm form) {
  torch::AutoGradMode on(true);
  const int64_t N = X.size(0), M = Y.size(0);
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < N; ++i) {
    auto x = X.narrow(0, i, 1).clone().requires_grad_(form == RepulsionForm::kReference);
    auto y = Y.clone().requires_grad_(form == RepulsionForm::kTextbook);
    auto k = torch::exp(-(map.features_autograd(x) - map.features_autograd(y)).square().sum(1) / (2 * h * h));
    auto drive = torch::matmul(k.detach().unsqueeze(0), S);
    auto g = torch::autograd::grad({k.sum()}, {form == RepulsionForm::kReference ? x : y})[0];
    auto rep = form == RepulsionForm::kReference ? -g : g.sum(0, true);
    rows.push_back((drive + T * rep) / static_cast<double>(M));
  }
  return torch::cat(rows);
}

TEST(ParticleFeatureKernel, OnePassLoopMatchesAutograd) {
  auto gen = make_gen(1);
  auto X = 1.5 * torch::randn({12, 8}, gen, torch::kFloat64);
  auto Y = torch::cat({X, 1.5 * torch::randn({9, 8}, gen, torch::kFloat64)});  // with anchors
  auto S = torch::randn({21, 8}, gen, torch::kFloat64);
  for (auto kind : {ParticleInvariant::Kind::kCanonical, ParticleInvariant::Kind::kPairDistances})
    for (auto form : {RepulsionForm::kTextbook, RepulsionForm::kReference})
      for (double h : {0.7, 3.0}) {
        auto k = make(kind, h, form);
        auto ref = reference_phi(ParticleInvariant(kind, 4, 2), X, Y, S, h, 2.0, form);
        EXPECT_LT(rel_err(k->phi(X, Y, S, 2.0), ref), 1e-11) << k->name() << " h=" << h;
      }
}

TEST(ParticleFeatureKernel, PreparedAnchorsGiveTheSameDirection) {
  // A run computes its anchors' features once (prepare_anchors) and phi_prepared reuses them. Y holds
  // other rows before X, as a particle exchange's Y does, so the moving rows' features must be X's
  // own; 12 rows take the one-pass loop, 100 the tensor path.
  auto gen = make_gen(4);
  for (int64_t n : {12, 100}) {
    auto X = 1.5 * torch::randn({n, 8}, gen, torch::kFloat64);
    auto A = 1.5 * torch::randn({9, 8}, gen, torch::kFloat64);
    auto Y = torch::cat({1.5 * torch::randn({60, 8}, gen, torch::kFloat64), X, A});
    auto S = torch::randn({Y.size(0), 8}, gen, torch::kFloat64);
    for (auto kind : {ParticleInvariant::Kind::kCanonical, ParticleInvariant::Kind::kPairDistances})
      for (auto form : {RepulsionForm::kTextbook, RepulsionForm::kReference}) {
        auto k = make(kind, 1.5, form);
        auto ref = reference_phi(ParticleInvariant(kind, 4, 2), X, Y, S, 1.5, 2.0, form);
        auto prepared = k->prepare_anchors(A);
        ASSERT_TRUE(prepared.defined());
        EXPECT_LT(rel_err(k->phi_prepared(X, Y, S, 2.0, prepared), ref), 1e-11) << k->name() << " n=" << n;
        EXPECT_LT(rel_err(k->phi(X, Y, S, 2.0), ref), 1e-11) << k->name() << " n=" << n;
      }
  }
  expect_error([] { make(ParticleInvariant::Kind::kPairDistances, 1.0, RepulsionForm::kReference)->phi_prepared(
                        torch::zeros({2, 8}), torch::zeros({3, 8}), torch::zeros({3, 8}), 1.0, torch::zeros({5, 6})); },
               "prepared anchors must be the features of Y's last rows");
}

TEST(ParticleFeatureKernel, EquivariantUnderTheMapsGroup) {
  auto gen = make_gen(2);
  target::DoubleWellPotential u;
  auto X = 2 * torch::randn({30, 8}, gen, torch::kFloat64);
  auto Y = torch::cat({X, 2 * torch::randn({20, 8}, gen, torch::kFloat64)});
  auto S = u.score(Y);
  for (auto kind : {ParticleInvariant::Kind::kCanonical, ParticleInvariant::Kind::kPairDistances})
    for (auto form : {RepulsionForm::kTextbook, RepulsionForm::kReference})
      for (bool reflect : {false, true}) {
        auto k = make(kind, 2.0, form);
        auto g = random_particle_motion(4, gen, reflect);
        auto lhs = k->phi(g.apply(X), g.apply(Y), g.apply(S, false), 2.0);
        auto rhs = g.apply(k->phi(X, Y, S, 2.0), false);
        // Reflecting every point reflects the canonical forms too (the farthest particle stays on +x),
        // so even the canonical kernel is jointly equivariant under reflections.
        EXPECT_LT(rel_err(lhs, rhs), 1e-10) << k->name() << (reflect ? " reflection" : " rotation");
        EXPECT_LT(rel_err(k->gram(g.apply(X), g.apply(Y)), k->gram(X, Y)), 1e-12) << k->name();
        // Separately, k(g x, y) = k(x, y): the canonical map fails it for reflections (a negative control).
        const double separate = rel_err(k->gram(g.apply(X), Y), k->gram(X, Y));
        if (reflect && kind == ParticleInvariant::Kind::kCanonical)
          EXPECT_GT(separate, 1e-3) << "the canonical map does not remove reflections";
        else
          EXPECT_LT(separate, 1e-12) << k->name() << (reflect ? " reflection" : " rotation");
      }
}

// ---- molecules (QM9): 14 atoms in 3-D, species C5 O H8 ----

/// −∇ of an E(3) × S_species-invariant pair potential Σ_{i<j} w(s_i, s_j)(d_ij − 1.5)², by autograd.
torch::Tensor molecule_score(const torch::Tensor& Y) {
  torch::AutoGradMode on(true);
  const auto z = c5h8o();
  auto y = Y.detach().clone().requires_grad_(true);
  auto x = y.view({Y.size(0), 14, 3});
  auto w = torch::empty({14, 14}, torch::kFloat64);
  for (int64_t i = 0; i < 14; ++i)
    for (int64_t j = 0; j < 14; ++j) w[i][j] = i < j ? 0.1 * static_cast<double>(z[i] + z[j]) : 0.0;
  auto d = ((x.unsqueeze(2) - x.unsqueeze(1)).square().sum(3) + 1e-12).sqrt();
  auto E = (w * (d - 1.5).square()).sum({1, 2});
  return -torch::autograd::grad({E.sum()}, {y})[0];
}

TEST(MoleculeFeatureKernel, OnePassLoopMatchesAutograd) {
  auto gen = make_gen(3);
  auto X = 1.5 * torch::randn({5, 42}, gen, torch::kFloat64);
  auto Y = torch::cat({X, 1.5 * torch::randn({4, 42}, gen, torch::kFloat64)});
  auto S = molecule_score(Y);
  for (const auto& map : {ParticleInvariant(ParticleInvariant::Kind::kCanonical, 14, 3),
                          ParticleInvariant(ParticleInvariant::Kind::kPairDistances, 14, 3, c5h8o())})
    for (auto form : {RepulsionForm::kTextbook, RepulsionForm::kReference}) {
      kernel::InvariantFeatureKernel k(std::make_shared<kernel::ParticleMap>(map), 4.0, form);
      auto ref = reference_phi(map, X, Y, S, 4.0, 2.0, form);
      EXPECT_LT(rel_err(k.phi(X, Y, S, 2.0), ref), 1e-11) << k.name();
    }
}

TEST(MoleculeFeatureKernel, SpeciesDistancesAreEquivariantCanonicalOnlyUnderTranslationAndPermutation) {
  auto gen = make_gen(4);
  auto X = 1.5 * torch::randn({12, 42}, gen, torch::kFloat64);
  auto Y = torch::cat({X, 1.5 * torch::randn({8, 42}, gen, torch::kFloat64)});
  auto S = molecule_score(Y);
  kernel::InvariantFeatureKernel distances(
      std::make_shared<kernel::ParticleMap>(ParticleInvariant(ParticleInvariant::Kind::kPairDistances, 14, 3, c5h8o())), 4.0,
      RepulsionForm::kReference);
  kernel::InvariantFeatureKernel canonical(
      std::make_shared<kernel::ParticleMap>(ParticleInvariant(ParticleInvariant::Kind::kCanonical, 14, 3)), 4.0,
      RepulsionForm::kReference);
  // the points interact (otherwise φ would be gradient descent and trivially equivariant)
  for (const auto* k : {&distances, &canonical})
    EXPECT_GT((k->gram(X, Y) - torch::eye(12, 20, torch::kFloat64)).max().item<double>(), 1e-2) << k->name();
  for (bool reflect : {false, true}) {
    auto g = random_molecule_motion(c5h8o(), gen, reflect);
    EXPECT_LT(rel_err(distances.phi(g.apply(X), g.apply(Y), g.apply(S, false), 2.0),
                      g.apply(distances.phi(X, Y, S, 2.0), false)),
              1e-10)
        << (reflect ? "reflection" : "rotation");
    EXPECT_LT(rel_err(distances.gram(g.apply(X), Y), distances.gram(X, Y)), 1e-12);  // separately invariant
    // the canonical form leaves the rotation about x free: not invariant under rotations (negative control) ...
    EXPECT_GT(rel_err(canonical.gram(g.apply(X), g.apply(Y)), canonical.gram(X, Y)), 1e-3);
    // ... but under translations and permutations of atoms
    auto t = g;
    t.Q = torch::eye(3, torch::kFloat64);
    EXPECT_LT(rel_err(canonical.phi(t.apply(X), t.apply(Y), t.apply(S, false), 2.0),
                      t.apply(canonical.phi(X, Y, S, 2.0), false)),
              1e-10);
  }
}

}  // namespace
}  // namespace esvgd::test
