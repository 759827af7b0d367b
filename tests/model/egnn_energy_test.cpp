// The EGNN energy of QM9: invariance under E(3) × permutations of equal elements (with negative
// controls), its score against finite differences, the frozen score, the noise-conditional energy,
// and option errors.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/model/egnn_energy.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

model::EgnnEnergy small_egnn(int64_t hidden = 16, int64_t layers = 2, int64_t distance_features = 0) {
  torch::manual_seed(0);
  auto o = model::EgnnOptions()
               .atomic_numbers(c5h8o())
               .hidden(hidden)
               .layers(layers)
               .distance_features(distance_features);
  return model::EgnnEnergy(o);
}

torch::Tensor molecules(int64_t n, at::Generator& gen) { return torch::rand({n, 42}, gen, torch::kFloat32) * 4; }

TEST(EgnnEnergy, InvariantUnderE3AndPermutationsOfEqualElements) {
  auto gen = make_gen(1);
  auto m = model::EgnnEnergy([] {
    torch::manual_seed(0);
    model::EgnnOptions o;  // the paper's size: 4 layers, 64 units, attention
    o.atomic_numbers(c5h8o());
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

TEST(EgnnEnergy, DistanceFeaturesKeepInvarianceAndAnExactScore) {
  auto gen = make_gen(4);
  auto m = small_egnn(16, 2, 12);
  EXPECT_EQ(m->named_parameters().size(), small_egnn()->named_parameters().size() + 2);  // one K → H map per layer
  auto X = molecules(6, gen).to(torch::kFloat64);
  torch::Tensor E;
  {
    torch::NoGradGuard no_grad;
    E = m->energy(X);
    for (bool reflect : {false, true}) {
      auto g = random_molecule_motion(c5h8o(), gen, reflect);
      EXPECT_LT(rel_err(m->energy(g.apply(X)), E), 1e-5) << "reflect " << reflect;
    }
    EXPECT_GT(rel_err(small_egnn()->energy(X), E), 1e-3);  // the features change the function
    // The basis: K bumps over [0, 6 Å]; at d = 3 Å the largest is the one 3/11 Å away.
    auto rbf = m->radial_basis(torch::full({1, 1, 1}, 9.0));  // d = 3 Å
    ASSERT_EQ(rbf.sizes(), torch::IntArrayRef({1, 1, 1, 12}));
    EXPECT_NEAR(rbf.max().item<double>(), std::exp(-std::pow(3 - 6.0 * 5 / 11, 2) / (2 * std::pow(6.0 / 11, 2))), 1e-5);
  }
  auto S = m->score_autograd(X);
  EXPECT_TRUE(torch::isfinite(S).all().item<bool>());
  auto energy = [&](const torch::Tensor& x) {
    torch::NoGradGuard no_grad;
    return m->energy(x).to(torch::kFloat64);
  };
  const double eps = 1e-2;
  for (int64_t k : {1, 13, 30}) {
    auto e = torch::zeros_like(X);
    e.select(1, k).fill_(eps);
    auto fd = -(energy(X + e) - energy(X - e)) / (2 * eps);
    EXPECT_LT(rel_err(S.select(1, k), fd, 1e-3), 2e-2) << "coordinate " << k;
  }
}

TEST(EgnnEnergy, HardCoreIsZeroApartAndRepelsOverlaps) {
  auto make = [](double r0) {
    torch::manual_seed(0);
    auto o = model::EgnnOptions()
                 .atomic_numbers({6, 8, 1})
                 .hidden(8)
                 .layers(1)
                 .head(model::Head::kLinear)
                 .core_radius(r0);
    return model::EgnnEnergy(o);
  };
  auto plain = make(0), cored = make(0.9);
  torch::NoGradGuard no_grad;
  // Atoms 1.0 Å apart or more: the core adds nothing.
  auto apart = torch::tensor({{0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.2, 0.0}}, torch::kFloat64);
  EXPECT_EQ(cored->energy(apart).item<double>(), plain->energy(apart).item<double>());
  // C and H 0.5 Å apart: κ (0.9 − 0.5)² on top of the network's energy.
  auto close = torch::tensor({{0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.0}}, torch::kFloat64);
  EXPECT_NEAR(cored->energy(close).item<double>() - plain->energy(close).item<double>(),
              model::kCoreStiffness * 0.16, 1e-3);
  // Its score pushes the pair apart: on H, along +y.
  auto push = cored->score_autograd(close) - plain->score_autograd(close);
  EXPECT_NEAR(push[0][7].item<double>(), 2 * model::kCoreStiffness * 0.4, 1e-2);
  EXPECT_NEAR(push[0][1].item<double>(), -2 * model::kCoreStiffness * 0.4, 1e-2);
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

// The hand-written forward and input gradient (model/frozen_egnn.h) against autograd, for every
// option that changes the network: attention, both heads, radial distance features, the hard core;
// with molecules whose atoms overlap, so that the core is active.
TEST(EgnnEnergy, FrozenScoreMatchesAutogradForEveryOption) {
  auto gen = make_gen(4);
  struct Case {
    bool attention;
    model::Head head;
    int64_t distance_features;
    double core;
  };
  for (const Case& c : {Case{true, model::Head::kLog1pSquare, 0, 0.0}, Case{false, model::Head::kLog1pSquare, 0, 0.0},
                        Case{true, model::Head::kLinear, 6, 0.0}, Case{false, model::Head::kLinear, 0, 1.2},
                        Case{true, model::Head::kLinear, 4, 1.2}}) {
    torch::manual_seed(1);
    model::EgnnEnergy m(model::EgnnOptions()
                            .atomic_numbers(c5h8o())
                            .hidden(40)  // 32 columns in registers, 8 at the edge
                            .layers(3)
                            .attention(c.attention)
                            .head(c.head)
                            .distance_features(c.distance_features)
                            .core_radius(c.core));
    {
      torch::NoGradGuard no_grad;  // weights away from their small initial values: o and the gates vary
      for (auto& p : m->parameters()) p.mul_(3);
    }
    auto X = torch::rand({5, 42}, gen, torch::kFloat64) * 2.5;  // 14 atoms in a 2.5 Å box: some overlap 1.2 Å
    auto frozen = m->frozen_score()(X);
    auto reference = m->score_autograd(X);
    ASSERT_EQ(frozen.sizes(), reference.sizes());
    EXPECT_EQ(frozen.scalar_type(), torch::kFloat64);
    // float32 on both sides, different summation orders: a few ulp of the largest entries.
    EXPECT_LT(rel_err(frozen, reference), 1e-4) << "attention " << c.attention << " K " << c.distance_features
                                                << " core " << c.core;
    EXPECT_GT(reference.abs().max().item<double>(), 1e-3);  // not a trivially zero score
  }
  auto m = small_egnn();
  expect_error([&] { m->frozen_score()(torch::zeros({2, 41}, torch::kFloat64)); }, "expects rows [N, 42]");
}

// Molecules are split over threads, each computed alone: the thread count changes no bit.
TEST(EgnnEnergy, FrozenScoreDoesNotDependOnThreadCount) {
  auto gen = make_gen(5);
  auto m = small_egnn();
  auto X = molecules(7, gen);
  auto score = m->frozen_score();
  const int saved = at::get_num_threads();
  at::set_num_threads(1);
  auto one = score(X);
  at::set_num_threads(std::max(2, saved));
  auto two = score(X);
  at::set_num_threads(saved);
  EXPECT_TRUE(torch::equal(one, two));
}

model::EgnnEnergy noise_conditional_egnn(double core = 0.0) {
  torch::manual_seed(3);
  model::EgnnEnergy m(model::EgnnOptions()
                          .atomic_numbers(c5h8o())
                          .hidden(24)
                          .layers(2)
                          .head(model::Head::kLinear)
                          .core_radius(core)
                          .noise_conditional(true)
                          .noise_floor(0.05));
  torch::NoGradGuard no_grad;  // larger weights, so that log σ moves the output visibly
  for (auto& p : m->parameters()) p.mul_(3);
  return m;
}

// E(x, σ) is invariant at every σ, depends on σ through more than the 1/σ factor, and equals the
// plain energy at the noise floor.
TEST(EgnnEnergy, NoiseConditionalEnergyIsInvariantAndConditionedOnSigma) {
  auto gen = make_gen(6);
  auto m = noise_conditional_egnn();
  EXPECT_TRUE(m->noise_conditional());
  torch::NoGradGuard no_grad;
  auto X = molecules(8, gen);
  const auto sigma = torch::tensor({0.05, 0.1, 0.3, 1.0, 2.0, 0.05, 0.7, 1.5}, torch::kFloat32);
  const auto E = m->noise_energy(X, sigma);
  for (bool reflect : {false, true}) {
    auto g = random_molecule_motion(c5h8o(), gen, reflect);
    EXPECT_LT(rel_err(m->noise_energy(g.apply(X), sigma), E), 1e-5) << "reflect " << reflect;
  }
  EXPECT_LT(rel_err(m->noise_energy(X, torch::full({8}, 0.05f)), m->energy(X)), 1e-6);
  // σ·E(x, σ) = o(x, log σ): not constant in σ, so the level enters the network, not only the scale
  const auto o1 = m->noise_energy(X, torch::full({8}, 0.1f)) * 0.1, o2 = m->noise_energy(X, torch::full({8}, 1.0f));
  EXPECT_GT(rel_err(o1, o2), 1e-3);
}

// The frozen score at σ (log σ folded into the first features, 1/σ into the last layer) is
// −∇_x E(x, σ) by autograd, with and without the hard core (which the 1/σ must not scale).
TEST(EgnnEnergy, FrozenNoiseScoreMatchesAutograd) {
  auto gen = make_gen(7);
  for (double core : {0.0, 1.2}) {
    auto m = noise_conditional_egnn(core);
    auto X = torch::rand({5, 42}, gen, torch::kFloat64) * 2.5;
    for (double sigma : {0.05, 0.4, 2.0}) {
      auto x = X.to(torch::kFloat32).requires_grad_(true);
      auto E = m->noise_energy(x, torch::full({5}, static_cast<float>(sigma)));
      auto reference = -torch::autograd::grad({E.sum()}, {x})[0];
      auto frozen = m->frozen_noise_score(sigma)(X);
      EXPECT_EQ(frozen.scalar_type(), torch::kFloat64);
      EXPECT_LT(rel_err(frozen, reference.to(torch::kFloat64)), 1e-4) << "sigma " << sigma << " core " << core;
      EXPECT_GT(reference.abs().max().item<double>(), 1e-3);
    }
    // the plain frozen score is the one at the noise floor
    EXPECT_LT(rel_err(m->frozen_score()(X), m->frozen_noise_score(0.05)(X)), 1e-6);
  }
}

TEST(EgnnEnergy, OptionErrors) {
  auto o = model::EgnnOptions().atomic_numbers({6});
  expect_error([&] { model::EgnnEnergy m(o); }, "at least 2 atoms");
  o.atomic_numbers({6, 17});
  expect_error([&] { model::EgnnEnergy m(o); }, "atomic number 17");
  o.atomic_numbers({6, 8});
  o.head(model::Head::kJem);
  expect_error([&] { model::EgnnEnergy m(o); }, "head must be log1p-square or linear");
  o.head(model::Head::kLog1pSquare);
  model::EgnnEnergy m(o);
  expect_error([&] { m->outputs(torch::zeros({2, 5})); }, "rows [N, 6]");
  expect_error([&] { m->frozen_score(0); }, "no classes");
  o.distance_features(-1);
  expect_error([&] { model::EgnnEnergy bad(o); }, "distance features");
  o.distance_features(0);
  o.core_radius(0.9);  // with the log1p-square head
  expect_error([&] { model::EgnnEnergy bad(o); }, "needs the linear head");
  o.core_radius(-1);
  expect_error([&] { model::EgnnEnergy bad(o); }, "radius >= 0");
  o.core_radius(0);
  expect_error([&] { m->noise_energy(torch::zeros({2, 6}), torch::ones({2})); }, "not noise-conditional");
  expect_error([&] { m->frozen_noise_score(0.1); }, "not noise-conditional");
  o.noise_conditional(true);  // with the log1p-square head
  expect_error([&] { model::EgnnEnergy bad(o); }, "noise-conditional EGNN energy divides its output by sigma");
  o.head(model::Head::kLinear).noise_floor(0);
  expect_error([&] { model::EgnnEnergy bad(o); }, "noise floor");
  o.noise_floor(0.02);
  model::EgnnEnergy conditional(o);
  expect_error([&] { conditional->noise_energy(torch::zeros({2, 6}), torch::ones({3})); }, "one sigma per row");
  expect_error([&] { conditional->frozen_noise_score(-1); }, "positive finite");
}

}  // namespace
}  // namespace esvgd::test
