// The fashion-mnist experiment: bad settings and data name their key or file before any training,
// and a miniature run on fixture IDX files writes every output and scores every row.
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/types.h>
#include <torch/cuda.h>

#include "esvgd/data/idx.h"
#include "experiment/experiment.h"
#include "test_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

/// A tiny Fashion-MNIST: `n` train and n/2 test images of 28 × 28, labels cycling through 0..9.
void write_fixture(const fs::path& dir, int64_t n) {
  fs::create_directories(dir);
  auto gen = test::make_gen(1);
  for (const auto& [split, count] : {std::pair{std::string("train"), n}, {std::string("t10k"), n / 2}}) {
    auto images = torch::randint(256, {count, 28, 28}, gen, torch::kLong).to(torch::kUInt8);
    auto labels = torch::arange(count, torch::kLong).remainder(10).to(torch::kUInt8);
    data::write_idx((dir / (split + "-images-idx3-ubyte.gz")).string(), images);
    data::write_idx((dir / (split + "-labels-idx1-ubyte.gz")).string(), labels);
  }
}

nlohmann::json run_with(const std::vector<std::string>& sets, const fs::path& data, const fs::path& out,
                        const std::string& preset = "quick") {
  auto c = experiment::make_config(experiment::find_experiment("fashion-mnist"), preset);
  for (const auto& s : {"data.dir=\"" + data.string() + "\"", std::string("train.epochs=1"), std::string("train.batch_size=16"),
                        std::string("svgd.steps=2"), std::string("svgd.equivariant_steps=1"), std::string("sample.steps=2"),
                        std::string("sample.particles=4"), std::string("sample.per_class=2"),
                        std::string("model.fields=[2,2,2,2,2,2,2,2]"), std::string("model.head_hidden=8")})
    c.set_from_string(s);
  for (const auto& s : sets) c.set_from_string(s);
  experiment::RunContext ctx{out.string(), 42, "", nullptr};
  return experiment::run_experiment(experiment::find_experiment("fashion-mnist"), c, ctx);
}

}  // namespace

TEST(FashionMnistConfig, BadSettingsAndDataNameTheirKeyOrFile) {
  const auto dir = test::fresh_dir("fashion_config");
  write_fixture(dir, 40);
  auto bad = [&](const std::vector<std::string>& sets, ErrorKind kind, std::initializer_list<std::string> needles) {
    test::expect_error([&] { run_with(sets, dir, dir); }, kind, needles);
  };
  bad({"device=\"tpu\""}, ErrorKind::kConfig, {"device", "tpu"});
  if (!torch::cuda::is_available()) bad({"device=\"cuda\""}, ErrorKind::kConfig, {"device", "no CUDA device"});
  bad({"model.kernel_size=4"}, ErrorKind::kConfig, {"model.kernel_size", "odd"});
  bad({"model.pool_after=[2,4,6]"}, ErrorKind::kConfig, {"model.pool_after", "odd size"});
  bad({"model.fields=[]"}, ErrorKind::kConfig, {"model.fields"});
  bad({"combinations=[\"e-ebm+e-svgd@orbit-matrix\"]"}, ErrorKind::kConfig, {"orbit-matrix is not available for images"});
  bad({"reference.rows=[\"mlp\"]", "combinations=[]"}, ErrorKind::kConfig, {"combinations"});
  bad({"data.train_subset=-1"}, ErrorKind::kConfig, {"data.train_subset"});
  bad({"train.batch_size=64"}, ErrorKind::kConfig, {"train.batch_size"});
  bad({"sample.per_class=0"}, ErrorKind::kConfig, {"sample.per_class"});
  bad({"reference.rows=[\"cnn\",\"resnet\"]"}, ErrorKind::kConfig, {"reference.rows", "resnet"});
  const auto missing = (dir / "nowhere").string();
  test::expect_error([&] { run_with({}, missing, dir); }, ErrorKind::kIo, {missing, "dataset-fashion-mnist"});
  // A truncated image file names itself.
  const auto truncated = test::fresh_dir("fashion_truncated");
  write_fixture(truncated, 40);
  fs::resize_file(truncated / "t10k-images-idx3-ubyte.gz", 100);
  test::expect_error([&] { run_with({}, truncated, dir); }, (truncated / "t10k-images-idx3-ubyte.gz").string());
}

// A whole fashion-mnist run in miniature: three JEM combinations, two supervised rows, the test
// sets and every figure.
TEST(FashionMnistRun, TinyRunWritesEveryOutput) {
  const auto dir = test::fresh_dir("fashion_run");
  write_fixture(dir / "data", 64);
  const auto out = dir / "out";
  fs::create_directories(out);
  auto m = run_with({}, dir / "data", out);
  ASSERT_EQ(m["combinations"].size(), 5u);  // 3 JEM combinations + 2 supervised rows
  for (const auto& row : m["combinations"]) {
    for (const char* k : {"acc_upright", "acc_rotated", "acc_rot90", "acc_rot180", "acc_rot270"}) {
      ASSERT_TRUE(row.contains(k)) << row["combination"] << " lacks " << k;
      EXPECT_GE(row[k].get<double>(), 0.0);
      EXPECT_LE(row[k].get<double>(), 1.0);
    }
  }
  // The C4 networks classify every rotation of an image alike (their logits are invariant).
  for (size_t i : {1u, 2u, 4u}) {
    const auto& row = m["combinations"][i];
    const std::string name = row["combination"];
    ASSERT_TRUE(name.rfind("e-ebm", 0) == 0 || name == "supervised c4-cnn") << name;
    for (const char* k : {"acc_rotated", "acc_rot90", "acc_rot180", "acc_rot270"})
      EXPECT_DOUBLE_EQ(row[k].get<double>(), row["acc_upright"].get<double>()) << name << " " << k;
  }
  // The last supervised row judges the samples: a Fréchet distance against the noise control and the
  // share of class-conditional samples it assigns to their class.
  EXPECT_EQ(m["judge"], "supervised c4-cnn");
  EXPECT_GT(m["fd_noise"].get<double>(), 0.0);
  for (size_t i : {0u, 1u, 2u}) {
    const auto& row = m["combinations"][i];
    EXPECT_GE(row["fd_samples"].get<double>(), 0.0) << row["combination"];
    EXPECT_DOUBLE_EQ(row["fd_ratio"].get<double>(), row["fd_samples"].get<double>() / m["fd_noise"].get<double>());
    EXPECT_GE(row["class_match"].get<double>(), 0.0);
    EXPECT_LE(row["class_match"].get<double>(), 1.0);
  }
  EXPECT_FALSE(m["combinations"][3].contains("fd_samples"));  // the supervised rows are not sampled
  EXPECT_EQ(m["combinations"][2]["svgd_steps_per_batch"], 1.0);  // e-ebm+e-svgd: svgd.equivariant_steps
  EXPECT_EQ(m["combinations"][0]["svgd_steps_per_batch"], 2.0);
  for (const char* f : {"figures/data.json", "figures/training.json", "summary.md", "figures/samples_e-ebm+e-svgd.json",
                        "figures/conditional_ebm+svgd.json", "figures/negatives_e-ebm+svgd.json",
                        "samples_e-ebm+e-svgd.npy", "conditional_e-ebm+e-svgd.npy"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
}

// Without supervised rows there is no judge: the run says so instead of scoring the samples.
TEST(FashionMnistRun, NoReferenceRowNoJudge) {
  const auto dir = test::fresh_dir("fashion_nojudge");
  write_fixture(dir / "data", 32);
  const auto out = dir / "out";
  fs::create_directories(out);
  auto m = run_with({"reference.rows=[]", "combinations=[\"e-ebm+langevin\"]", "langevin.steps=2"}, dir / "data", out);
  ASSERT_EQ(m["combinations"].size(), 1u);
  EXPECT_FALSE(m.contains("judge"));
  EXPECT_FALSE(m["combinations"][0].contains("fd_samples"));
  const auto text = test::read_text(out / "summary.md");
  EXPECT_NE(text.find("no Fréchet distance or class match"), std::string::npos);
}

// The tuned preset's samplers (JEM's Langevin, noisy E-SVGD on the C4-averaged RBF with the median
// bandwidth) in a miniature run: every row trains, samples (class-conditional chains from resampled
// replay rows) and is judged.
TEST(FashionMnistRun, TunedPresetInMiniature) {
  const auto dir = test::fresh_dir("fashion_tuned");
  write_fixture(dir / "data", 32);
  const auto out = dir / "out";
  fs::create_directories(out);
  auto m = run_with({"langevin.steps=2", "combinations=[\"ebm+langevin\",\"e-ebm+langevin\",\"e-ebm+e-svgd\"]"},
                    dir / "data", out, "tuned");
  ASSERT_EQ(m["combinations"].size(), 5u);
  for (size_t i : {0u, 1u, 2u}) {
    const auto& row = m["combinations"][i];
    EXPECT_TRUE(std::isfinite(row["fd_samples"].get<double>())) << row["combination"];
    EXPECT_TRUE(std::isfinite(row["energy_samples"].get<double>())) << row["combination"];
  }
  EXPECT_EQ(m["combinations"][2]["combination"], "e-ebm+e-svgd");
  EXPECT_GT(m["combinations"][2]["bandwidth_sample"].get<double>(), 0.0);  // the median bandwidth
  EXPECT_NE(test::read_text(out / "summary.md").find("drawn with the model's own p(y|x)"), std::string::npos);
}
