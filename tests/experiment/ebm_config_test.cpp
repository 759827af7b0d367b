// The EBM experiments reject bad settings and data with errors that name the key or file, before
// any training.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/npy.h"
#include "experiment/cd_experiment.h"
#include "experiment/experiment.h"
#include "test_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

void run_with(const std::string& name, const std::vector<std::string>& sets) {
  auto c = experiment::make_config(experiment::find_experiment(name), "quick");
  for (const auto& s : sets) c.set_from_string(s);
  const auto dir = test::fresh_dir("ebm_config");
  experiment::RunContext ctx{dir.string(), 42, "", nullptr};
  experiment::run_experiment(experiment::find_experiment(name), c, ctx);
}

}  // namespace

TEST(EbmConfig, BadSettingsNameTheirKey) {
  for (const std::string exp : {"jem-c4", "ebm-circles", "dw4"}) {
    test::expect_error([&] { run_with(exp, {"combinations=[\"ebm+esvgd\"]"}); }, ErrorKind::kConfig,
                       {"combinations", "ebm+esvgd"});
    test::expect_error([&] { run_with(exp, {"model.head=softplus"}); }, ErrorKind::kConfig, {"model.", "softplus"});
    test::expect_error([&] { run_with(exp, {"train.lr_milestones=[10]", "train.lr_after=[]"}); }, ErrorKind::kConfig,
                       {"train.lr_milestones", "one more value"});
    test::expect_error([&] { run_with(exp, {"chains.init=zeros"}); }, ErrorKind::kConfig, {"chains.init", "zeros"});
    test::expect_error([&] { run_with(exp, {"svgd.equivariant_sampler=orbit"}); }, ErrorKind::kConfig,
                       {"unknown sampler 'orbit'"});
    test::expect_error([&] { run_with(exp, {"train.batch_size=1000"}); }, ErrorKind::kConfig, {"train.batch_size"});
    test::expect_error([&] { run_with(exp, {"model.symmetry=none"}); }, ErrorKind::kConfig, {"model.symmetry"});
    // The samplers that move (docs/method.md, "Samplers that move and kernels that couple").
    test::expect_error([&] { run_with(exp, {"svgd.normalize=mass"}); }, ErrorKind::kConfig, {"svgd.normalize", "mass"});
    test::expect_error([&] { run_with(exp, {"svgd.langevin=true", "svgd.optimizer=adagrad"}); }, ErrorKind::kConfig,
                       {"svgd.optimizer", "noisy step"});
    test::expect_error([&] { run_with(exp, {"svgd.langevin_noise=-1"}); }, ErrorKind::kConfig, {"svgd.langevin_noise"});
    test::expect_error([&] { run_with(exp, {"combinations=[\"ebm+langevin@rbf\"]"}); }, ErrorKind::kConfig,
                       {"combinations", "langevin takes no @variant"});
    test::expect_error([&] { run_with(exp, {"combinations=[\"ebm+langevin\"]", "langevin.step_size=0"}); },
                       ErrorKind::kConfig, {"langevin.step_size"});
    test::expect_error([&] { run_with(exp, {"langevin.clip=-2"}); }, ErrorKind::kConfig, {"langevin.clip"});
    test::expect_error([&] { run_with(exp, {"combinations=[\"ebm+langevin\"]", "langevin.clamp=[0, 1, 2]"}); },
                       ErrorKind::kConfig, {"langevin.clamp", "got 3 numbers"});
    test::expect_error([&] { run_with(exp, {"combinations=[\"ebm+langevin\"]", "langevin.clamp=[1, 0]"}); },
                       ErrorKind::kConfig, {"langevin.clamp", "low < high"});
    test::expect_error([&] { run_with(exp, {"chains.replay_size=-5"}); }, ErrorKind::kConfig, {"chains.replay_size"});
    test::expect_error([&] { run_with(exp, {"chains.replay_size=100", "chains.replay_fresh=1.5"}); }, ErrorKind::kConfig,
                       {"chains.replay_fresh"});
    test::expect_error([&] { run_with(exp, {"train.adam_beta1=1"}); }, ErrorKind::kConfig, {"train.adam_beta1"});
  }
  test::expect_error([] { run_with("ebm-circles", {"data.sampler=uniform"}); }, ErrorKind::kConfig, {"data.sampler"});
  test::expect_error([] { run_with("jem-c4", {"target.radii=[7]"}); }, ErrorKind::kConfig, {"target.radii"});
  test::expect_error([] { run_with("dw4", {"data.set=random"}); }, ErrorKind::kConfig, {"data.set", "random"});
  test::expect_error([] { run_with("dw4", {"states.near=0"}); }, ErrorKind::kConfig, {"states.near"});
  test::expect_error([] { run_with("dw4", {"combinations=[\"ebm@canonical+svgd\"]"}); }, ErrorKind::kConfig,
                     {"combinations", "takes no @symmetry"});
  test::expect_error([] { run_with("dw4", {"combinations=[\"e-ebm@sorted+svgd\"]"}); }, ErrorKind::kConfig,
                     {"model.", "sorted"});
  test::expect_error([] { run_with("dw4", {"combinations=[\"e-ebm+e-svgd@c4\"]"}); }, ErrorKind::kConfig,
                     {"unknown sampler 'c4' for particle systems"});
  test::expect_error([] { run_with("dw4", {"svgd.equivariant_bandwidth=-1"}); }, ErrorKind::kConfig,
                     {"svgd.equivariant_bandwidth"});
}

// A whole dw4 run in miniature: states found, every output written, counts that add up.
TEST(Dw4Run, TinyRunWritesEveryOutput) {
  const auto dir = test::fresh_dir("dw4_run");
  auto c = experiment::make_config(experiment::find_experiment("dw4"), "quick");
  for (const char* s : {"train.epochs=1", "svgd.steps=20", "data.copies=13", "sample.particles=24", "sample.steps=30",
                        "combinations=[\"ebm+svgd\",\"e-ebm@pair-distances+e-svgd@orbit-matrix\"]"})
    c.set_from_string(s);
  experiment::RunContext ctx{dir.string(), 42, "", nullptr};
  auto m = experiment::run_experiment(experiment::find_experiment("dw4"), c, ctx);
  ASSERT_EQ(m["states"].size(), 5u);
  EXPECT_NEAR(m["states"][0]["energy"].get<double>(), -25.792, 1e-3);
  ASSERT_EQ(m["combinations"].size(), 2u);
  for (const auto& row : m["combinations"]) {
    int64_t total = row["not_near_a_state"].get<int64_t>();
    for (auto v : row["state_counts"]) total += v.get<int64_t>();
    EXPECT_EQ(total, 24);
    EXPECT_GE(row["tv_to_training"].get<double>(), 0.0);
    EXPECT_LE(row["tv_to_training"].get<double>(), 1.0);
  }
  EXPECT_EQ(m["combinations"][1]["kernel"], "orbit-matrix(O2xS4)");
  EXPECT_EQ(m["ablation"]["samplings"].size(), 2u);
  EXPECT_EQ(m["training_state_counts"], nlohmann::json({13, 13, 13, 13, 13}));
  for (const char* f : {"figures/states.json", "figures/samples.json", "figures/energies.json", "figures/ablation.json",
                        "figures/training.json", "summary.md",
                        "train_x.npy", "samples_ebm+svgd.npy"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  const auto text = test::read_text(dir / "summary.md");
  EXPECT_NE(text.find("| ebm+svgd |"), std::string::npos);
  EXPECT_NE(text.find("## Figure 12"), std::string::npos);  // the ablation table follows the main one
}

// The tuned preset in miniature: every combination (Langevin rows included) runs, the new columns
// are there, SVGD rows report their coupling; a kernel that couples nothing says so on stderr.
TEST(Dw4Run, TunedPresetInMiniature) {
  const auto dir = test::fresh_dir("dw4_tuned");
  auto c = experiment::make_config(experiment::find_experiment("dw4"), "tuned");
  for (const char* s : {"train.epochs=2", "train.batch_size=32", "data.copies=13", "sample.particles=24",
                        "sample.steps=20", "states.starts=60", "svgd.steps=10", "langevin.steps=10"})
    c.set_from_string(s);
  std::ostringstream warnings;
  experiment::RunContext ctx{dir.string(), 42, "", nullptr};
  ctx.warnings = &warnings;
  auto m = experiment::run_experiment(experiment::find_experiment("dw4"), c, ctx);
  ASSERT_EQ(m["combinations"].size(), 6u);
  for (const auto& row : m["combinations"]) {
    const bool langevin = row["sampler"] == "langevin";
    EXPECT_EQ(row["interacting_train"].is_number(), !langevin) << row["combination"];
    if (!langevin) EXPECT_GT(row["interacting_train"].get<double>(), 1.0) << row["combination"];  // median h couples
    EXPECT_GE(row["distance_tv"].get<double>(), 0.0);
    EXPECT_LE(row["distance_tv"].get<double>(), 1.0);
    EXPECT_TRUE(row["energy_gap"].is_number());
  }
  EXPECT_LT(m["distance_tv_training_vs_held_out"].get<double>(), 0.2);
  EXPECT_EQ(warnings.str(), "");
  // A bandwidth far below every distance: no pair interacts, one warning line for training and
  // one for sampling.
  c.set_from_string("svgd.median=false");
  c.set_from_string("svgd.bandwidth=1e-6");
  c.set_from_string("svgd.equivariant_bandwidth=1e-6");
  c.set_from_string("combinations=[\"e-ebm+e-svgd\"]");
  fs::remove_all(dir);
  fs::create_directories(dir);
  experiment::run_experiment(experiment::find_experiment("dw4"), c, ctx);
  const std::string w = warnings.str();
  EXPECT_EQ(std::count(w.begin(), w.end(), '\n'), 2) << w;
  EXPECT_NE(w.find("e-ebm+e-svgd training: the kernel coupled no particles"), std::string::npos) << w;
  EXPECT_NE(w.find("e-ebm+e-svgd sampling: the kernel coupled no particles"), std::string::npos) << w;
}

TEST(EbmConfig, MalformedDataFilesNameTheFile) {
  const auto dir = test::fresh_dir("ebm_data");
  const auto labels = (dir / "labels.npy").string();
  core::write_npy(labels, torch::tensor({{1.0, 2.0, 0.0}, {3.0, 4.0, 5.0}}, torch::kFloat64));
  test::expect_error([&] { run_with("jem-c4", {"data.file=" + labels}); }, ErrorKind::kFormat, {labels, "[0, 2)"});
  const auto shape = (dir / "shape.npy").string();
  core::write_npy(shape, torch::zeros({5, 2}, torch::kFloat64));
  test::expect_error([&] { run_with("ebm-circles", {"data.file=" + shape}); }, ErrorKind::kFormat, {shape, "[N, 3]"});
}

// sample.start = replay continues the training replay buffer: with no step the samples are rows of
// it; a run without a buffer, or an unknown start, is a config error before any training.
TEST(EbmConfig, SamplingFromTheReplayBuffer) {
  auto c = experiment::make_config(experiment::find_experiment("ebm-circles"), "quick");
  c.set_from_string("sample.start=replay");
  c.set_from_string("sample.steps=0");
  c.set_from_string("combinations=[\"ebm+langevin\"]");
  experiment::TrainedModel t;
  t.combo = experiment::parse_combination("ebm+langevin");
  t.dim = 2;
  t.model = experiment::make_energy_model(c, t.combo, 2, 1).ptr();
  std::ostringstream log;
  experiment::RunContext ctx{"", 42, "", &log};
  auto gen = at::detail::createCPUGenerator(7);
  t.replay = torch::arange(20, torch::kFloat32).view({10, 2});
  auto X = experiment::sample_model(c, ctx, t, -1, gen, 0, 30);
  ASSERT_EQ(X.sizes(), torch::IntArrayRef({30, 2}));
  for (int64_t i = 0; i < 30; ++i) {
    const double first = X[i][0].item<double>();
    EXPECT_EQ(std::fmod(first, 2.0), 0.0) << first;  // a row (2k, 2k + 1) of the buffer
    EXPECT_EQ(X[i][1].item<double>(), first + 1);
  }
  EXPECT_GT(std::get<0>(at::_unique(X.select(1, 0))).numel(), 3);  // drawn at random, not one row
  t.replay = torch::Tensor();
  test::expect_error([&] { experiment::sample_model(c, ctx, t, -1, gen, 0, 30); }, ErrorKind::kConfig,
                     {"sample.start", "empty replay buffer"});
  test::expect_error([&] { run_with("ebm-circles", {"sample.start=replay"}); }, ErrorKind::kConfig,
                     {"sample.start", "chains.replay_size > 0"});
  test::expect_error([&] { run_with("ebm-circles", {"sample.start=data"}); }, ErrorKind::kConfig,
                     {"sample.start", "noise or replay", "'data'"});
}
