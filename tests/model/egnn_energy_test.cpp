// The EGNN energy of QM9: invariance under E(3) × permutations of equal elements (with negative
// controls), its score against finite differences, the frozen score, and option errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "esvgd/model/egnn_energy.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

model::EgnnEnergy small_egnn(int64_t hidden = 16, int64_t layers = 2) {
  torch::manual_seed(0);
  model::EgnnOptions o;
  o.atomic_numbers = c5h8o();
  o.hidden = hidden;
  o.layers = layers;
  return model::EgnnEnergy(o);
}

torch::Tensor molecules(int64_t n, at::Generator& gen) { return torch::rand({n, 42}, gen, torch::kFloat32) * 4; }

TEST(EgnnEnergy, InvariantUnderE3AndPermutationsOfEqualElements) {
  auto gen = make_gen(1);
  auto m = model::EgnnEnergy([] {
    torch::manual_seed(0);
    model::EgnnOptions o;  // the paper's size: 4 layers, 64 units, attention
    o.atomic_numbers = c5h8o();
    return o;
  }());
  torch::NoGradGuard no_grad;
  auto X = molecules(16, gen);
  auto E = m->energy(X), O = m->outputs(X);
  ASSERT_EQ(E.sizes(), torch::IntArrayRef({16}));
  for (bool reflect : {false, true})
    for (int r = 0; r < 3; ++r) {
      auto g = random_molecule_motion(c5h8o(), gen, reflect);
      EXPECT_LT(rel_err(m->outputs(g.apply(X)), O), 1e-5) << "reflect " << reflect;
      EXPECT_LT(rel_err(m->energy(g.apply(X)), E), 1e-5) << "reflect " << reflect;
    }
  // negative controls: exchanging the O with an H, or deforming the molecule, changes the energy
  auto swapped = X.view({16, 14, 3}).index_select(1, torch::tensor({0, 1, 2, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12, 13})).reshape({16, 42});
  EXPECT_GT(rel_err(m->outputs(swapped), O), 1e-4);  // 10x the invariance tolerance (measured 9e-4)
  EXPECT_GT(rel_err(m->outputs(X * 1.1f), O), 1e-3);
}

TEST(EgnnEnergy, ScoreMatchesFiniteDifferencesAndIsEquivariant) {
  auto gen = make_gen(2);
  auto m = small_egnn();
  auto X = molecules(3, gen).to(torch::kFloat64);
  auto S = m->score_autograd(X);
  EXPECT_EQ(S.scalar_type(), torch::kFloat64);
  // central differences of the float32 energy in float64 steps: loose but able to fail
  auto energy = [&](const torch::Tensor& x) {
    torch::NoGradGuard no_grad;
    return m->energy(x).to(torch::kFloat64);
  };
  const double eps = 1e-2;
  for (int64_t k : {0, 7, 20, 41}) {
    auto e = torch::zeros_like(X);
    e.select(1, k).fill_(eps);
    auto fd = -(energy(X + e) - energy(X - e)) / (2 * eps);
    EXPECT_LT(rel_err(S.select(1, k), fd, 1e-3), 2e-2) << "coordinate " << k;
  }
  // −∇E of an invariant energy is equivariant: s(gX) = g s(X)
  auto g = random_molecule_motion(c5h8o(), gen, true);
  EXPECT_LT(rel_err(m->score_autograd(g.apply(X)), g.apply(S, false)), 1e-4);
}

TEST(EgnnEnergy, FrozenScoreIsACopy) {
  auto gen = make_gen(3);
  auto m = small_egnn();
  auto X = molecules(4, gen);
  auto frozen = m->frozen_score();
  auto before = frozen(X);
  EXPECT_LT(rel_err(before, m->score_autograd(X)), 1e-6);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : m->parameters()) p.add_(0.1);
  }
  EXPECT_LT(rel_err(frozen(X), before), 1e-7);  // later weight updates are not seen
  EXPECT_GT(rel_err(m->score_autograd(X), before), 1e-3);
  for (const auto& p : m->parameters()) EXPECT_FALSE(p.grad().defined());  // no gradient leaked into θ
}

TEST(EgnnEnergy, OptionErrors) {
  model::EgnnOptions o;
  o.atomic_numbers = {6};
  expect_error([&] { model::EgnnEnergy m(o); }, "at least 2 atoms");
  o.atomic_numbers = {6, 17};
  expect_error([&] { model::EgnnEnergy m(o); }, "atomic number 17");
  o.atomic_numbers = {6, 8};
  o.head = model::Head::kJem;
  expect_error([&] { model::EgnnEnergy m(o); }, "head must be log1p-square or linear");
  o.head = model::Head::kLog1pSquare;
  model::EgnnEnergy m(o);
  expect_error([&] { m->outputs(torch::zeros({2, 5})); }, "rows [N, 6]");
  expect_error([&] { m->frozen_score(0); }, "no classes");
}

}  // namespace
}  // namespace esvgd::test
