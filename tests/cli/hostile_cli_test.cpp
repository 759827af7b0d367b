// The command line against hostile input: no input crashes it or prints more than one error
// line, no failing run changes an existing output folder (checkpoints included), and two runs never
// write into one folder at once.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/cli_support.h"
#include "core/folder_lock.h"
#include "test_support.h"

namespace {

using namespace cli_test;


void expect_one_line(const CliResult& r, const std::string& needle) {
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
}

/// A quick c4-gaussians run with `extra` settings.
CliResult tiny(const std::string& out, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"run", "c4-gaussians", "--quiet", "--out", out, "--set", "svgd.steps=5", "--set",
                                "metrics.truth_samples=200", "--set", "samplers=[\"rbf\"]"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

TEST_F(CliTest, AFailingRunKeepsAFinishedRunsCheckpoints) {
  const std::string out = path("P");
  fs::create_directories(out + "/checkpoints");
  std::ofstream(out + "/checkpoints/w.bin") << "x";
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--set", "particles=0"}, {"--set", "svgd.step_size=1e300"}}) {
    auto r = tiny(out, bad);
    EXPECT_NE(r.status, 0) << bad[1];
    EXPECT_EQ(esvgd::test::read_text(out + "/checkpoints/w.bin"), "x") << bad[1] << ": " << r.err;
    EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1) << "nothing else in " << out;
  }
  ASSERT_EQ(tiny(out).status, 0);  // a run that succeeds replaces them (a sampling run writes none)
  EXPECT_FALSE(fs::exists(out + "/checkpoints"));
}

TEST_F(CliTest, ADivergingTrainingRunLeavesNoCheckpoints) {
  // Two sound epochs, each with a checkpoint, then a learning rate that makes the loss inf.
  const std::string out = path("train");
  auto r = run_cli({"run", "jem-c4", "--quiet", "--preset", "quick", "--out", out, "--set", "train.epochs=30", "--set",
                    "train.lr_milestones=[2]", "--set", "train.lr_after=[1e30]", "--set", "combinations=[\"ebm+svgd\"]",
                    "--set", "svgd.steps=2", "--set", "train.checkpoint_every=1"});
  EXPECT_EQ(r.status, 1) << r.err;
  expect_one_line(r, "epoch 3");
  expect_one_line(r, "NaN or inf");
  expect_one_line(r, "try a smaller train.learning_rate, loss.energy_l2 > 0 or train.grad_clip > 0");  // keys, not options
  expect_nothing_written(out);
}

TEST_F(CliTest, AnOutputThatIsAFileOrUnderAFileIsRefusedFirst) {
  std::ofstream(path("file")) << "mine";
  for (const std::string out : {path("file"), path("file") + "/sub"}) {
    auto r = tiny(out, {"--set", "particles=100000"});  // would compute for minutes if not refused first
    EXPECT_EQ(r.status, 1) << out;
    expect_one_line(r, "folder");
  }
  EXPECT_EQ(esvgd::test::read_text(path("file")), "mine");
}

TEST_F(CliTest, PublishingReplacesAllOrNothing) {
  const std::string out = path("out");
  ASSERT_EQ(tiny(out).status, 0);
  const std::string summary = esvgd::test::read_text(out + "/summary.md");
  fs::remove(out + "/particles_rbf.npy");
  fs::create_directories(out + "/particles_rbf.npy/mine");  // a user's folder named like an output
  std::ofstream(out + "/metrics.json") << "previous";
  auto r = tiny(out, {"--seed", "3"});
  EXPECT_EQ(r.status, 1);
  expect_one_line(r, "is a folder, but the run writes one of that name; nothing was replaced");
  EXPECT_EQ(esvgd::test::read_text(out + "/metrics.json"), "previous");
  EXPECT_EQ(esvgd::test::read_text(out + "/summary.md"), summary);
  EXPECT_TRUE(fs::is_directory(out + "/particles_rbf.npy/mine"));
  // The outputs are not lost: the message names the folder that holds them.
  const auto at = r.err.find("the outputs are in ");
  ASSERT_NE(at, std::string::npos);
  const std::string kept = r.err.substr(at + 19, r.err.size() - at - 20);
  EXPECT_TRUE(fs::exists(kept + "/metrics.json")) << kept;
}

TEST_F(CliTest, ASecondRunIntoALockedFolderIsRefused) {
  const std::string out = path("out");
  esvgd::core::FolderLock held(out);  // as a concurrent run holds it
  auto r = tiny(out);
  EXPECT_EQ(r.status, 1);
  expect_one_line(r, "another esvgd run");
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(CliTest, OnlyStagingFoldersOfEsvgdAreSwept) {
  fs::create_directories(path("data.tmp.4000000"));  // a user's folder that looks like a stale one
  fs::create_directories(path("data.tmp.4000001"));  // a killed run's: it has the marker
  std::ofstream(path("data.tmp.4000001/.esvgd-staging")) << "";
  fs::create_directories(path("o/ts/.tmp.123"));
  ASSERT_EQ(tiny(path("data")).status, 0);
  ASSERT_EQ(tiny(path("o/ts/")).status, 0);
  EXPECT_TRUE(fs::exists(path("data.tmp.4000000")));
  EXPECT_FALSE(fs::exists(path("data.tmp.4000001")));
  EXPECT_TRUE(fs::exists(path("o/ts/.tmp.123")));
  EXPECT_TRUE(fs::exists(path("o/ts/metrics.json")));
}

TEST_F(CliTest, InitOnlyWhereItMeansSomethingAndOnlyFromAFile) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  auto r = tiny(path("out"), {"--init", path("fifo")});  // once a hang
  EXPECT_EQ(r.status, 1);
  expect_one_line(r, "regular .npy file");
  std::ofstream(path("text.npy")) << "hello";
  for (const char* e : {"jem-c4", "dw4"}) {
    r = run_cli({"run", e, "--quiet", "--out", path("out"), "--init", path("text.npy")});
    EXPECT_EQ(r.status, 2) << e;
    expect_one_line(r, "--init does not apply");
  }
  expect_nothing_written(path("out"));
}

TEST_F(CliTest, RepeatedSetKeysAreAnError) {
  auto r = tiny(path("out"), {"--set", "svgd.steps=7"});
  EXPECT_EQ(r.status, 2);
  expect_one_line(r, "--set svgd.steps: is given twice");
}

TEST_F(CliTest, ThreadsAreCappedAtTheCores) {
  auto r = tiny(path("out"), {"--threads", "1000"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: --threads 1000 is more than the"), std::string::npos) << r.err;
}

TEST_F(CliTest, OversizedSettingsAreRefusedBeforeAllocating) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"run", "c4-gaussians", "--set", "particles=1e9"}, "config key 'particles': needs about"},
      {{"run", "c4-gaussians", "--set", "particles=9223372036854775807"}, "config key 'particles': needs about"},
      {{"run", "c4-gaussians", "--set", "particles=10000000"}, "pair evaluations"},
      {{"run", "c4-gaussians", "--set", "target.order=1e9"}, "config key 'target.order': needs about"},
      {{"run", "c4-gaussians", "--set", "metrics.truth_samples=1e12"}, "config key 'metrics.truth_samples': needs about"},
      {{"run", "jem-c4", "--set", "data.train_per_class=1e9"}, "config key 'data.train_per_class': needs about"},
      {{"run", "jem-c4", "--set", "model.hidden=[100000000]"}, "config key 'model.hidden': needs about"},
      {{"run", "jem-c4", "--set", "model.cyclic_order=0"}, "config key 'model.cyclic_order': must be >= 1"},
  };
  for (auto [args, needle] : cases) {
    args.insert(args.end(), {"--quiet", "--out", path("out")});
    const auto t0 = std::chrono::steady_clock::now();
    auto r = run_cli(args);
    EXPECT_EQ(r.status, 2) << args[3];
    expect_one_line(r, needle);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 20) << args[3];
    expect_nothing_written(path("out"));
  }
}

TEST_F(CliTest, BadConfigFilesAreOneLineUsageErrors) {
  std::ofstream(path("huge.json")) << R"({"svgd": {"step_size": 1e400}})";
  std::string deep(60000, '[');
  std::ofstream(path("deep.json")) << "{\"samplers\": " << deep << "}";
  std::ofstream(path("twice.json")) << R"({"particles": 5, "particles": 6})";
  for (const char* f : {"huge.json", "deep.json", "twice.json"}) {
    auto r = run_cli({"config", "c4-gaussians", "--config", path(f)});
    EXPECT_EQ(r.status, 2) << f;
    expect_one_line(r, path(f));
  }
  auto r = run_cli({"config", "c4-gaussians", "--set", "samplers=" + deep});
  EXPECT_EQ(r.status, 2);
  expect_one_line(r, "nested deeper");
}

TEST_F(CliTest, ControlBytesInMessagesAreEscaped) {
  std::ofstream(path("bin.npy"), std::ios::binary) << std::string("\x93NUMPY\x01\x00\x10\x00{'descr': '\x01\x00\x1b'}", 26);
  auto r = tiny(path("out"), {"--init", path("bin.npy")});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "no raw escape byte reaches the terminal";
  expect_one_line(r, "bin.npy");
}

}  // namespace
