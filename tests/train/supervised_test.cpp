// Supervised training and JEM training of the image energy on a toy image task learn it: two
// classes of 8 × 8 images (bright top vs bright bottom half, rotated at random in neither).
#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/image_energy.h"
#include "esvgd/train/cd_trainer.h"
#include "train/supervised.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

data::TrainingData halves(int64_t n, at::Generator& gen) {
  auto x = 0.3 * torch::rand({n, 8, 8}, gen, torch::kFloat32);
  auto y = torch::arange(n, torch::kLong).remainder(2);
  for (int64_t i = 0; i < n; ++i) x[i].narrow(0, y[i].item<int64_t>() == 0 ? 0 : 4, 4) += 0.6;
  return {x.reshape({n, 64}), y, {}};
}

model::ImageEnergy small_net(bool equivariant) {
  torch::manual_seed(0);
  auto o = model::ImageEnergyOptions()
               .equivariant(equivariant)
               .side(8)
               .fields({2, 2, 4, 4})
               .pool_after({2})
               .head_hidden(8)
               .classes(2);
  return model::ImageEnergy(o);
}

TEST(Supervised, LossDecreasesAndTheTaskIsLearned) {
  auto gen = make_gen(1);
  auto data = halves(128, gen);
  auto net = small_net(false);
  const auto options = train::SupervisedOptions().epochs(30).batch_size(16).learning_rate(1e-2);
  const auto history = train::fit_classifier(*net, data, options, 0);
  ASSERT_EQ(history.size(), 30u);
  EXPECT_LT(history.back().loss, 0.5 * history.front().loss);
  EXPECT_GT(history.back().accuracy, 0.95);
  torch::NoGradGuard no_grad;
  EXPECT_GT(net->outputs(data.x).argmax(1).eq(data.labels).to(torch::kFloat64).mean().item<double>(), 0.95);
}

TEST(Supervised, JemTrainingLowersTheCrossEntropy) {
  auto gen = make_gen(2);
  auto data = halves(128, gen);
  auto net = small_net(false);
  auto so = sampler::SvgdOptions().max_steps(3).temperature(2);
  auto co = train::CdOptions()
                .epochs(20)
                .batch_size(16)
                .learning_rate(train::Schedule(1e-2))
                .svgd_step_size(train::Schedule(0.08))
                .reset_probability(0.1)
                .ce_weight(1);
  train::CdTrainer trainer(net.ptr(), std::make_shared<kernel::RbfKernel>(0.1), so, co, 0);
  trainer.fit(data);
  EXPECT_LT(trainer.history().back().ce, 0.5 * trainer.history().front().ce);
}

TEST(Supervised, BadOptionsNameTheirKey) {
  auto gen = make_gen(3);
  auto data = halves(32, gen);
  auto net = small_net(true);
  const auto base = train::SupervisedOptions().epochs(1).batch_size(8).learning_rate(1e-3);
  auto fit = [&](const train::SupervisedOptions& o) { return [&, o] { train::fit_classifier(*net, data, o, 0); }; };
  expect_error(fit(train::SupervisedOptions(base).batch_size(64)), ErrorKind::kInvalidArgument,
               {"SupervisedOptions::batch_size", "32 points"});
  expect_error(fit(train::SupervisedOptions(base).batch_size(0)), ErrorKind::kInvalidArgument,
               {"SupervisedOptions::batch_size"});
  expect_error(fit(train::SupervisedOptions(base).epochs(-1)), ErrorKind::kInvalidArgument, {"SupervisedOptions::epochs"});
  expect_error(fit(train::SupervisedOptions(base).learning_rate(0.0)), ErrorKind::kInvalidArgument,
               {"SupervisedOptions::learning_rate"});
  auto nan = data;
  nan.x = data.x.clone();
  nan.x[0][0] = std::nan("");
  expect_error([&] { train::fit_classifier(*net, nan, train::SupervisedOptions(base).batch_size(32), 0); }, ErrorKind::kNumerical, {"epoch 1, batch 1", "NaN"});
}

}  // namespace
}  // namespace esvgd::test
