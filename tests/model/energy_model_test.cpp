// Energy models: the hand-written forward/backward against autograd, invariance of the symmetric
// models under their groups, the JEM relations, and option errors.
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/group/orthogonal.h"
#include "esvgd/model/energy_model.h"
#include "model/frozen_mlp.h"
#include "test_support.h"

using namespace esvgd;
using esvgd::test::rel_err;

namespace {

model::EnergyModel make(model::Head head, model::Symmetry sym, int64_t dim = 2, int64_t outputs = 1) {
  torch::manual_seed(7);
  auto o = model::EnergyModelOptions()
               .dim(dim)
               .hidden({32, 64, 64, 64, 32})
               .head(head)
               .symmetry(sym)
               .outputs(head == model::Head::kJem ? outputs : 1);
  return model::EnergyModel(o);
}

torch::Tensor points(int64_t n, int64_t d, uint64_t seed) {
  auto gen = test::make_gen(seed);
  return 6 * torch::randn({n, d}, gen, torch::kFloat64);
}

}  // namespace

TEST(FrozenMlp, ForwardMatchesTheModuleForEveryBatchSize) {
  torch::manual_seed(1);
  model::Mlp mlp(std::vector<int64_t>{3, 17, 40, 5});
  model::FrozenMlp frozen(*mlp);
  for (int64_t n : {1, 5, 16, 17, 33}) {
    auto Z = torch::randn({n, 3});
    torch::NoGradGuard no_grad;
    EXPECT_LT(rel_err(frozen.forward(Z), mlp->forward(Z)), 1e-5) << "N = " << n;
  }
}

TEST(FrozenMlp, InputGradientMatchesAutograd) {
  torch::manual_seed(2);
  model::Mlp mlp(std::vector<int64_t>{2, 32, 64, 64, 64, 32, 3});
  model::FrozenMlp frozen(*mlp);
  for (int64_t n : {1, 31, 64}) {
    auto Z = torch::randn({n, 2}).requires_grad_(true);
    auto G = torch::randn({n, 3});
    auto ref = torch::autograd::grad({(mlp->forward(Z) * G).sum()}, {Z})[0];
    frozen.forward(Z.detach());
    EXPECT_LT(rel_err(frozen.input_gradient(G), ref), 1e-5) << "N = " << n;
  }
}

TEST(FrozenMlp, ThreadedBlocksGiveTheSameResult) {
  // Blocks of 16 rows go to separate threads from 2^20 multiply-adds per thread on: 2-32-64-3 has
  // 2304 per row, so 28 blocks per thread; 1000 rows = 63 blocks.
  torch::manual_seed(4);
  model::Mlp mlp(std::vector<int64_t>{2, 32, 64, 3});
  auto Z = torch::randn({1000, 2});
  auto G = torch::randn({1000, 3});
  const int before = at::get_num_threads();
  model::FrozenMlp one(*mlp), two(*mlp);
  at::set_num_threads(1);
  auto O1 = one.forward(Z), D1 = one.input_gradient(G);
  at::set_num_threads(2);
  auto O2 = two.forward(Z), D2 = two.input_gradient(G);
  at::set_num_threads(before);
  EXPECT_TRUE(torch::equal(O1, O2));  // rows are independent: bit-identical whatever the split
  EXPECT_TRUE(torch::equal(D1, D2));
  torch::NoGradGuard no_grad;
  EXPECT_LT(rel_err(O2, mlp->forward(Z)), 1e-5);
}

TEST(FrozenMlp, IsFrozen) {
  torch::manual_seed(3);
  model::Mlp mlp(std::vector<int64_t>{2, 8, 1});
  model::FrozenMlp frozen(*mlp);
  auto Z = torch::randn({4, 2});
  auto before = frozen.forward(Z);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : mlp->parameters()) p.add_(1.0);
  }
  EXPECT_TRUE(torch::equal(frozen.forward(Z), before));
}

TEST(EnergyModel, FastScoreMatchesAutogradForEveryHeadAndSymmetry) {
  using model::Head;
  using model::Symmetry;
  for (auto head : {Head::kLog1pSquare, Head::kLinear, Head::kJem}) {
    for (auto sym : {Symmetry::kNone, Symmetry::kCyclic, Symmetry::kRadius}) {
      auto m = make(head, sym, 2, 3);
      auto X = points(37, 2, 11);
      for (int64_t label : head == Head::kJem ? std::vector<int64_t>{-1, 0, 2} : std::vector<int64_t>{-1}) {
        auto fast = m->frozen_score(label)(X);
        auto ref = m->score_autograd(X, label);
        EXPECT_EQ(fast.dtype(), torch::kFloat64);
        EXPECT_LT(rel_err(fast, ref), 2e-5)
            << model::to_string(head) << " / " << model::to_string(sym) << " label " << label;
      }
    }
  }
}

// The frozen score fills its last result again only when the caller dropped it.
TEST(EnergyModel, FrozenScoresKeptByTheCallerStayIntact) {
  auto m = make(model::Head::kLog1pSquare, model::Symmetry::kNone, 2, 3);
  auto score = m->frozen_score();
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    auto X = points(37, 2, 12).to(dtype);
    auto first = score(X);
    const auto first_values = first.clone();
    auto second = score(X + 1);
    EXPECT_NE(second.data_ptr(), first.data_ptr());
    EXPECT_TRUE(torch::equal(first, first_values)) << dtype;
    EXPECT_LT(rel_err(second.to(torch::kFloat64), m->score_autograd((X + 1).to(torch::kFloat64))), 2e-5);
  }
}

TEST(EnergyModel, CyclicEnergyIsInvariantAndItsScoreEquivariant) {
  auto m = make(model::Head::kJem, model::Symmetry::kCyclic, 2, 2);
  auto X = points(50, 2, 3);
  auto score = m->frozen_score();
  torch::NoGradGuard no_grad;
  auto E = m->energy(X), S = score(X);
  for (int k = 1; k < 4; ++k) {
    auto R = group::rotation_2d(k * M_PI / 2);
    auto RX = group::act(R, X);
    EXPECT_LT(rel_err(m->energy(RX), E), 1e-6) << "rotation " << k;
    EXPECT_LT(rel_err(m->outputs(RX), m->outputs(X)), 1e-6) << "logits, rotation " << k;
    EXPECT_LT(rel_err(score(RX), group::act(R, S)), 1e-5) << "score, rotation " << k;
  }
  // Not invariant under a rotation outside C4 (the test can fail).
  auto R = group::rotation_2d(0.3);
  EXPECT_GT(rel_err(m->energy(group::act(R, X)), E), 1e-3);
}

TEST(EnergyModel, RadiusEnergyIsInvariantUnderRotationsAndReflections) {
  auto gen = test::make_gen(5);
  for (int64_t d : {2, 3}) {
    auto m = make(model::Head::kLog1pSquare, model::Symmetry::kRadius, d);
    auto X = points(40, d, 8);
    auto score = m->frozen_score();
    torch::NoGradGuard no_grad;
    auto E = m->energy(X), S = score(X);
    auto O = group::make_group(d == 2 ? "O2" : "O3");
    for (int i = 0; i < 5; ++i) {
      auto Q = O->random_element(gen);
      EXPECT_LT(rel_err(m->energy(group::act(Q, X)), E), 1e-6);
      EXPECT_LT(rel_err(score(group::act(Q, X)), group::act(Q, S)), 1e-5);
    }
  }
}

TEST(EnergyModel, ParticleEnergiesMatchAutogradAndAreInvariant) {
  auto gen = test::make_gen(6);
  for (auto sym : {model::Symmetry::kCanonical, model::Symmetry::kPairDistances}) {
    torch::manual_seed(3);
    auto o = model::EnergyModelOptions()
                 .dim(8)  // DW-4: 4 particles in the plane, MLP 8 (or 6) → 64 → 64 → 1
                 .hidden({64, 64})
                 .symmetry(sym);
    model::EnergyModel m(o);
    auto X = 2 * torch::randn({64, 8}, gen, torch::kFloat64);
    auto score = m->frozen_score();
    auto S = score(X);
    EXPECT_LT(rel_err(S, m->score_autograd(X)), 2e-5) << model::to_string(sym);
    EXPECT_LT(rel_err(score(X.to(torch::kFloat32)).to(torch::kFloat64), S), 1e-5) << model::to_string(sym);
    torch::NoGradGuard no_grad;
    auto E = m->energy(X);
    for (bool reflect : {false, true}) {
      auto g = test::random_particle_motion(4, gen, reflect);
      auto gE = m->energy(g.apply(X));
      if (reflect && sym == model::Symmetry::kCanonical) {
        EXPECT_GT(rel_err(gE, E), 1e-3) << "the authors' map does not remove reflections";
        continue;
      }
      EXPECT_LT(rel_err(gE, E), 1e-5) << model::to_string(sym) << (reflect ? " reflection" : " rotation");
      EXPECT_LT(rel_err(score(g.apply(X)), g.apply(S, false)), 1e-4) << model::to_string(sym);
    }
  }
}

TEST(EnergyModel, RegularModelIsNotInvariant) {
  auto m = make(model::Head::kLog1pSquare, model::Symmetry::kNone);
  auto X = points(50, 2, 4);
  torch::NoGradGuard no_grad;
  EXPECT_GT(rel_err(m->energy(group::act(group::rotation_2d(M_PI / 2), X)), m->energy(X)), 1e-3);
}

TEST(EnergyModel, JemRelations) {
  auto m = make(model::Head::kJem, model::Symmetry::kNone, 2, 3);
  auto X = points(9, 2, 6);
  torch::NoGradGuard no_grad;
  auto O = m->outputs(X);
  EXPECT_LT(rel_err(m->energy(X), -torch::logsumexp(O, 1)), 1e-6);
  for (int64_t y = 0; y < 3; ++y) EXPECT_LT(rel_err(m->energy(X, y), -O.select(1, y)), 1e-6);
  // p(y|x) = exp(−E(x|y)) / exp(−E(x)).
  EXPECT_LT(rel_err(torch::exp(m->energy(X) - m->energy(X, 1)), torch::softmax(O, 1).select(1, 1)), 1e-5);
}

TEST(EnergyModel, Log1pSquareHead) {
  auto m = make(model::Head::kLog1pSquare, model::Symmetry::kNone);
  auto X = points(9, 2, 6);
  torch::NoGradGuard no_grad;
  auto o = m->outputs(X).squeeze(1);
  EXPECT_LT(rel_err(m->energy(X), torch::log1p(o * o)), 1e-6);
  EXPECT_GE(m->energy(X).min().item<float>(), 0.f);
}

TEST(EnergyModel, OptionErrors) {
  auto o = model::EnergyModelOptions().hidden({4}).head(model::Head::kJem).outputs(1);
  test::expect_error([&] { model::EnergyModel m(o); }, "jem head needs >= 2");
  o.head(model::Head::kLinear);
  o.outputs(2);
  test::expect_error([&] { model::EnergyModel m(o); }, "needs one network output");
  o.outputs(1);
  o.dim(3);
  o.symmetry(model::Symmetry::kCyclic);
  test::expect_error([&] { model::EnergyModel m(o); }, "D = 2");
  o.hidden({4, 0});
  o.symmetry(model::Symmetry::kNone);
  test::expect_error([&] { model::EnergyModel m(o); }, "MLP width 2 must be >= 1");
  test::expect_error([] { model::parse_head("softplus"); }, "EnergyModelOptions::head: unknown name 'softplus' (expected log1p-square, linear, jem)");
  test::expect_error([] { model::parse_symmetry("c4"); }, "expected none, cyclic, radius, canonical, pair-distances)");
  for (const auto& [name, doc] : model::symmetry_docs()) {  // every registered name round-trips
    EXPECT_EQ(model::to_string(model::parse_symmetry(name)), name);
    EXPECT_FALSE(doc.empty()) << name;
  }
  for (const auto& [name, doc] : model::head_docs()) EXPECT_EQ(model::to_string(model::parse_head(name)), name);
  o.dim(7);
  o.symmetry(model::Symmetry::kPairDistances);
  test::expect_error([&] { model::EnergyModel m(o); }, "D = particles x particle_dim");
  auto m = make(model::Head::kLog1pSquare, model::Symmetry::kNone);
  test::expect_error([&] { m->frozen_score(0); }, "needs the jem head");
  test::expect_error([&] { m->energy(torch::zeros({3, 3})); }, "must be [N, 2]");
  auto j = make(model::Head::kJem, model::Symmetry::kNone, 2, 2);
  test::expect_error([&] { j->energy(torch::zeros({3, 2}), 2); }, "out of range");
}
