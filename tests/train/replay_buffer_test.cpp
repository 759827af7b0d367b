// The replay buffer: fresh-start proportion, uniform draws from the buffer, FIFO capacity, the
// empty buffer, option errors; CD with a replay buffer and Langevin or noisy-SVGD negatives resumes
// bit-identically and lowers data energies.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include "esvgd/kernel/rbf.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/train/cd_trainer.h"
#include "esvgd/train/replay_buffer.h"
#include "test_support.h"
#include "train/train_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

using test::blob;
using test::parameters;
using test::small_model;

TEST(ReplayBuffer, FreshProportionAndUniformDraws) {
  train::ReplayBuffer buffer(1000, 0.05);
  // Row r of the buffer holds the value r + 1; fresh rows hold 0.
  buffer.push(torch::arange(1, 1001, torch::kFloat64).unsqueeze(1));
  auto gen = test::make_gen(4);
  const int64_t B = 200, rounds = 200;
  int64_t fresh = 0;
  auto hits = torch::zeros({1001}, torch::kFloat64);
  for (int64_t r = 0; r < rounds; ++r) {
    const auto d = buffer.draw(torch::zeros({B, 1}, torch::kFloat64), gen);
    EXPECT_EQ(d.fresh, (d.starts == 0).sum().item<int64_t>());
    fresh += d.fresh;
    hits.index_add_(0, d.starts.squeeze(1).to(torch::kLong), torch::ones({B}, torch::kFloat64));
  }
  const double draws = static_cast<double>(B * rounds), p = static_cast<double>(fresh) / draws;
  EXPECT_NEAR(p, 0.05, 4 * std::sqrt(0.05 * 0.95 / draws));  // 4 standard errors: 0.006
  // Each buffer row is drawn about (1 − 0.05) · draws / 1000 = 38 times; a chi-square check on
  // the counts rules out, e.g., only ever drawing the newest rows.
  const auto counts = hits.narrow(0, 1, 1000);
  const double expected = counts.sum().item<double>() / 1000;
  const double chi2 = ((counts - expected).square() / expected).sum().item<double>();
  EXPECT_LT(chi2, 1000 + 5 * std::sqrt(2000.0));  // mean 999, sd 45
  EXPECT_GT(counts.min().item<double>(), 0);
}

TEST(ReplayBuffer, EmptyBufferStartsFreshAndPushIsFifo) {
  train::ReplayBuffer buffer(5, 0.0);
  auto gen = test::make_gen(1);
  const auto fresh_rows = torch::full({3, 2}, -1.0, torch::kFloat32);
  auto d = buffer.draw(fresh_rows, gen);
  EXPECT_EQ(d.fresh, 3);
  EXPECT_TRUE(torch::equal(d.starts, fresh_rows));
  buffer.push(torch::tensor({{1.0, 1.0}, {2.0, 2.0}, {3.0, 3.0}}, torch::kFloat32));
  buffer.push(torch::tensor({{4.0, 4.0}, {5.0, 5.0}, {6.0, 6.0}}, torch::kFloat32));
  // Newest first, the oldest row dropped beyond the capacity.
  EXPECT_TRUE(torch::equal(buffer.contents().select(1, 0), torch::tensor({4.0, 5.0, 6.0, 1.0, 2.0}, torch::kFloat32)));
  d = buffer.draw(fresh_rows, gen);  // fresh = 0: every start from the buffer
  EXPECT_EQ(d.fresh, 0);
  EXPECT_TRUE((d.starts > 0).all().item<bool>());
  EXPECT_EQ(d.starts.scalar_type(), torch::kFloat32);
  buffer.set_contents(torch::empty({0}));
  EXPECT_FALSE(buffer.contents().defined());
}

TEST(ReplayBuffer, BadOptionsNameTheirKeys) {
  test::expect_error([] { train::ReplayBuffer(0, 0.05); }, ErrorKind::kInvalidArgument, {"CdOptions::replay_size"});
  test::expect_error([] { train::ReplayBuffer(10, 1.5); }, ErrorKind::kInvalidArgument, {"CdOptions::replay_fresh"});
}

// ---- contrastive divergence with a replay buffer --------------------------------------------------

train::CdOptions replay_options(const std::string& sampler, const std::string& path, int64_t epochs) {
  auto o = train::CdOptions()
               .epochs(epochs)
               .batch_size(16)
               .sampler(train::parse_negative_sampler(sampler))
               .langevin(sampler::LangevinOptions().max_steps(10).step_size(0.01))
               .replay_size(40)
               .replay_fresh(0.2)
               .chain_init(train::ChainInit::kUniform)
               .anchors(false)
               .learning_rate(train::Schedule({5e-3}))
               .svgd_step_size(train::Schedule({0.01}))
               .checkpoint_every(1)
               .checkpoint_path(path)
               .fingerprint("replay");
  return o;
}

sampler::SvgdOptions noisy_svgd() {
  auto s = sampler::SvgdOptions().max_steps(10).langevin(true).median(true);
  return s;
}

TEST(CdTrainerReplay, ResumedRunIsBitIdenticalForEachChainType) {
  const auto dir = fs::temp_directory_path() / ("esvgd_replay_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto data = blob(64, 5);
  for (const std::string sampler : {"langevin", "svgd"}) {
    auto kernel = std::make_shared<kernel::RbfKernel>(0.5);
    const auto full_path = (dir / (sampler + "_full.pt")).string(), part_path = (dir / (sampler + "_part.pt")).string();
    train::CdTrainer full(small_model().ptr(), kernel, noisy_svgd(), replay_options(sampler, full_path, 5), 11);
    full.fit(data);
    {
      train::CdTrainer first(small_model().ptr(), kernel, noisy_svgd(), replay_options(sampler, part_path, 2), 11);
      first.fit(data);
    }
    torch::manual_seed(999);
    train::CdTrainer resumed(small_model().ptr(), kernel, noisy_svgd(), replay_options(sampler, part_path, 5), 11);
    ASSERT_TRUE(resumed.resume());
    resumed.fit(data);
    auto a = parameters(full.model()), b = parameters(resumed.model());
    for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << sampler << " parameter " << i;
    EXPECT_TRUE(torch::equal(full.replay(), resumed.replay())) << sampler;
    EXPECT_EQ(full.replay().size(0), 40);
    // The checkpoints themselves are byte-identical.
    auto bytes = [](const std::string& p) {
      std::ifstream in(p, std::ios::binary);
      return std::string(std::istreambuf_iterator<char>(in), {});
    };
    EXPECT_EQ(bytes(full_path), bytes(part_path)) << sampler;
    // Kernel samplers record their coupling; Langevin has none.
    const auto& rec = full.batches().back();
    if (sampler == "svgd") EXPECT_GE(rec.interacting, 0.0);
    else EXPECT_EQ(rec.interacting, -1.0);
  }
  // A checkpoint without a buffer cannot resume a run with one.
  auto o = replay_options("langevin", (dir / "plain.pt").string(), 1);
  o.replay_size(0);
  train::CdTrainer plain(small_model().ptr(), std::make_shared<kernel::RbfKernel>(0.5), noisy_svgd(), o, 11);
  plain.fit(data);
  train::CdTrainer with_buffer(small_model().ptr(), std::make_shared<kernel::RbfKernel>(0.5), noisy_svgd(),
                               replay_options("langevin", (dir / "plain.pt").string(), 2), 11);
  test::expect_error([&] { with_buffer.resume(); }, ErrorKind::kFormat, {"plain.pt", "no replay buffer"});
  fs::remove_all(dir);
}

TEST(CdTrainerReplay, LangevinNegativesLowerDataEnergies) {
  const auto data = blob(128, 8);
  auto o = replay_options("langevin", "", 30);
  o.langevin().max_steps(20);
  o.langevin().step_size(0.05);
  o.replay_size(200);
  o.energy_l2(0.1);
  train::CdTrainer trainer(small_model().ptr(), std::make_shared<kernel::RbfKernel>(0.5), noisy_svgd(), o, 2);
  trainer.fit(data);
  // The model puts low energy on the data and higher energy away from it (the uniform box).
  torch::NoGradGuard no_grad;
  auto gen = test::make_gen(9);
  const double e_data = trainer.model().energy(data.x.to(torch::kFloat32)).mean().item<double>();
  const double e_far = trainer.model().energy(-5 + 10 * torch::rand({512, 2}, gen, torch::kFloat32)).mean().item<double>();
  EXPECT_LT(e_data + 0.5, e_far) << "data " << e_data << ", box " << e_far;
  test::expect_error([&] {
    auto bad = o;
    train::parse_negative_sampler("hmc");
  }, ErrorKind::kInvalidArgument, {"CdOptions::sampler", "hmc"});
}

}  // namespace
