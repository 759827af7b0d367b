// DW-4: the potential against a direct formula, finite differences and its symmetries; the state
// search finds exactly the five meta-stable states; the classifier names relaxed states.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/target/double_well.h"
#include "esvgd/target/meta_stable.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using target::DoubleWellOptions;
using target::DoubleWellPotential;

/// u by the authors' form (ordered pairs, no ½), halved: an independent formula.
double reference_energy(const torch::Tensor& x) {
  double u = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      if (i == j) continue;
      const double dx = x[2 * i].item<double>() - x[2 * j].item<double>();
      const double dy = x[2 * i + 1].item<double>() - x[2 * j + 1].item<double>();
      const double e = std::sqrt(dx * dx + dy * dy) - 4;
      u += -4 * e * e + 0.9 * e * e * e * e;
    }
  return u / 2;
}

TEST(DoubleWell, EnergyMatchesTheFormulaAndTheFactorTwoVariant) {
  auto gen = make_gen(1);
  DoubleWellPotential u;
  auto X = torch::randn({10, 8}, gen, torch::kFloat64) * 3;
  auto E = u.energy(X);
  for (int64_t n = 0; n < 10; ++n) EXPECT_NEAR(E[n].item<double>(), reference_energy(X[n]), 1e-11);
  auto code = DoubleWellOptions().tau(0.5);  // the reference code's ordered-pair sum
  EXPECT_LT(rel_err(DoubleWellPotential(code).energy(X), 2 * E), 1e-14);
  // A single pair at its minimum, d − 4 = ±√(8/3.6): pair energy −4.444.
  auto two = DoubleWellOptions().particles(2);
  auto pair = torch::tensor({{0.0, 0.0, 4 + std::sqrt(8 / 3.6), 0.0}}, torch::kFloat64);
  EXPECT_NEAR(DoubleWellPotential(two).energy(pair).item<double>(), -4.0 * 4.0 / 3.6, 1e-12);
}

TEST(DoubleWell, ScoreMatchesFiniteDifferencesAndAutograd) {
  auto gen = make_gen(2);
  DoubleWellPotential u;
  auto X = torch::randn({6, 8}, gen, torch::kFloat64) * 3;
  auto S = u.score(X);
  const double eps = 1e-6;
  for (int64_t k = 0; k < 8; ++k) {
    auto e = torch::zeros({1, 8}, torch::kFloat64);
    e[0][k] = eps;
    auto fd = -(u.energy(X + e) - u.energy(X - e)) / (2 * eps);
    EXPECT_LT(rel_err(S.select(1, k), fd), 1e-7) << "coordinate " << k;
  }
  // autograd through a torch-op version of u
  torch::AutoGradMode on(true);
  auto x = X.clone().requires_grad_(true);
  auto p = x.view({6, 4, 1, 2}) - x.view({6, 1, 4, 2});
  auto d = (p.square().sum(-1) + torch::eye(4, torch::kFloat64)).sqrt() - 4;  // eye keeps sqrt smooth on the diagonal
  auto pair = -4 * d.square() + 0.9 * d.pow(4);
  auto uu = (pair * (1 - torch::eye(4, torch::kFloat64))).sum({1, 2}) / 2;
  auto g = torch::autograd::grad({uu.sum()}, {x})[0];
  EXPECT_LT(rel_err(S, -g), 1e-12);
  EXPECT_EQ(u.score(X.to(torch::kFloat32)).scalar_type(), torch::kFloat32);
}

TEST(DoubleWell, InvariantUnderTranslationRotationReflectionPermutation) {
  auto gen = make_gen(3);
  DoubleWellPotential u;
  auto X = torch::randn({40, 8}, gen, torch::kFloat64) * 3;
  for (bool reflect : {false, true}) {
    auto g = random_particle_motion(4, gen, reflect);
    EXPECT_LT(rel_err(u.energy(g.apply(X)), u.energy(X)), 1e-13);
    EXPECT_LT(rel_err(u.score(g.apply(X)), g.apply(u.score(X), false)), 1e-12);  // the score is equivariant
  }
}

TEST(DoubleWell, FindsExactlyTheFiveMetaStableStates) {
  auto gen = make_gen(4);
  DoubleWellPotential u;
  auto o = target::StateSearchOptions().starts(300);
  auto states = target::find_meta_stable_states(u, o, gen);
  ASSERT_EQ(states.size(), 5u);
  const double expected[5] = {-25.792, -25.312, -24.352, -23.465, -21.066};  // docs/method.md, "DW-4"
  int64_t hits = 0;
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_NEAR(states[k].energy, expected[k], 1.5e-3) << states[k].name;
    EXPECT_EQ(states[k].name, "S" + std::to_string(k + 1));
    EXPECT_GT(states[k].min_curvature, 0.0);
    auto x = torch::tensor(states[k].x, torch::kFloat64).view({1, 8});
    EXPECT_LT(u.score(x).abs().max().item<double>(), 1e-7);
    hits += states[k].hits;
  }
  EXPECT_GT(hits, 290);  // nearly every start ends in one of them
  // The classifier: perturbed and transformed states relax back to themselves.
  target::StateClassifier classify(u, states);
  std::vector<torch::Tensor> rows;
  for (const auto& s : states) rows.push_back(torch::tensor(s.x, torch::kFloat64).view({1, 8}).expand({20, 8}));
  auto X = torch::cat(rows) + 0.05 * torch::randn({100, 8}, gen, torch::kFloat64);
  X = random_particle_motion(4, gen, true).apply(X);
  auto label = classify.classify(X);
  for (int64_t n = 0; n < 100; ++n) EXPECT_EQ(label[n].item<int64_t>(), n / 20) << "row " << n;
  // The exact square keeps its symmetry under gradient descent and stops at a saddle: no state.
  auto square = torch::tensor({{1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, -1.0}}, torch::kFloat64);
  EXPECT_EQ(classify.classify(square).item<int64_t>(), -1);
  auto r = target::relax(u, square);
  EXPECT_NEAR(r.energy.item<double>(), -20.162, 1e-3);  // the square saddle (docs/method.md, "DW-4")
}

TEST(DoubleWell, ErrorsNameTheProblem) {
  DoubleWellPotential u;
  expect_error([&] { u.energy(torch::zeros({2, 6})); }, "rows [N, 8]");
  auto bad = DoubleWellOptions().tau(0);
  expect_error([&] { DoubleWellPotential{bad}; }, "tau must be > 0");
  expect_error([&] { target::StateClassifier(u, {}); }, "at least one state");
}

}  // namespace
}  // namespace esvgd::test
