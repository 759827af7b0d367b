// The EBM experiments reject bad settings and data with errors that name the key or file, before
// any training.
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "esvgd/core/npy.h"
#include "esvgd/experiment/experiment.h"
#include "test_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

void run_with(const std::string& name, const std::vector<std::string>& sets) {
  auto c = experiment::make_config(experiment::find_experiment(name), "quick");
  for (const auto& s : sets) c.set_from_string(s);
  const auto dir = fs::temp_directory_path() / ("esvgd_ebm_config_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  experiment::RunContext ctx{dir.string(), 42, "", nullptr};
  try {
    experiment::find_experiment(name).run(c, ctx);
  } catch (...) {
    fs::remove_all(dir);
    throw;
  }
  fs::remove_all(dir);
}

}  // namespace

TEST(EbmConfig, BadSettingsNameTheirKey) {
  for (const std::string exp : {"jem-c4", "ebm-circles"}) {
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
  }
  test::expect_error([] { run_with("ebm-circles", {"data.sampler=uniform"}); }, ErrorKind::kConfig, {"data.sampler"});
  test::expect_error([] { run_with("jem-c4", {"target.radii=[7]"}); }, ErrorKind::kConfig, {"target.radii"});
}

TEST(EbmConfig, MalformedDataFilesNameTheFile) {
  const auto dir = fs::temp_directory_path() / ("esvgd_ebm_data_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto labels = (dir / "labels.npy").string();
  core::write_npy(labels, torch::tensor({{1.0, 2.0, 0.0}, {3.0, 4.0, 5.0}}, torch::kFloat64));
  test::expect_error([&] { run_with("jem-c4", {"data.file=" + labels}); }, ErrorKind::kFormat, {labels, "[0, 2)"});
  const auto shape = (dir / "shape.npy").string();
  core::write_npy(shape, torch::zeros({5, 2}, torch::kFloat64));
  test::expect_error([&] { run_with("ebm-circles", {"data.file=" + shape}); }, ErrorKind::kFormat, {shape, "[N, 3]"});
  fs::remove_all(dir);
}
