// The qm9 experiment: bad settings and data name their key or file before any training, and a
// miniature run writes every output with metrics that add up.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "experiment/experiment.h"
#include "test_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {

nlohmann::json run_qm9(const std::vector<std::string>& sets, const fs::path& dir, const std::string& preset = "quick") {
  auto c = experiment::make_config(experiment::find_experiment("qm9"), preset);
  for (const char* s : {"train.epochs=1", "svgd.steps=2", "sample.particles=6", "sample.large_particles=0", "sample.steps=2", "model.hidden=8",
                        "model.layers=1"})
    c.set_from_string(s);
  for (const auto& s : sets) c.set_from_string(s);
  experiment::RunContext ctx{dir.string(), 42, "", nullptr};
  return experiment::run_experiment(experiment::find_experiment("qm9"), c, ctx);
}

}  // namespace

TEST(Qm9Config, BadSettingsAndDataNameTheirKeyOrFile) {
  const auto dir = test::fresh_dir("qm9_config");
  auto bad = [&](const std::vector<std::string>& sets, ErrorKind kind, std::initializer_list<std::string> needles) {
    test::expect_error([&] { run_qm9(sets, dir); }, kind, needles);
  };
  bad({"combinations=[\"ebm+svgd\"]"}, ErrorKind::kConfig, {"combinations", "EGNN"});
  bad({"combinations=[\"e-ebm@cyclic+svgd\"]"}, ErrorKind::kConfig, {"combinations", "without @symmetry"});
  bad({"combinations=[\"e-ebm+e-svgd@orbit-matrix\"]"}, ErrorKind::kConfig, {"unknown sampler 'orbit-matrix' for molecules"});
  bad({"model.head=jem"}, ErrorKind::kConfig, {"model.", "log1p-square or linear"});
  bad({"model.layers=0"}, ErrorKind::kConfig, {"model.", "positive"});
  bad({"data.split=holdout"}, ErrorKind::kConfig, {"data.split", "holdout"});
  bad({"sample.particles=0"}, ErrorKind::kConfig, {"sample.particles"});
  bad({"sample.large_particles=-1"}, ErrorKind::kConfig, {"sample.large_particles"});
  bad({"train.batch_size=100"}, ErrorKind::kConfig, {"train.batch_size"});
  bad({"data.file=x.xyz", "data.qm9_dir=/tmp"}, ErrorKind::kConfig, {"data.qm9_dir", "at most one"});
  // data of two formulas in one file
  const auto mixed = (dir / "mixed.xyz").string();
  {
    std::ofstream f(mixed);
    f << "3\nname=water\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n";
    f << "3\nname=hcn\nH 0 0 0\nC 1.06 0 0\nN 2.22 0 0\n";
  }
  bad({"data.file=" + mixed}, ErrorKind::kFormat, {mixed, "hcn", "one run models one formula"});
  // the tuned preset's denoising score matching and its annealed sampler
  auto bad_tuned = [&](const std::vector<std::string>& sets, std::initializer_list<std::string> needles) {
    test::expect_error([&] { run_qm9(sets, dir, "tuned"); }, ErrorKind::kConfig, needles);
  };
  bad_tuned({"loss.kind=score"}, {"loss.kind", "cd or denoising", "score"});
  bad_tuned({"loss.noise_min=3"}, {"loss.noise_max", "> loss.noise_min"});
  bad_tuned({"loss.noise_levels=1"}, {"loss.noise_levels", ">= 2"});
  bad_tuned({"sample.step_size=0"}, {"sample.step_size", "annealed sampler"});
  bad_tuned({"model.head=log1p-square"}, {"model.", "needs the linear head"});
  const auto missing = (dir / "missing.xyz").string();
  test::expect_error([&] { run_qm9({"data.file=" + missing}, dir); }, missing);
}

// A whole qm9 run in miniature: baseline, training, sampling, chemistry metrics and every output.
TEST(Qm9Run, TinyRunWritesEveryOutput) {
  const auto dir = test::fresh_dir("qm9_run");
  auto m = run_qm9({"combinations=[\"e-ebm+e-svgd\",\"e-ebm+svgd\"]"}, dir);
  EXPECT_EQ(m["formula"], "C5H8O");
  EXPECT_EQ(m["molecules"], 48);
  EXPECT_EQ(m["training_molecules"], 35);
  EXPECT_EQ(m["training_isomers"], 35);
  EXPECT_EQ(m["reference_isomers"], 48);
  EXPECT_GE(m["bond_estimation_reproduced"].get<int64_t>(), 40);  // the estimate works on true geometries
  ASSERT_EQ(m["combinations"].size(), 2u);
  for (const auto& row : m["combinations"]) {
    const auto& n = row["n6"];
    EXPECT_EQ(n["samples"], 6);
    EXPECT_LE(n["valid"].get<int64_t>(), 6);
    EXPECT_LE(n["unique"].get<int64_t>(), n["valid"].get<int64_t>());
    EXPECT_LE(n["isomers_found"].get<int64_t>(), n["unique"].get<int64_t>());
    EXPECT_EQ(row["smiles@6"].size(), 6u);
    EXPECT_GE(n["plausible_bonds"].get<double>(), 0.0);
    EXPECT_LE(n["plausible_bonds"].get<double>(), 1.0);
    // Valid and plausible is at most either; its isomers are among the isomers found.
    EXPECT_LE(n["valid_plausible"].get<double>(), std::min(n["validity"].get<double>(), n["plausible_bonds"].get<double>()));
    EXPECT_LE(n["isomers_plausible"].get<int64_t>(), n["isomers_found"].get<int64_t>());
    EXPECT_GT(n["distance_tv"].get<double>(), 0.0);
    EXPECT_LE(n["distance_tv"].get<double>(), 1.0);
    EXPECT_EQ(n["distance_tv_per_pair"].size(), 5u);  // H-H, C-H, O-H, C-C, C-O
    EXPECT_EQ(row["distance_tv@6"], n["distance_tv"]);
  }
  EXPECT_EQ(m["true_plausible_bonds"], 1.0);  // every true QM9 bond is 0.9-1.75 Å
  EXPECT_EQ(m["uniform_control"]["n6"]["samples"], 6);
  // Random clouds in the box are far from the data's distances; the data's own halves much closer.
  EXPECT_GT(m["uniform_control"]["n6"]["distance_tv"].get<double>(), 0.3);
  EXPECT_LT(m["distance_tv_training_vs_held_out"].get<double>(), 0.25);
  EXPECT_EQ(m["uniform_control"]["n6"]["valid_plausible"], 0.0);
  EXPECT_EQ(m["combinations"][0]["kernel"].get<std::string>().rfind("invariant(canonical", 0), 0u)
      << m["combinations"][0]["kernel"];
  for (const char* f : {"data_molecules.png", "molecules_e-ebm+e-svgd.png", "molecules_e-ebm+svgd.png",
                        "figures/distances.json", "figures/training.json", "summary.md", "train_x.npy", "samples_e-ebm+svgd_n6.xyz",
                        "samples_e-ebm+svgd_n6.npy"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  const auto text = test::read_text(dir / "summary.md");
  EXPECT_NE(text.find("| e-ebm+svgd |"), std::string::npos);
  EXPECT_NE(text.find("Bond estimation baseline"), std::string::npos);
  EXPECT_NE(text.find("## Control: uniform starts"), std::string::npos);
}

// The tuned preset in a miniature run: one denoising training shared by the four rows, each row's
// annealed sampler (Langevin, noisy SVGD with median bandwidths, kernel-mass) samples and reports
// the coupling of its kernel.
TEST(Qm9Run, TunedPresetInMiniature) {
  const auto dir = test::fresh_dir("qm9_tuned");
  auto m = run_qm9({"train.epochs=3", "loss.noise_levels=3"}, dir, "tuned");
  ASSERT_EQ(m["combinations"].size(), 4u);
  const auto& first = m["combinations"][0]["history"];
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0]["svgd_steps"], 0.0);  // no chains in denoising score matching
  for (const auto& row : m["combinations"]) {
    const std::string name = row["combination"];
    EXPECT_EQ(row["history"], first) << name;  // the same training
    EXPECT_TRUE(std::isfinite(row["distance_tv@6"].get<double>())) << name;
    if (name == "e-ebm+langevin") {
      EXPECT_EQ(row["interacting_sample"], "-");
    } else {
      EXPECT_GT(row["bandwidth_sample"].get<double>(), 0.0) << name;  // the median bandwidth
      EXPECT_GE(row["interacting_sample"].get<double>(), 0.0) << name;
    }
  }
  const auto text = test::read_text(dir / "summary.md");
  EXPECT_NE(text.find("denoising score matching of a noise-conditional EGNN"), std::string::npos);
}

// The contrastive-divergence preset kept as tuned-cd: each row trains its own model with its sampler.
TEST(Qm9Run, TunedCdPresetInMiniature) {
  const auto dir = test::fresh_dir("qm9_tuned_cd");
  auto m = run_qm9({"langevin.steps=2"}, dir, "tuned-cd");
  ASSERT_EQ(m["combinations"].size(), 4u);
  for (const auto& row : m["combinations"]) {
    EXPECT_GT(row["history"][0]["svgd_steps"].get<double>(), 0.0) << row["combination"];  // chains ran
    EXPECT_TRUE(std::isfinite(row["distance_tv@6"].get<double>())) << row["combination"];
  }
}
