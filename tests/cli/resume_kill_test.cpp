// A training run killed with SIGKILL at a random moment and resumed with --resume ends with
// parameters bit-identical to an uninterrupted run (same seed, same threads, CPU): with persistent
// SVGD chains, and with a replay buffer of Langevin and noisy-SVGD chains.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/serialize/input-archive.h>

#include "esvgd/model/energy_model.h"
#include "test_support.h"

extern char** environ;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSettings{
    "--preset", "quick", "--threads", "1", "--quiet", "--set", "combinations=[\"e-ebm+e-svgd\"]",
    "--set", "model.hidden=[16,16]", "--set", "train.epochs=30", "--set", "train.checkpoint_every=1",
    "--set", "svgd.steps=40", "--set", "data.train_per_class=16", "--set", "data.test_per_class=8",
    "--set", "train.batch_size=8", "--set", "sample.steps=5", "--set", "sample.particles=8",
    "--set", "chains.reset_probability=0.3"};

/// Replay buffers of Langevin and noisy-SVGD chains (one combination each).
const std::vector<std::string> kReplaySettings{
    "--preset", "quick", "--threads", "1", "--quiet", "--set", "combinations=[\"e-ebm+langevin\", \"e-ebm+e-svgd\"]",
    "--set", "model.hidden=[16,16]", "--set", "train.epochs=20", "--set", "train.checkpoint_every=1",
    "--set", "svgd.steps=40", "--set", "data.train_per_class=16", "--set", "data.test_per_class=8",
    "--set", "train.batch_size=8", "--set", "sample.steps=5", "--set", "sample.particles=8",
    "--set", "chains.replay_size=64", "--set", "svgd.langevin=true", "--set", "svgd.median=true",
    "--set", "svgd.step_size=0.01", "--set", "langevin.steps=40"};

pid_t spawn(const std::vector<std::string>& extra, const std::vector<std::string>& settings = kSettings) {
  std::vector<std::string> args{std::string(ESVGD_BINARY_DIR) + "/esvgd", "run", "jem-c4"};
  args.insert(args.end(), settings.begin(), settings.end());
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

std::vector<torch::Tensor> checkpoint_parameters(const fs::path& out, const std::string& combo = "e-ebm+e-svgd") {
  torch::serialize::InputArchive root, m;
  root.load_from((out / "checkpoints" / (combo + ".pt")).string());
  root.read("model", m);
  auto o = esvgd::model::EnergyModelOptions()
               .hidden({16, 16})
               .head(esvgd::model::Head::kJem)
               .outputs(2)
               .symmetry(esvgd::model::Symmetry::kCyclic);
  esvgd::model::EnergyModel model(o);
  model->load(m);
  std::vector<torch::Tensor> p;
  for (const auto& t : model->parameters()) p.push_back(t.detach().clone());
  return p;
}

/// The final checkpoint's bytes: equal training states must give equal files.
std::string checkpoint_bytes(const fs::path& out, const std::string& combo = "e-ebm+e-svgd") {
  return esvgd::test::read_text(out / "checkpoints" / (combo + ".pt"));
}

}  // namespace

TEST(ResumeAfterSigkill, EndsBitIdenticalToAnUninterruptedRun) {
  const fs::path dir = fs::temp_directory_path() / ("esvgd_kill_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(wait_for(spawn({"--out", (dir / "full").string()})), 0);
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto reference = checkpoint_parameters(dir / "full");

  std::mt19937 rng(20261129);
  for (int trial = 0; trial < 3; ++trial) {
    const fs::path out = dir / ("killed" + std::to_string(trial));
    // Anywhere in the second half of the run (the first ~0.9 s load the libraries): between
    // checkpoints, during a write, while sampling the trained model or publishing the outputs.
    const double delay = std::uniform_real_distribution<double>(0.4, 1.0)(rng) * full_s;
    const pid_t pid = spawn({"--out", out.string()});
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    kill(pid, SIGKILL);
    wait_for(pid);
    const bool can_resume = fs::is_directory(out / "checkpoints");
    std::cout << "trial " << trial << ": killed after " << delay << " of " << full_s << " s; "
              << (can_resume ? "resuming" : "no checkpoint yet, starting afresh") << std::endl;
    const int status = wait_for(spawn(can_resume ? std::vector<std::string>{"--resume", out.string()}
                                                 : std::vector<std::string>{"--out", out.string()}));
    ASSERT_EQ(status, 0) << "trial " << trial << " (killed after " << delay << " s)";
    const auto resumed = checkpoint_parameters(out);
    ASSERT_EQ(resumed.size(), reference.size());
    for (size_t i = 0; i < resumed.size(); ++i)
      EXPECT_TRUE(torch::equal(resumed[i], reference[i])) << "trial " << trial << " (killed after " << delay
                                                          << " s, resumed: " << can_resume << "), parameter " << i;
    EXPECT_TRUE(checkpoint_bytes(out) == checkpoint_bytes(dir / "full")) << "trial " << trial << ": checkpoint bytes differ";
    EXPECT_TRUE(fs::exists(out / "metrics.json"));
    for (const auto& e : fs::directory_iterator(dir))  // the killed run's staging folder is cleaned up
      EXPECT_EQ(e.path().filename().string().find(out.filename().string() + ".tmp."), std::string::npos) << e.path();
  }
  // SIGINT during training (sent as soon as the first checkpoint appears, 29 epochs before the end):
  // the run stops at the end of the epoch with a checkpoint, exits with 128 + 2 and leaves no
  // staging folder.
  const fs::path out = dir / "interrupted";
  const pid_t pid = spawn({"--out", out.string()});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(out / "checkpoints" / "e-ebm+e-svgd.pt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  kill(pid, SIGINT);
  const int status = wait_for(pid);
  ASSERT_TRUE(WIFEXITED(status)) << "stopped by the signal itself, not at a safe point";
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  EXPECT_FALSE(fs::exists(out / "metrics.json"));
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().filename().string().find("interrupted.tmp."), std::string::npos) << e.path();
  ASSERT_EQ(wait_for(spawn({"--resume", out.string()})), 0);
  const auto resumed = checkpoint_parameters(out);
  for (size_t i = 0; i < resumed.size(); ++i) EXPECT_TRUE(torch::equal(resumed[i], reference[i])) << "parameter " << i;
  EXPECT_TRUE(checkpoint_bytes(out) == checkpoint_bytes(dir / "full")) << "checkpoint bytes differ after SIGINT";
  fs::remove_all(dir);
}

TEST(ResumeAfterSigkill, ReplayBuffersOfLangevinAndNoisySvgdChains) {
  const fs::path dir = fs::temp_directory_path() / ("esvgd_kill_replay_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(wait_for(spawn({"--out", (dir / "full").string()}, kReplaySettings)), 0);
  const double full_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::mt19937 rng(20261203);
  for (int trial = 0; trial < 2; ++trial) {
    const fs::path out = dir / ("killed" + std::to_string(trial));
    const double delay = std::uniform_real_distribution<double>(0.4, 0.9)(rng) * full_s;
    const pid_t pid = spawn({"--out", out.string()}, kReplaySettings);
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    kill(pid, SIGKILL);
    wait_for(pid);
    const bool can_resume = fs::is_directory(out / "checkpoints");
    std::cout << "replay trial " << trial << ": killed after " << delay << " of " << full_s << " s; "
              << (can_resume ? "resuming" : "no checkpoint yet, starting afresh") << std::endl;
    ASSERT_EQ(wait_for(spawn(can_resume ? std::vector<std::string>{"--resume", out.string()}
                                        : std::vector<std::string>{"--out", out.string()},
                             kReplaySettings)),
              0);
    for (const std::string combo : {"e-ebm+langevin", "e-ebm+e-svgd"}) {
      const auto a = checkpoint_parameters(out, combo), b = checkpoint_parameters(dir / "full", combo);
      for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << combo << " parameter " << i;
      EXPECT_TRUE(checkpoint_bytes(out, combo) == checkpoint_bytes(dir / "full", combo))
          << "trial " << trial << ", " << combo << ": checkpoint bytes differ";
    }
  }
  fs::remove_all(dir);
}
