// The command line end to end, in-process: bad input gives one clear error and leaves no output.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "cli/cli_support.h"
#include "esvgd/core/npy.h"
#include "esvgd/model/energy_model.h"
#include "experiment/sampler_registry.h"

namespace {

using namespace cli_test;

TEST_F(CliTest, UnknownExperimentIsNamed) {
  auto r = run_cli({"run", "no-such-experiment", "--out", path("out")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no-such-experiment"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("c4-gaussians"), std::string::npos) << "the error lists the known experiments: " << r.err;
  expect_nothing_written(path("out"));
}

TEST_F(CliTest, UnknownConfigKeyIsNamed) {
  auto r = run_cli({"run", "c4-gaussians", "--out", path("out"), "--set", "svgd.bandwith=0.3"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown config key 'svgd.bandwith'"), std::string::npos) << r.err;
  expect_nothing_written(path("out"));
}

TEST_F(CliTest, WrongTypeNamesKeyAndType) {
  auto r = run_cli({"run", "circles", "--out", path("out"), "--set", "svgd.steps=many"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("'svgd.steps' must be an integer"), std::string::npos) << r.err;
}

TEST_F(CliTest, NonPositiveBandwidthIsRejected) {
  for (const std::string v : {"0", "-0.5"}) {
    auto r = run_cli({"run", "c4-gaussians", "--quiet", "--out", path("out"), "--set", "svgd.bandwidth=" + v});
    EXPECT_EQ(r.status, 2) << v;
    EXPECT_NE(r.err.find("svgd.bandwidth"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("must be > 0"), std::string::npos) << r.err;
    expect_nothing_written(path("out"));
  }
}

TEST_F(CliTest, KernelsThatCoupleNothingSaySo) {
  // h = 1e-6 against particles ~1 apart: every k(x_i, x_j), i ≠ j, underflows.
  auto r = run_cli({"run", "c4-gaussians", "--quiet", "--no-plot", "--out", path("out"), "--set", "svgd.steps=20", "--set",
                    "metrics.truth_samples=300", "--set", "samplers=[\"rbf\"]", "--set", "svgd.bandwidth=1e-6"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("warning: C4 Gaussians rbf: the kernel coupled no particles (0 points within reach"),
            std::string::npos)
      << r.err;
  // The paper's bandwidth couples: no warning.
  auto ok = run_cli(tiny_run(path("out2")));
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.err.find("coupled no particles"), std::string::npos) << ok.err;
}

TEST_F(CliTest, InitFileWithWrongShapeOrDtypeOrTruncation) {
  esvgd::core::write_npy(path("three_d.npy"), torch::zeros({10, 3}, torch::kFloat64));
  esvgd::core::write_npy(path("float32.npy"), torch::zeros({10, 2}, torch::kFloat32));
  esvgd::core::write_npy(path("good.npy"), torch::zeros({10, 2}, torch::kFloat64));
  {
    // Cut the last 8 bytes off a valid file.
    std::ifstream in(path("good.npy"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(path("truncated.npy"), std::ios::binary) << bytes.substr(0, bytes.size() - 8);
  }
  const std::vector<std::pair<std::string, std::string>> cases{
      {"three_d.npy", "dimension D = 3"}, {"float32.npy", "float64"}, {"truncated.npy", "truncated data"},
      {"missing.npy", "does not exist"}};
  for (const auto& [file, cause] : cases) {
    auto r = run_cli({"run", "c4-gaussians", "--quiet", "--no-plot", "--out", path("out"), "--init", path(file)});
    EXPECT_NE(r.status, 0) << file;
    EXPECT_NE(r.err.find(file), std::string::npos) << "names the file: " << r.err;
    EXPECT_NE(r.err.find(cause), std::string::npos) << "names the cause: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    expect_nothing_written(path("out"));
  }
}

TEST_F(CliTest, DivergenceToNaNIsAnErrorAndLeavesPreviousOutputsAlone) {
  const std::string out = path("out");
  fs::create_directories(out);
  std::ofstream(out + "/metrics.json") << "previous";
  auto r = run_cli({"run", "c4-gaussians", "--quiet", "--out", out, "--set", "svgd.step_size=1e300", "--set",
                    "samplers=[\"rbf\"]", "--set", "metrics.truth_samples=300"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("NaN"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SVGD step"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("svgd.step_size"), std::string::npos) << "suggests the fix: " << r.err;
  std::ifstream in(out + "/metrics.json");
  std::string previous((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(previous, "previous");
  EXPECT_EQ(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 1) << "nothing new in " << out;
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST_F(CliTest, SuccessfulRunWritesEveryOutput) {
  const std::string out = path("out");
  auto r = run_cli(tiny_run(out, /*plot=*/true));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("figures not drawn"), std::string::npos) << r.err;
  for (const char* f : {"metrics.json", "summary.md", "config.resolved.json", "particles.png", "log_prob_trace.png",
                        "particles.pdf", "figures/particles.json", "figures/log_prob_trace.json",
                        "particles_rbf.npy", "particles_orbit-matrix.npy", "particles_init.npy"})
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
  auto X = esvgd::core::read_npy(out + "/particles_orbit-matrix.npy");
  EXPECT_EQ(X.scalar_type(), torch::kFloat64);
  EXPECT_EQ(X.sizes(), (std::vector<int64_t>{50, 2}));
  std::ifstream in(out + "/metrics.json");
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["metrics"]["samplers"].size(), 2u);
  EXPECT_EQ(j["metrics"]["samplers"][1]["steps"], 20);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST_F(CliTest, PlotRedrawsARunAndNamesWhatIsNotOne) {
  const std::string out = path("out");
  ASSERT_EQ(run_cli(tiny_run(out)).status, 0);
  EXPECT_FALSE(fs::exists(out + "/particles.png")) << "--no-plot draws nothing";
  EXPECT_TRUE(fs::exists(out + "/figures/particles.json")) << "but keeps the figures' data";
  auto r = run_cli({"plot", out});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(out + "/particles.png") && fs::exists(out + "/log_prob_trace.pdf"));
  auto bad = run_cli({"plot", path("nowhere")});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("no figures/ folder"), std::string::npos) << bad.err;
  fs::remove(out + "/figures/particles.rows.0.particles.npy");
  auto broken = run_cli({"plot", out});
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.err.find("particles.rows.0.particles.npy"), std::string::npos) << broken.err;
}

TEST_F(CliTest, SameSeedSameParticlesOtherSeedOtherParticles) {
  ASSERT_EQ(run_cli(tiny_run(path("a"))).status, 0);
  ASSERT_EQ(run_cli(tiny_run(path("b"))).status, 0);
  auto args = tiny_run(path("c"));
  args.insert(args.end(), {"--seed", "7"});
  ASSERT_EQ(run_cli(args).status, 0);
  auto a = esvgd::core::read_npy(path("a") + "/particles_orbit-matrix.npy");
  auto b = esvgd::core::read_npy(path("b") + "/particles_orbit-matrix.npy");
  auto c = esvgd::core::read_npy(path("c") + "/particles_orbit-matrix.npy");
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

TEST_F(CliTest, InitFileIsUsed) {
  auto X0 = torch::full({7, 2}, 0.5, torch::kFloat64);
  esvgd::core::write_npy(path("init.npy"), X0);
  auto args = tiny_run(path("out"));
  args.insert(args.end(), {"--init", path("init.npy")});
  auto r = run_cli(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(torch::equal(esvgd::core::read_npy(path("out") + "/particles_init.npy"), X0));
  EXPECT_EQ(esvgd::core::read_npy(path("out") + "/particles_rbf.npy").size(0), 7);
}

TEST_F(CliTest, ConfigFileNestedAndInvalid) {
  std::ofstream(path("good.json")) << R"({"svgd": {"steps": 123, "bandwidth": 0.7}})";
  auto r = run_cli({"config", "c4-gaussians", "--config", path("good.json"), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["svgd.steps"], 123);
  EXPECT_EQ(j["svgd.bandwidth"], 0.7);
  std::ofstream(path("bad.json")) << R"({"svgd": {"steps": 12,}})";
  r = run_cli({"run", "c4-gaussians", "--config", path("bad.json"), "--out", path("out")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid JSON"), std::string::npos) << r.err;
  expect_nothing_written(path("out"));
}

TEST_F(CliTest, UsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"run"}, {"frobnicate"}, {"run", "c4-gaussians", "--bogus"}, {"run", "c4-gaussians", "--seed", "abc"},
           {"run", "c4-gaussians", "--threads", "0"}, {"run", "c4-gaussians", "--out"}}) {
    auto r = run_cli(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("usage: esvgd run"), std::string::npos) << r.err;
  }
  auto r = run_cli({"run", "c4-gaussians", "--preset", "fast"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown preset"), std::string::npos) << r.err;
}

TEST_F(CliTest, ListAndConfigShowEveryExperiment) {
  auto r = run_cli({"list"});
  ASSERT_EQ(r.status, 0);
  for (const char* e : {"c4-gaussians", "circles", "spheres", "ablation-efficiency", "ablation-init"})
    EXPECT_NE(r.out.find(e), std::string::npos) << e;
  for (const auto& s : esvgd::experiment::samplers())  // the sampler names come from the registry
    EXPECT_NE(r.out.find(s.name + "\t" + s.doc), std::string::npos) << s.name;
  for (const auto& [name, doc] : esvgd::model::symmetry_docs())  // and the model's from its registries
    EXPECT_NE(r.out.find(name + "\t" + doc), std::string::npos) << name;
  for (const auto& [name, doc] : esvgd::model::head_docs()) EXPECT_NE(r.out.find(name + "\t" + doc), std::string::npos) << name;
  r = run_cli({"config", "circles", "--preset", "quick"});
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("svgd.steps = 5000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("STANDARD DEVIATION"), std::string::npos) << "the width convention is documented";
}

}  // namespace

namespace {

using namespace cli_test;

class ResumeCliTest : public CliTest {};

TEST_F(ResumeCliTest, ResumeErrorsAreClear) {
  // A folder without checkpoints: nothing to resume.
  fs::create_directories(path("plain"));
  auto r = run_cli({"run", "jem-c4", "--quiet", "--resume", path("plain")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no checkpoints to resume from"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("plain/checkpoints"), std::string::npos) << r.err;
  // --out and --resume naming different folders.
  r = run_cli({"run", "jem-c4", "--quiet", "--resume", path("plain"), "--out", path("other")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("resumes into its own folder"), std::string::npos) << r.err;
  expect_nothing_written(path("other"));
}

TEST_F(ResumeCliTest, ResumingWithOtherSettingsIsRefused) {
  const std::vector<std::string> tiny{"--quiet", "--preset", "quick", "--set", "combinations=[\"ebm+svgd\"]",
                                      "--set", "svgd.steps=3", "--set", "sample.steps=2", "--set", "model.hidden=[8]"};
  auto args = tiny;
  args.insert(args.begin(), {"run", "ebm-circles", "--out", path("run")});
  args.insert(args.end(), {"--set", "train.epochs=2"});
  ASSERT_EQ(run_cli(args).status, 0);
  EXPECT_TRUE(fs::exists(path("run/checkpoints/ebm+svgd.pt")));
  // More epochs continue the same run; another learning rate is another run.
  args = tiny;
  args.insert(args.begin(), {"run", "ebm-circles", "--resume", path("run")});
  args.insert(args.end(), {"--set", "train.epochs=3"});
  auto r = run_cli(args);
  EXPECT_EQ(r.status, 0) << r.err;
  args.insert(args.end(), {"--set", "train.learning_rate=0.5"});
  r = run_cli(args);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("another configuration"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ebm+svgd.pt"), std::string::npos) << r.err;
}

TEST_F(CliTest, LaunchUsageErrorsAreNamed) {
  auto r = run_cli({"launch", "--nproc", "2", "run", "c4-gaussians"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown option 'run' of 'launch'"), std::string::npos) << r.err;
  r = run_cli({"launch", "--nproc", "2", "--"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("'launch' needs -- and a command"), std::string::npos) << r.err;
  r = run_cli({"launch", "--nproc", "0", "--", "run", "c4-gaussians"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--nproc expects an integer >= 1"), std::string::npos) << r.err;
  r = run_cli({"launch", "--master-port", "70000", "--", "run", "c4-gaussians"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--master-port"), std::string::npos) << r.err;
}

TEST_F(CliTest, LaunchEndsWithTheFailingRanksStatus) {
  // Programs other than esvgd's own commands run as given: rank 1 fails, rank 0 would sleep on.
  auto r = run_cli({"launch", "--nproc", "2", "--", "bash", "-c", "[ \"$RANK\" = 1 ] && exit 3; sleep 30"});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("esvgd launch: rank 1 exited with status 3; ending the other ranks"), std::string::npos) << r.err;
  r = run_cli({"launch", "--nproc", "3", "--", "bash", "-c", "[ \"$WORLD_SIZE\" = 3 ] && [ -n \"$MASTER_PORT\" ]"});
  EXPECT_EQ(r.status, 0) << r.err;
  r = run_cli({"launch", "--nproc", "2", "--", "no-such-program-here"});
  EXPECT_EQ(r.status, 127);
  EXPECT_NE(r.err.find("cannot run 'no-such-program-here'"), std::string::npos) << r.err;
}

}  // namespace
