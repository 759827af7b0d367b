// Runs over several seeds: the seed list, the summary's statistics and intervals, and
// `esvgd run ... --seeds` end to end (its runs are the esvgd executable of this build).
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "cli/cli_support.h"
#include "cli/seed_summary.h"
#include "cli/seeds.h"
#include "esvgd/core/npy.h"

namespace {

using namespace cli_test;
using nlohmann::json;

TEST(Seeds, ListsAndRangesInOrderEachOnce) {
  EXPECT_EQ(esvgd::cli::parse_seeds("1-5"), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(esvgd::cli::parse_seeds("8,3,1"), (std::vector<uint64_t>{8, 3, 1}));
  EXPECT_EQ(esvgd::cli::parse_seeds("1-3,10,2"), (std::vector<uint64_t>{1, 2, 3, 10}));
  for (const std::string bad : {"", "a", "5-1", "1-", "-3", "1,,2", "1-99999"}) {
    try {
      esvgd::cli::parse_seeds(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--seeds"), std::string::npos) << e.what();
    }
  }
}

TEST(Seeds, SummaryHasMomentsPairedIntervalsAndWins) {
  auto run = [](double a, double b, double seconds) {
    return json{{"seconds", seconds},
                {"metrics", {{"samplers", {{{"sampler", "a"}, {"mmd2", a}}, {{"sampler", "b"}, {"mmd2", b}}}}}}};
  };
  const auto s = esvgd::cli::summarize_seeds({{1, run(1.0, 2.0, 10)}, {2, run(3.0, 3.5, 20)}, {3, run(2.0, 4.0, 30)}});
  EXPECT_EQ(s["seeds"], json({1, 2, 3}));
  const auto& a = s["tables"]["metrics/samplers"]["rows"]["a"]["mmd2"];
  EXPECT_DOUBLE_EQ(a["mean"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(a["sd"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(a["min"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(s["tables"]["run"]["rows"][""]["seconds"]["mean"].get<double>(), 20.0);
  const auto& p = s["tables"]["metrics/samplers"]["pairs"][0];  // a − b: −1, −0.5, −2
  EXPECT_EQ(p["column"], "mmd2");
  EXPECT_DOUBLE_EQ(p["mean"].get<double>(), -3.5 / 3);
  const double half = 4.303 * std::sqrt(7.0 / 12.0) / std::sqrt(3.0);  // t(2) · sd / √n, sd² = 7/12
  EXPECT_NEAR(p["low"].get<double>(), -3.5 / 3 - half, 1e-12);
  EXPECT_NEAR(p["high"].get<double>(), -3.5 / 3 + half, 1e-12);
  EXPECT_EQ(p["a_lower"], 3);
  EXPECT_EQ(p["b_lower"], 0);
  // Rows named by their label (ablation-efficiency's "rbf N=20"), and a repeated name numbered.
  const json labelled{{"metrics", {{"runs", {{{"label", "rbf N=20"}, {"sampler", "rbf"}, {"kl", 1.0}},
                                             {{"label", "rbf N=40"}, {"sampler", "rbf"}, {"kl", 2.0}},
                                             {{"sampler", "c4"}, {"kl", 3.0}}, {{"sampler", "c4"}, {"kl", 4.0}}}}}}};
  const auto rows = esvgd::cli::summarize_seeds({{1, labelled}, {2, labelled}})["tables"]["metrics/runs"]["rows"];
  EXPECT_EQ(rows.size(), 4u) << rows.dump();
  EXPECT_DOUBLE_EQ(rows["rbf N=40"]["kl"]["mean"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(rows["c4 (2)"]["kl"]["mean"].get<double>(), 4.0);
  // A combination row also names its sampler: rows are told apart by the combination.
  const json combos{{"metrics", {{"combinations", {{{"combination", "x"}, {"sampler", "s"}, {"kl", 1.0}},
                                                    {{"combination", "y"}, {"sampler", "s"}, {"kl", 2.0}}}}}}};
  const auto c = esvgd::cli::summarize_seeds({{1, combos}, {2, combos}});
  EXPECT_EQ(c["tables"]["metrics/combinations"]["rows"].size(), 2u);
  EXPECT_DOUBLE_EQ(c["tables"]["metrics/combinations"]["rows"]["y"]["kl"]["mean"].get<double>(), 2.0);
  const auto md = esvgd::cli::seed_summary_markdown(s);
  EXPECT_NE(md.find("| mmd2 | a | b | -1.167 |"), std::string::npos) << md;
}

TEST_F(CliTest, SeedsRunOneFolderEachAndSummarizeThem) {
  setenv("ESVGD_EXE", ESVGD_BINARY_DIR "/esvgd", 1);
  auto args = tiny_run(path("out"), /*plot=*/true);
  args.insert(args.end(), {"--seeds", "1-2", "--jobs", "2", "--seed", "9", "--threads", "2"});  // seed, threads: per run
  const auto r = run_cli(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("summary.md"), std::string::npos) << r.out;
  std::vector<double> mmd;
  for (const char* seed : {"1", "2"}) {
    std::ifstream in(path("out/seed-") + seed + "/metrics.json");
    const auto m = json::parse(in);
    EXPECT_EQ(m["seed"], std::stoi(seed));
    EXPECT_EQ(m["threads"], 1);
    mmd.push_back(m["metrics"]["samplers"][0]["mmd2"].get<double>());
  }
  EXPECT_NE(mmd[0], mmd[1]);
  std::ifstream in(path("out/metrics.json"));
  const auto summary = json::parse(in);
  EXPECT_EQ(summary["seeds"], json({1, 2}));
  EXPECT_EQ(summary["experiment"], "c4-gaussians");
  EXPECT_DOUBLE_EQ(summary["tables"]["metrics/samplers"]["rows"]["rbf"]["mmd2"]["mean"].get<double>(),
                   (mmd[0] + mmd[1]) / 2);
  EXPECT_TRUE(fs::exists(path("out/summary.md")));
  EXPECT_TRUE(fs::exists(path("out/seed-2.log")));
  EXPECT_TRUE(fs::exists(path("out/seeds.png"))) << r.err;  // every seed's values (esvgd.plot.seeds)
  EXPECT_TRUE(fs::exists(path("out/seed-1/particles.png")));

  auto bad = run_cli({"run", "c4-gaussians", "--out", path("bad"), "--seeds", "3-1"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--seeds 3-1"), std::string::npos) << bad.err;
  args = tiny_run(path("fail"));
  args.insert(args.end(), {"--seeds", "1", "--set", "no.such_key=1"});
  bad = run_cli(args);  // the config error surfaces before any seed starts
  EXPECT_EQ(bad.status, 2);
  EXPECT_FALSE(fs::exists(path("fail/seed-1")));
}

/// Every .npy of a run folder by name.
std::map<std::string, torch::Tensor> arrays(const fs::path& dir) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().extension() == ".npy") out[f.path().filename().string()] = esvgd::core::read_npy(f.path().string());
  return out;
}

// docs/results.md, "Determinism across threads": a small sampling experiment gives the same bytes on
// 1 and 2 threads. Training does not: LibTorch's matrix products split over the threads round
// differently in the last bit (a 128 × 64 by 64 × 64 float32 product already does), so a 3-epoch
// jem-c4 agrees to 1e-5 only. (--seeds runs record their thread count, 1.)
TEST_F(CliTest, OneAndTwoThreadsGiveTheSameSamplesAndNearlyTheSameTrainedModels) {
  for (const std::string t : {"1", "2"}) {
    auto sampling = tiny_run(path("c4-" + t));
    sampling.insert(sampling.end(), {"--threads", t});
    ASSERT_EQ(run_cli(sampling).status, 0);
    const auto r = run_cli({"run", "jem-c4", "--preset", "quick", "--quiet", "--no-plot", "--out", path("jem-" + t),
                            "--set", "train.epochs=3", "--set", "data.train_per_class=16", "--set",
                            "data.test_per_class=16", "--set", "sample.steps=50", "--threads", t});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  for (const std::string run : {"c4-", "jem-"}) {
    const auto one = arrays(path(run + "1")), two = arrays(path(run + "2"));
    EXPECT_GE(one.size(), 3u) << run;
    ASSERT_EQ(one.size(), two.size()) << run;
    for (const auto& [name, a] : one) {
      const auto& b = two.at(name);
      ASSERT_EQ(a.sizes(), b.sizes()) << run << name;
      if (run == "c4-") EXPECT_TRUE(torch::equal(a, b)) << name << ": the samples differ between 1 and 2 threads";
      else EXPECT_LE((a - b).abs().max().item<double>(), 1e-5) << name;
    }
  }
}

}  // namespace
