// DW-4 data: the shipped files, the checked reader, and the "fixed" set built from the states
// against the authors' file.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/core/npy.h"
#include "esvgd/data/dw4_data.h"
#include "esvgd/target/meta_stable.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

class Dw4Data : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("esvgd_dw4_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto gen = make_gen(0);
    auto o = target::StateSearchOptions().starts(300);
    states_ = target::find_meta_stable_states(u_, o, gen);
    ASSERT_EQ(states_.size(), 5u);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
  target::DoubleWellPotential u_;
  std::vector<target::MetaStableState> states_;
};

std::vector<int64_t> counts(const torch::Tensor& labels) {
  std::vector<int64_t> c(6, 0);  // five states, then "none"
  for (int64_t n = 0; n < labels.numel(); ++n) {
    const int64_t s = labels[n].item<int64_t>();
    ++c[s < 0 ? 5 : static_cast<size_t>(s)];
  }
  return c;
}

TEST_F(Dw4Data, AuthorsFixedSetHoldsFiveBlocksOfTheStatesInOrder) {
  auto X = data::read_configurations(data::shipped_data_path("dw4/jaini2021_fixed_DW4.npy"), 8);
  ASSERT_EQ(X.size(0), 1000);
  auto labels = target::StateClassifier(u_, states_).classify(X);
  for (int64_t n = 0; n < 1000; ++n) ASSERT_EQ(labels[n].item<int64_t>(), n / 200) << "row " << n;
}

TEST_F(Dw4Data, OurFixedSetMatchesTheAuthorsInStatesAndEnergies) {
  auto gen = make_gen(1);
  auto ours = data::build_state_copies(states_, 200, 0.1, gen);
  ASSERT_EQ(ours.sizes(), torch::IntArrayRef({1000, 8}));
  target::StateClassifier classify(u_, states_);
  EXPECT_EQ(counts(classify.classify(ours)), (std::vector<int64_t>{200, 200, 200, 200, 200, 0}));
  // Same noise level: per-block energies agree with the authors' file to within their spread.
  auto theirs = data::read_configurations(data::shipped_data_path("dw4/jaini2021_fixed_DW4.npy"), 8);
  auto eo = u_.energy(ours).view({5, 200}), et = u_.energy(theirs).view({5, 200});
  for (int64_t s = 0; s < 5; ++s) {
    EXPECT_NEAR(eo[s].mean().item<double>(), et[s].mean().item<double>(), 0.5) << "state " << s;
    EXPECT_NEAR(eo[s].std().item<double>(), et[s].std().item<double>(), 0.5) << "state " << s;
  }
  // Rows are centred copies plus noise: the centre of mass is the mean noise, ~0.1/sqrt(4)
  auto com = ours.view({1000, 4, 2}).mean(1).norm(2, 1);
  EXPECT_LT(com.mean().item<double>(), 0.15);
}

TEST_F(Dw4Data, OriginalSetIsOneStateAfterItsFirstRow) {
  auto X = data::read_configurations(data::shipped_data_path("dw4/jaini2021_dimer_4particles.npy"), 8);
  ASSERT_EQ(X.size(0), 1001);
  auto c = counts(target::StateClassifier(u_, states_).classify(X.narrow(0, 1, 1000)));
  EXPECT_EQ(c, (std::vector<int64_t>{0, 0, 0, 1000, 0, 0}));  // all S4 (docs/method.md, "DW-4")
  EXPECT_EQ(target::StateClassifier(u_, states_).classify(X.narrow(0, 0, 1)).item<int64_t>(), -1);  // the square saddle
}

TEST_F(Dw4Data, ReaderErrorsNameTheFileAndTheProblem) {
  core::write_npy(path("narrow.npy"), torch::zeros({3, 7}, torch::kFloat64));
  expect_error([&] { data::read_configurations(path("narrow.npy"), 8); }, ErrorKind::kFormat,
               {"narrow.npy", "expected configurations [N, 8]", "[3, 7]"});
  core::write_npy(path("ints.npy"), torch::zeros({3, 8}, torch::kLong));
  expect_error([&] { data::read_configurations(path("ints.npy"), 8); }, ErrorKind::kFormat,
               {"ints.npy", "float32 or float64"});
  auto bad = torch::zeros({4, 8}, torch::kFloat32);
  bad[2][5] = std::nanf("");
  core::write_npy(path("nan.npy"), bad);
  expect_error([&] { data::read_configurations(path("nan.npy"), 8); }, ErrorKind::kFormat, {"nan.npy", "row 2", "non-finite"});
  core::write_npy(path("empty.npy"), torch::zeros({0, 8}, torch::kFloat64));
  expect_error([&] { data::read_configurations(path("empty.npy"), 8); }, ErrorKind::kFormat, {"empty.npy", "no configuration"});
  // A truncated copy of the authors' file: the npy layer names it.
  std::ifstream in(data::shipped_data_path("dw4/jaini2021_fixed_DW4.npy"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(path("cut.npy"), std::ios::binary) << bytes.substr(0, bytes.size() - 100);
  expect_error([&] { data::read_configurations(path("cut.npy"), 8); }, ErrorKind::kFormat, {"cut.npy"});
  std::ofstream(path("text.npy")) << "x1,y1\n1,2\n";
  expect_error([&] { data::read_configurations(path("text.npy"), 8); }, ErrorKind::kFormat, {"text.npy"});
  expect_error([&] { data::build_state_copies(states_, 0, 0.1, *std::make_unique<at::Generator>(make_gen(0))); },
               "copies per state must be >= 1");
}

}  // namespace
}  // namespace esvgd::test
