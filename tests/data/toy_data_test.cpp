// Toy training sets: the class mixture's density and labels, energies, and .npy data checks.
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/npy.h"
#include "esvgd/data/toy_data.h"
#include "esvgd/metric/grid_density.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/target/radial_mixture.h"
#include "test_support.h"

using namespace esvgd;
namespace fs = std::filesystem;

namespace {
data::ClassMixture two_classes() {
  return data::ClassMixture({std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(4, 7, 1, 0.25)),
                             std::make_shared<target::GaussianMixture>(target::cn_gaussian_mixture(4, 15, 1, 2))});
}
}  // namespace

TEST(ClassMixture, JointDensityIsNormalisedAndSamplesAreLabelled) {
  auto m = two_classes();
  const double e = 22, n = 400;
  auto P = metric::grid_points(-e, e, static_cast<int64_t>(n));
  const double mass = torch::exp(m.log_prob(P)).sum().item<double>() * std::pow(2 * e / n, 2);
  EXPECT_NEAR(mass, 1.0, 1e-3);
  auto gen = test::make_gen(1);
  auto d = m.sample(64, gen);
  ASSERT_EQ(d.x.size(0), 128);
  EXPECT_EQ(d.labels.sum().item<int64_t>(), 64);
  // Class 0 lies near radius 7, class 1 near radius 15.
  auto r = d.x.norm(2, 1);
  EXPECT_NEAR(r.narrow(0, 0, 64).mean().item<double>(), 7, 0.5);
  EXPECT_NEAR(r.narrow(0, 64, 64).mean().item<double>(), 15, 0.7);
}

TEST(ToyData, EnergiesAreTheGivenFunction) {
  target::RadialMixture t(2, {3, 10}, 0.5);
  auto gen = test::make_gen(2);
  auto d = data::sample_with_energies(t, 50, [&](const torch::Tensor& X) { return -t.radial_log_density(X.norm(2, 1)); }, gen);
  EXPECT_LT(test::rel_err(d.energies, -t.radial_log_density(d.x.norm(2, 1))), 1e-15);
  EXPECT_GE(d.energies.min().item<double>(), 0.9);  // −log p_r ≥ log(2σ√(2π)) ≈ 0.92 for two rings
}

TEST(ToyData, ReadsAndRejectsFiles) {
  const auto dir = fs::temp_directory_path() / ("esvgd_data_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto good = (dir / "good.npy").string();
  core::write_npy(good, torch::tensor({{1.0, 2.0, 0.0}, {3.0, 4.0, 1.0}}, torch::kFloat64));
  auto d = data::read_toy_data(good, 2, "label");
  EXPECT_TRUE(torch::equal(d.labels, torch::tensor({0, 1}, torch::kLong)));
  EXPECT_EQ(data::read_toy_data(good, 2, "energy").energies[1].item<double>(), 1.0);
  const auto wide = (dir / "wide.npy").string();
  core::write_npy(wide, torch::zeros({3, 4}, torch::kFloat64));
  test::expect_error([&] { data::read_toy_data(wide, 2, "label"); }, ErrorKind::kFormat, {wide, "[N, 3]"});
  const auto f32 = (dir / "f32.npy").string();
  core::write_npy(f32, torch::zeros({3, 3}, torch::kFloat32));
  test::expect_error([&] { data::read_toy_data(f32, 2, "label"); }, "float64");
  const auto frac = (dir / "frac.npy").string();
  core::write_npy(frac, torch::tensor({{1.0, 2.0, 0.5}}, torch::kFloat64));
  test::expect_error([&] { data::read_toy_data(frac, 2, "label"); }, "non-negative integers");
  const auto nan = (dir / "nan.npy").string();
  core::write_npy(nan, torch::tensor({{1.0, std::nan(""), 0.0}}, torch::kFloat64));
  test::expect_error([&] { data::read_toy_data(nan, 2, "energy"); }, "NaN");
  test::expect_error([&] { data::read_toy_data((dir / "missing.npy").string(), 2, "energy"); }, "missing.npy");
  fs::remove_all(dir);
}
