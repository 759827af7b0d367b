// The C4-steerable CNN of FashionMNIST: filter assembly, each layer's equivariance
// F(rot90 x) = shift(rot90 F(x)) to float32 rounding (and float64), invariant logits, the regular
// baseline as a negative control, the frozen score against autograd and finite differences, and
// option errors.
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/model/image_energy.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

model::ImageEnergy small_net(bool equivariant, int64_t side = 28) {
  torch::manual_seed(3);
  auto o = model::ImageEnergyOptions()
               .equivariant(equivariant)
               .side(side)
               .fields({3, 3, 4, 4, 4, 4, 5, 5})
               .head_hidden(16);
  return model::ImageEnergy(o);
}

TEST(C4Filters, BlocksAreRotatedShiftedCopies) {
  auto gen = make_gen(1);
  auto psi = torch::randn({2, 3, 4, 5, 5}, gen, torch::kFloat64);
  auto W = model::group_filters(psi);
  ASSERT_EQ(W.sizes(), torch::IntArrayRef({8, 12, 5, 5}));
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t g = 0; g < 4; ++g)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t s = 0; s < 4; ++s)
          EXPECT_TRUE(torch::equal(W[o * 4 + g][i * 4 + s], torch::rot90(psi[o][i][(s - g + 4) % 4], g, {0, 1})));
  auto lift = model::lifting_filters(psi.select(2, 0));
  ASSERT_EQ(lift.sizes(), torch::IntArrayRef({8, 3, 5, 5}));
  for (int64_t g = 0; g < 4; ++g) EXPECT_TRUE(torch::equal(lift[4 + g], torch::rot90(psi[1].select(1, 0), g, {1, 2})));
}

/// max |F(ρ_r x) − ρ_r F(x)| / max |F(x)| over r = 1, 2, 3.
double layer_error(model::C4Conv& conv, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  auto y = conv->forward(x);
  double worst = 0;
  for (int64_t r = 1; r < 4; ++r) {
    auto rx = conv->lifting() ? torch::rot90(x, r, {2, 3}) : model::rotate_regular(x, r);
    worst = std::max(worst, rel_err(conv->forward(rx), model::rotate_regular(y, r)));
  }
  return worst;
}

TEST(C4Conv, LiftingAndGroupConvolutionsAreEquivariant) {
  auto gen = make_gen(2);
  for (int64_t side : {9, 10}) {  // odd and even maps
    for (int64_t k : {3, 5}) {
      torch::manual_seed(side + k);
      model::C4Conv lift(2, 3, k, true, true), conv(3, 2, k, false, true);
      auto x = torch::randn({2, 2, side, side}, gen, torch::kFloat32);
      auto f = torch::randn({2, 12, side, side}, gen, torch::kFloat32);
      EXPECT_LT(layer_error(lift, x), 1e-6) << "lifting, side " << side << ", k " << k;
      EXPECT_LT(layer_error(conv, f), 1e-6) << "group conv, side " << side << ", k " << k;
      lift->to(torch::kFloat64), conv->to(torch::kFloat64);
      EXPECT_LT(layer_error(lift, x.to(torch::kFloat64)), 1e-14);
      EXPECT_LT(layer_error(conv, f.to(torch::kFloat64)), 1e-14);
      // Negative control: plain convolutions of the same shapes are not equivariant.
      model::C4Conv plain_lift(2, 3, k, true, false), plain(3, 2, k, false, false);
      EXPECT_GT(layer_error(plain_lift, x), 0.1);
      EXPECT_GT(layer_error(plain, f), 0.1);
    }
  }
}

TEST(C4Conv, GroupPoolingRotatesWithTheInput) {
  auto gen = make_gen(3);
  auto f = torch::randn({2, 8, 6, 6}, gen, torch::kFloat64);
  for (int64_t r = 1; r < 4; ++r)
    EXPECT_TRUE(torch::equal(model::group_max_pool(model::rotate_regular(f, r)),
                             torch::rot90(model::group_max_pool(f), r, {2, 3})));
}

TEST(ImageEnergy, EveryLayerEquivariantAndLogitsInvariant) {
  auto gen = make_gen(4);
  auto net = small_net(true);
  torch::NoGradGuard no_grad;
  auto X = torch::rand({4, 1, 28, 28}, gen, torch::kFloat32);
  auto maps = net->feature_maps(X);
  auto logits = net->outputs(X);
  ASSERT_EQ(maps.size(), 8u);
  for (int64_t r = 1; r < 4; ++r) {
    auto rX = torch::rot90(X, r, {2, 3});
    auto rmaps = net->feature_maps(rX);
    for (size_t l = 0; l < maps.size(); ++l)
      EXPECT_LT(rel_err(rmaps[l], model::rotate_regular(maps[l], r)), 1e-5) << "layer " << l + 1 << ", r " << r;
    EXPECT_LT(rel_err(net->outputs(rX), logits), 1e-5) << "r " << r;
    EXPECT_LT(rel_err(net->penultimate(rX), net->penultimate(X)), 1e-5) << "penultimate features, r " << r;
    EXPECT_LT(rel_err(net->outputs(rX.reshape({4, 784})), logits), 1e-5) << "flat rows, r " << r;
  }
  net->to(torch::kFloat64);
  auto Xd = X.to(torch::kFloat64);
  EXPECT_LT(rel_err(net->outputs(torch::rot90(Xd, 1, {2, 3})), net->outputs(Xd)), 1e-13);
}

TEST(ImageEnergy, RegularBaselineIsNotInvariant) {
  auto gen = make_gen(5);
  auto net = small_net(false);
  torch::NoGradGuard no_grad;
  // Noise with a brightness ramp: an image that looks different when rotated.
  auto X = torch::rand({4, 1, 28, 28}, gen, torch::kFloat32) * torch::linspace(0, 1, 28).view({1, 1, 28, 1});
  EXPECT_GT(rel_err(net->outputs(torch::rot90(X, 1, {2, 3})), net->outputs(X)), 1e-3);
  // Same shapes and cost, four times the convolution parameters.
  int64_t eq = 0, reg = 0;
  for (const auto& p : small_net(true)->parameters()) eq += p.numel();
  for (const auto& p : net->parameters()) reg += p.numel();
  EXPECT_GT(reg, 3 * eq);
}

TEST(ImageEnergy, LogitsAreALinearMapOfThePenultimateFeatures) {
  auto gen = make_gen(7);
  auto net = small_net(false);
  torch::NoGradGuard no_grad;
  auto X = torch::rand({3, 784}, gen, torch::kFloat32);
  const auto h = net->penultimate(X);
  ASSERT_EQ(h.sizes(), (torch::IntArrayRef{3, net->options().head_hidden()}));
  const auto& fc2 = net->named_parameters();
  EXPECT_LT(rel_err(torch::linear(h, fc2["fc2.weight"], fc2["fc2.bias"]), net->outputs(X)), 1e-6);
}

TEST(ImageEnergy, JemHead) {
  auto gen = make_gen(6);
  auto net = small_net(true);
  auto O = torch::randn({5, 10}, gen, torch::kFloat32);
  EXPECT_TRUE(torch::allclose(net->energy_from_outputs(O), -torch::logsumexp(O, 1)));
  EXPECT_TRUE(torch::equal(net->energy_from_outputs(O, 7), -O.select(1, 7)));
  EXPECT_THROW(net->energy_from_outputs(O, 10), std::exception);
}

TEST(ImageEnergy, FrozenScoreMatchesFiniteDifferencesAndIsEquivariant) {
  auto gen = make_gen(7);
  auto net = small_net(true, 12);  // 12 → 6 → 3 keeps finite differences cheap
  net->to(torch::kFloat64);
  auto X = torch::rand({3, 144}, gen, torch::kFloat64);
  for (int64_t label : {-1, 4}) {
    auto S = net->frozen_score(label)(X);
    ASSERT_EQ(S.scalar_type(), torch::kFloat64);
    torch::NoGradGuard no_grad;
    const double eps = 1e-4;  // per-pixel gradients are ~1e-4: larger steps beat rounding
    for (int64_t k : {0, 17, 66, 143}) {
      auto Xp = X.clone(), Xm = X.clone();
      Xp.select(1, k) += eps;
      Xm.select(1, k) -= eps;
      auto fd = -(net->energy(Xp, label) - net->energy(Xm, label)) / (2 * eps);
      EXPECT_LT(rel_err(S.select(1, k), fd, 1e-8), 1e-6) << "pixel " << k << ", label " << label;
    }
    // s(ρx) = ρ s(x): rotating the images rotates the score.
    auto rot = [](const torch::Tensor& A) { return torch::rot90(A.view({-1, 12, 12}), 1, {1, 2}).reshape({-1, 144}); };
    EXPECT_LT(rel_err(net->frozen_score(label)(rot(X)), rot(S)), 1e-12);
  }
}

TEST(ImageEnergy, FrozenScoreKeepsItsWeights) {
  auto gen = make_gen(8);
  auto net = small_net(true);
  auto X = torch::rand({2, 784}, gen, torch::kFloat32);
  auto score = net->frozen_score();
  auto before = score(X);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->parameters()) p.add_(0.1);
  }
  EXPECT_TRUE(torch::equal(score(X), before));
  EXPECT_FALSE(torch::equal(net->frozen_score()(X), before));
}

TEST(ImageEnergy, OptionErrorsNameTheKey) {
  auto expect_error = [](model::ImageEnergyOptions o, const std::string& what) {
    try {
      model::ImageEnergy net(o);
      ADD_FAILURE() << "no error for " << what;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto o = model::ImageEnergyOptions().kernel_size(4);
  expect_error(o, "ImageEnergyOptions::kernel_size");
  o = {};
  o.fields({});
  expect_error(o, "ImageEnergyOptions::fields");
  o = {};
  o.pool_after({2, 4, 6});  // 28 → 14 → 7 → pooling an odd map
  expect_error(o, "odd size");
  o = {};
  o.pool_after({9});
  expect_error(o, "ImageEnergyOptions::pool_after");
  o = {};
  o.classes(1);
  expect_error(o, "ImageEnergyOptions::classes");
}

}  // namespace
}  // namespace esvgd::test
