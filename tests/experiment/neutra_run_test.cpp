// The neutra experiment: bad targets and methods name their key, and a miniature run on the C4
// mixture and DW-4 writes samples, figures and a table whose chain rows carry ESS per second and an
// acceptance rate, and whose DW-4 rows carry the distance, energy and state columns.
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/npy.h"
#include "experiment/experiment.h"
#include "test_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

nlohmann::json run_neutra(const std::vector<std::string>& sets, const fs::path& dir) {
  const auto& e = experiment::find_experiment("neutra");
  auto c = experiment::make_config(e, "quick");
  for (const char* s : {"budget_seconds=0.2", "train.steps=20", "train.batch=32", "hmc.chains=8", "hmc.warmup=10",
                        "hmc.leapfrog_steps=3", "esvgd.particles=8", "metrics.samples=40", "metrics.truth_samples=200",
                        "dw4.reference_chains=16", "dw4.reference_transitions=60", "dw4.reference_starts=20",
                        "flow.layers=2", "flow.hidden=8"})
    c.set_from_string(s);
  for (const auto& s : sets) c.set_from_string(s);
  experiment::RunContext ctx{dir.string(), 7, "", nullptr};
  return experiment::run_experiment(e, c, ctx);
}

}  // namespace

TEST(NeutraConfig, UnknownTargetsAndMethodsNameTheirKey) {
  const auto dir = test::fresh_dir("neutra_config");
  test::expect_error([&] { run_neutra({"targets=[\"moons\"]"}, dir); }, ErrorKind::kConfig,
                     {"targets", "moons", "c4-gaussians"});
  // checked before any work: an unknown second method fails before the first one runs
  test::expect_error(
      [&] {
        run_neutra({"targets=[\"circles\"]", "methods=[\"hmc\", \"nuts\"]"}, dir);
      },
      ErrorKind::kConfig, {"methods", "nuts", "neutra-equivariant"});
  EXPECT_FALSE(fs::exists(dir / "samples_circles_hmc.npy"));
  const std::pair<std::string, std::string> bad_values[] = {{"hmc.leapfrog_steps=0", "hmc.leapfrog_steps"},
                                                           {"esvgd.particles=1", "esvgd.particles"},
                                                           {"flow.bins=0", "flow.bins"},
                                                           {"train.batch=0", "train.batch"}};
  for (const auto& [setting, key] : bad_values)
    test::expect_error([&] { run_neutra({"targets=[\"circles\"]", setting}, dir); }, ErrorKind::kConfig, {key});
}

TEST(NeutraRun, EveryMethodWritesSamplesAndItsColumns) {
  const auto dir = test::fresh_dir("neutra_run");
  const auto m = run_neutra({"targets=[\"c4-gaussians\", \"dw4\"]"}, dir);
  for (const std::string target : {"c4-gaussians", "dw4"}) {
    const auto& rows = m.at("targets").at(target);
    ASSERT_EQ(rows.size(), 4u) << target;
    for (const auto& row : rows) {
      const auto method = row.at("sampler").get<std::string>();
      const auto samples = core::read_npy((dir / ("samples_" + target + "_" + method + ".npy")).string());
      EXPECT_EQ(samples.size(1), target == "dw4" ? 8 : 2) << method;
      EXPECT_TRUE(torch::isfinite(samples).all().item<bool>()) << method;
      EXPECT_TRUE(row.contains("mmd2") && row.contains("ksd2")) << method;
      if (method != "e-svgd") {
        EXPECT_GT(row.at("ess_per_s").get<double>(), 0) << target << " " << method;
        EXPECT_GE(row.at("acceptance").get<double>(), 0) << method;
        EXPECT_LE(row.at("acceptance").get<double>(), 1) << method;
        EXPECT_EQ(samples.size(0), 40) << method;
      }
      if (method.rfind("neutra", 0) == 0) EXPECT_GT(row.at("train_s").get<double>(), 0) << method;
      if (target == "dw4") {
        EXPECT_GE(row.at("distance_tv").get<double>(), 0) << method;
        EXPECT_LE(row.at("state_tv").get<double>(), 1) << method;
      } else {
        EXPECT_TRUE(row.contains("mode_tv_to_uniform")) << method;
      }
    }
  }
  for (const char* f : {"summary.md", "figures/particles-c4-gaussians.json", "figures/distances-dw4.json",
                        "figures/neutra_training.json"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
}
