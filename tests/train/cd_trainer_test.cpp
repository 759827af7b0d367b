// Contrastive divergence: the loss lowers data energies relative to negatives, the reset
// probability is honoured, a resumed run is bit-identical, and bad data/options give clear errors.
// Denoising score matching: its loss falls, its resumed run is bit-identical, its errors are named.
#include <signal.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <streambuf>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include "core/interrupt.h"
#include "esvgd/core/progress.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/egnn_energy.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/train/cd_trainer.h"
#include "esvgd/train/schedule.h"
#include "test_support.h"
#include "train/train_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

using test::blob;
using test::parameters;
using test::small_model;

sampler::SvgdOptions svgd_steps(int64_t steps) {
  auto s = sampler::SvgdOptions().max_steps(steps).temperature(2.0);
  return s;
}

/// A small noise-conditional EGNN over three atoms (C, O, H).
model::EgnnEnergy small_noise_egnn() {
  torch::manual_seed(5);
  return model::EgnnEnergy(model::EgnnOptions()
                               .atomic_numbers({6, 8, 1})
                               .hidden(16)
                               .layers(2)
                               .head(model::Head::kLinear)
                               .noise_conditional(true)
                               .noise_floor(0.05));
}

/// One bent C–O–H geometry, randomly rotated and shifted per row: data whose smoothed scores an
/// invariant energy can represent.
data::TrainingData bent_molecules(int64_t n, uint64_t seed) {
  auto gen = test::make_gen(seed);
  const auto x0 = torch::tensor({{0.0, 0.0, 0.0}, {1.4, 0.0, 0.0}, {1.7, 0.9, 0.0}}, torch::kFloat64);
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < n; ++i) {
    const auto q = std::get<0>(at::linalg_qr(torch::randn({3, 3}, gen, torch::kFloat64)));
    rows.push_back((x0.matmul(q) + torch::randn({1, 3}, gen, torch::kFloat64)).reshape({9}));
  }
  return {torch::stack(rows), {}, {}};
}

train::CdOptions denoising_options(int64_t epochs) {
  return train::CdOptions()
      .denoising(true)
      .noise(sampler::NoiseLadder().max(1.0).min(0.05).levels(6))
      .epochs(epochs)
      .batch_size(16)
      .learning_rate(train::Schedule(3e-3));
}

}  // namespace

TEST(Schedule, PiecewiseConstant) {
  train::Schedule s({1e-3, 5e-4, 1e-4}, {150, 400});
  EXPECT_EQ(s.at(0), 1e-3);
  EXPECT_EQ(s.at(149), 1e-3);
  EXPECT_EQ(s.at(150), 5e-4);
  EXPECT_EQ(s.at(399), 5e-4);
  EXPECT_EQ(s.at(400), 1e-4);
  EXPECT_EQ(train::Schedule(0.9).at(1000), 0.9);
  test::expect_error([] { train::Schedule({1.0, 2.0}, {}, "train.lr_after"); }, ErrorKind::kConfig,
                     {"train.lr_after", "one more value than milestones"});
  test::expect_error([] { train::Schedule({1.0, 2.0, 3.0}, {5, 5}); }, "strictly increasing");
  test::expect_error([] { train::Schedule({1.0, -2.0}, {5}); }, "finite and > 0");
}

TEST(CdTrainer, LowersDataEnergiesRelativeToNegatives) {
  auto model = small_model();
  const auto data = blob(64, 1);
  auto gen = test::make_gen(2);
  const auto others = -4 + 8 * torch::rand({256, 2}, gen, torch::kFloat64);  // the box the chains start from
  auto gap = [&] {
    torch::NoGradGuard no_grad;
    return (model->energy(data.x).mean() - model->energy(others).mean()).item<double>();
  };
  const double before = gap();
  auto o = train::CdOptions()
               .epochs(30)
               .batch_size(16)
               .learning_rate(train::Schedule(3e-3))
               .svgd_step_size(train::Schedule(0.1))
               .chain_init(train::ChainInit::kUniform)
               .box_low(-4)
               .box_high(4)
               .reset_probability(1.0);  // fresh negatives from the box every batch
  train::CdTrainer trainer(model.ptr(), std::make_shared<kernel::RbfKernel>(0.5), svgd_steps(5), o, 0);
  trainer.fit(data);
  const double after = gap();
  EXPECT_LT(after, before - 0.5) << "before " << before << ", after " << after;
  EXPECT_LT(trainer.history().back().cd, trainer.history().front().cd);
  EXPECT_EQ(trainer.history().size(), 30u);
  EXPECT_EQ(trainer.batches().size(), 30u * 4);
}

TEST(CdTrainer, DataNoiseBlursThePositives) {
  // With the parameters held (learning rate 1e-30), each batch's positive energy is E averaged over
  // the batch + N(0, σ_d² I): σ_d = 0 gives the data's own mean energy, σ_d = 0.7 the mean of E over
  // the blurred data, here estimated independently from 20000 draws per point.
  const auto data = blob(16, 5);
  auto model = small_model();
  auto run = [&](double noise) {
    auto o = train::CdOptions()
                 .epochs(300)
                 .batch_size(16)
                 .learning_rate(train::Schedule(1e-30))
                 .svgd_step_size(train::Schedule(0.01))
                 .data_noise(noise);
    train::CdTrainer trainer(model.ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(1), o, 6);
    trainer.fit(data);
    std::vector<double> e;
    for (const auto& b : trainer.batches()) e.push_back(b.energy_pos);
    return e;
  };
  const auto mean_energy = [&](const torch::Tensor& x) {
    torch::NoGradGuard no_grad;
    return model->energy(x).mean().item<double>();
  };
  const auto x = data.x.to(torch::kFloat32);
  const double clean = mean_energy(x);
  for (double e : run(0)) EXPECT_NEAR(e, clean, 1e-5);
  auto gen = test::make_gen(7);
  const auto many = x.repeat({20000, 1});
  const double blurred = mean_energy(many + 0.7 * torch::randn(many.sizes(), gen, torch::kFloat32));
  const auto e = torch::tensor(run(0.7), torch::kFloat64);
  const double mean = e.mean().item<double>(), se = e.std().item<double>() / std::sqrt(300.0);
  EXPECT_GT(std::abs(blurred - clean), 10 * se) << "the test cannot tell blurred from clean";
  EXPECT_NEAR(mean, blurred, 5 * se) << "clean " << clean;
}

TEST(CdTrainer, ResetProbabilityIsHonoured) {
  // 399 Bernoulli(p) resets after the first batch (which always starts the chains). Accept
  // |k − np| ≤ 5 sd: a correct implementation fails with probability < 1e-6 per p.
  const auto data = blob(64, 3);
  for (double p : {0.0, 0.3, 1.0}) {
    auto o = train::CdOptions()
                 .epochs(50)
                 .batch_size(8)
                 .reset_probability(p)
                 .svgd_step_size(train::Schedule(0.01));
    train::CdTrainer trainer(small_model().ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(1), o, 9);
    trainer.fit(data);
    const auto& b = trainer.batches();
    ASSERT_EQ(b.size(), 400u);
    EXPECT_TRUE(b[0].reset);
    int64_t k = 0;
    for (size_t i = 1; i < b.size(); ++i) k += b[i].reset;
    const double n = 399, sd = std::sqrt(n * p * (1 - p));
    EXPECT_LE(std::abs(k - n * p), 5 * sd + 1e-9) << "p = " << p << ": " << k << " resets";
  }
}

TEST(CdTrainer, ChainsPersistAcrossBatchesWithoutResets) {
  const auto data = blob(32, 4);
  auto o = train::CdOptions()
               .epochs(2)
               .batch_size(8)
               .reset_probability(0)
               .chain_init(train::ChainInit::kUniform)
               .svgd_step_size(train::Schedule(0.05));
  train::CdTrainer trainer(small_model().ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(3), o, 1);
  trainer.fit(data);
  // With p = 0 the chains start once (first batch) and then carry over: 8 batches, one reset.
  EXPECT_EQ(trainer.chains().size(0), 8);
  int resets = 0;
  for (const auto& r : trainer.batches()) resets += r.reset;
  EXPECT_EQ(resets, 1);
  EXPECT_EQ(trainer.batches().back().svgd_steps, 3);
}

TEST(CdTrainer, ResumedRunIsBitIdentical) {
  const auto dir = test::fresh_dir("train_resume");
  data::TrainingData data{torch::cat({blob(32, 5).x, -blob(32, 6).x}), torch::cat({torch::zeros({32}, torch::kLong),
                                                                             torch::ones({32}, torch::kLong)}), {}};
  auto options = [&](const std::string& path, int64_t epochs) {
    auto o = train::CdOptions()
                 .epochs(epochs)
                 .batch_size(16)
                 .reset_probability(0.3)
                 .ce_weight(1.0)
                 .learning_rate(train::Schedule({2e-3, 1e-3}, {3}))
                 .svgd_step_size(train::Schedule({0.2, 0.1}, {4}))
                 .checkpoint_every(1)
                 .checkpoint_path(path)
                 .fingerprint("test");
    return o;
  };
  auto sv = svgd_steps(8);
  sv.epsilon(1e-3);
  auto kernel = std::make_shared<kernel::RbfKernel>(0.5);
  // Uninterrupted: 6 epochs.
  train::CdTrainer full(small_model(model::Head::kJem, 2).ptr(), kernel, sv, options((dir / "full.pt").string(), 6), 11);
  full.fit(data);
  // Interrupted after 2 epochs, then continued by a fresh trainer (another process in real life).
  {
    train::CdTrainer first(small_model(model::Head::kJem, 2).ptr(), kernel, sv, options((dir / "part.pt").string(), 2), 11);
    first.fit(data);
  }
  torch::manual_seed(12345);  // the resumed run must not depend on the global RNG state
  train::CdTrainer resumed(small_model(model::Head::kJem, 2).ptr(), kernel, sv, options((dir / "part.pt").string(), 6), 11);
  ASSERT_TRUE(resumed.resume());
  EXPECT_EQ(resumed.epoch(), 2);
  resumed.fit(data);
  auto a = parameters(full.model()), b = parameters(resumed.model());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  EXPECT_TRUE(torch::equal(full.chains(), resumed.chains()));
  ASSERT_EQ(full.batches().size(), resumed.batches().size());
  for (size_t i = 0; i < full.batches().size(); ++i) {
    EXPECT_EQ(full.batches()[i].reset, resumed.batches()[i].reset);
    EXPECT_EQ(full.batches()[i].loss, resumed.batches()[i].loss);
  }
  // A checkpoint of another run is refused.
  auto other = options((dir / "full.pt").string(), 6);
  other.fingerprint("another");
  train::CdTrainer wrong(small_model(model::Head::kJem, 2).ptr(), kernel, sv, other, 11);
  test::expect_error([&] { wrong.resume(); }, ErrorKind::kConfig, {"full.pt", "another configuration"});
}

// A signal that lands while an epoch's progress line is printed stops the run at that epoch's end,
// after a checkpoint (it once ended a 2-rank run inside the progress update, without one).
TEST(CdTrainer, ASignalDuringTheProgressLineStopsAfterACheckpoint) {
  struct RaiseOnWrite : std::streambuf {
    int overflow(int c) override {
      if (!raised) raised = ::raise(SIGTERM) == 0;
      return c;
    }
    bool raised = false;
  } buf;
  std::ostream out(&buf);
  const auto dir = test::fresh_dir("train_signal");
  const auto path = (dir / "run.pt").string();
  auto o = train::CdOptions().epochs(5).batch_size(16).checkpoint_path(path).fingerprint("test");
  train::CdTrainer t(small_model().ptr(), std::make_shared<kernel::RbfKernel>(0.5), svgd_steps(2), o, 11);
  core::InterruptHandlers handlers;
  core::Progress progress("training", 5, &out, 0.0);
  try {
    t.fit(blob(32, 5), nullptr, &progress);
    ADD_FAILURE() << "the run went on after the signal";
  } catch (const core::Interrupted& e) {
    EXPECT_EQ(e.signal(), SIGTERM);
    EXPECT_NE(std::string(e.what()).find("after epoch 1 (checkpoint written"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(buf.raised);
  train::CdTrainer resumed(small_model().ptr(), std::make_shared<kernel::RbfKernel>(0.5), svgd_steps(2), o, 11);
  ASSERT_TRUE(resumed.resume());
  EXPECT_EQ(resumed.epoch(), 1);
}

// The denoising loss (1/(BD)) Σ ‖σ∇E − ξ‖² starts near 1 (∇E ≈ 0 at the start: the loss is the
// noise's variance) and falls as E(·, σ) learns the smoothed data's score; no chains are run.
TEST(CdTrainer, DenoisingScoreMatchingLowersItsLoss) {
  train::CdTrainer t(small_noise_egnn().ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(1),
                     denoising_options(150), 3);
  t.fit(bent_molecules(64, 4));
  const auto& h = t.history();
  ASSERT_EQ(h.size(), 150u);
  double first = 0, last = 0;
  for (int k = 0; k < 10; ++k) first += h[static_cast<size_t>(k)].loss / 10, last += h[h.size() - 1 - k].loss / 10;
  EXPECT_GT(first, 0.5);
  EXPECT_LT(last, 0.8 * first) << "first " << first << " last " << last;
  EXPECT_FALSE(t.chains().defined());
  EXPECT_EQ(t.batches().back().svgd_steps, 0);
}

TEST(CdTrainer, DenoisingResumedRunIsBitIdentical) {
  const auto dir = test::fresh_dir("train_denoising_resume");
  const auto data = bent_molecules(32, 8);
  auto options = [&](const std::string& path, int64_t epochs) {
    return denoising_options(epochs).checkpoint_every(1).checkpoint_path(path).fingerprint("dsm");
  };
  auto kernel = std::make_shared<kernel::RbfKernel>(1.0);
  train::CdTrainer full(small_noise_egnn().ptr(), kernel, svgd_steps(1), options((dir / "full.pt").string(), 4), 9);
  full.fit(data);
  {
    train::CdTrainer first(small_noise_egnn().ptr(), kernel, svgd_steps(1), options((dir / "part.pt").string(), 2), 9);
    first.fit(data);
  }
  torch::manual_seed(777);
  train::CdTrainer resumed(small_noise_egnn().ptr(), kernel, svgd_steps(1), options((dir / "part.pt").string(), 4), 9);
  ASSERT_TRUE(resumed.resume());
  resumed.fit(data);
  auto a = parameters(full.model()), b = parameters(resumed.model());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  ASSERT_EQ(full.batches().size(), resumed.batches().size());
  for (size_t i = 0; i < full.batches().size(); ++i) EXPECT_EQ(full.batches()[i].loss, resumed.batches()[i].loss);
}

TEST(CdTrainer, DenoisingErrors) {
  auto kernel = std::make_shared<kernel::RbfKernel>(1.0);
  test::expect_error([&] { train::CdTrainer t(small_model().ptr(), kernel, svgd_steps(1), denoising_options(1), 0); },
                     ErrorKind::kInvalidArgument, {"CdOptions::denoising", "noise-conditional"});
  auto bad = denoising_options(1);
  bad.noise().levels(1);
  test::expect_error([&] { train::CdTrainer t(small_noise_egnn().ptr(), kernel, svgd_steps(1), bad, 0); },
                     "NoiseLadder::levels");
}

TEST(CdTrainer, CorruptCheckpointIsAClearError) {
  const auto dir = test::fresh_dir("train_corrupt");
  const auto path = (dir / "c.pt").string();
  { std::ofstream(path) << "not a checkpoint"; }
  auto o = train::CdOptions().checkpoint_path(path);
  train::CdTrainer t(small_model().ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(1), o, 0);
  test::expect_error([&] { t.resume(); }, ErrorKind::kFormat, {path, "not a readable esvgd checkpoint"});
}

TEST(CdTrainer, DivergingTrainingNamesWhereItHappened) {
  torch::manual_seed(3);
  auto mo = model::EnergyModelOptions()
                .hidden({8})
                .head(model::Head::kLinear);  // unbounded below: CD with a huge learning rate diverges
  auto o = train::CdOptions()
               .epochs(50)
               .batch_size(8)
               .learning_rate(train::Schedule(1e30))
               .svgd_step_size(train::Schedule(0.1));
  train::CdTrainer t(model::EnergyModel(mo).ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(2), o, 0);
  try {
    t.fit(blob(16, 1));
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNumerical);
    const std::string what = e.what();
    EXPECT_TRUE(what.find("epoch") != std::string::npos || what.find("SVGD step") != std::string::npos) << what;
  }
}

TEST(CdTrainer, DataAndOptionErrors) {
  test::expect_error([] { data::check_training_data({torch::zeros({4, 3}), {}, {}}, 2, 1, "f.npy"); }, ErrorKind::kFormat,
                     {"f.npy", "[N, 2]"});
  auto x = torch::zeros({4, 2}, torch::kFloat64);
  x[1][0] = NAN;
  test::expect_error([&] { data::check_training_data({x, {}, {}}, 2, 1, "f.npy"); }, "NaN");
  test::expect_error([] { data::check_training_data({torch::zeros({4, 2}), torch::tensor({0, 1, 2, 1}), {}}, 2, 2, "d"); },
                     "labels must lie in [0, 2)");
  test::expect_error([] { data::check_training_data({torch::zeros({4, 2}), torch::zeros({3}, torch::kLong), {}}, 2, 2, "d"); },
                     "labels must be [N]");
  test::expect_error([] { data::check_training_data({torch::zeros({4, 2}), {}, torch::full({4}, NAN)}, 2, 1, "d"); },
                     "energies contain NaN");
  auto make = [](train::CdOptions o) {
    train::CdTrainer t(small_model().ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(1), o, 0);
  };
  auto o = train::CdOptions().reset_probability(1.5);
  test::expect_error([&] { make(o); }, ErrorKind::kInvalidArgument, {"CdOptions::reset_probability"});
  o = {};
  test::expect_error([] { train::parse_chain_init("gaussian"); }, ErrorKind::kInvalidArgument, {"CdOptions::chain_init", "gaussian"});
  o = {};
  o.grad_clip(-1);
  test::expect_error([&] { make(o); }, ErrorKind::kInvalidArgument, {"CdOptions::grad_clip"});
  for (double bad : {-0.1, double(NAN)}) {
    o = {};
    o.data_noise(bad);
    test::expect_error([&] { make(o); }, ErrorKind::kInvalidArgument, {"CdOptions::data_noise", "finite number >= 0"});
  }
  o = {};
  o.batch_size(100);
  train::CdTrainer t(small_model().ptr(), std::make_shared<kernel::RbfKernel>(1.0), svgd_steps(1), o, 0);
  test::expect_error([&] { t.fit(blob(10, 1)); }, ErrorKind::kInvalidArgument, {"CdOptions::batch_size", "10 points"});
}
