// Fashion-MNIST: the loader on tiny fixture files (and each way they can be wrong), the C4
// rotations of images, and the real dataset where Debian's package installed it.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/data/fashion_mnist.h"
#include "esvgd/data/idx.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

namespace fs = std::filesystem;

class FashionMnist : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("esvgd_fashion_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
    auto gen = make_gen(0);
    images_ = torch::randint(256, {5, 28, 28}, gen, torch::kUInt8);
    labels_ = torch::tensor({9, 0, 3, 7, 2}, torch::kUInt8);
    // train as shipped (gzipped), test unpacked
    data::write_idx(path("train-images-idx3-ubyte.gz"), images_);
    data::write_idx(path("train-labels-idx1-ubyte.gz"), labels_);
    data::write_idx(path("t10k-images-idx3-ubyte"), images_.narrow(0, 0, 3));
    data::write_idx(path("t10k-labels-idx1-ubyte"), labels_.narrow(0, 0, 3));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string dir() const { return dir_.string(); }
  fs::path dir_;
  torch::Tensor images_, labels_;
};

TEST_F(FashionMnist, LoadsBothSplitsAsFloatImagesAndLongLabels) {
  auto train = data::load_fashion_mnist(dir(), "train");
  ASSERT_EQ(train.images.sizes(), torch::IntArrayRef({5, 1, 28, 28}));
  EXPECT_EQ(train.images.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(train.images, images_.unsqueeze(1).to(torch::kFloat32) / 255));
  EXPECT_EQ(train.labels.scalar_type(), torch::kLong);
  EXPECT_TRUE(torch::equal(train.labels, labels_.to(torch::kLong)));
  auto test = data::load_fashion_mnist(dir(), "test");
  ASSERT_EQ(test.images.sizes(), torch::IntArrayRef({3, 1, 28, 28}));
  EXPECT_TRUE(torch::equal(test.labels, torch::tensor({9, 0, 3}, torch::kLong)));
}

TEST_F(FashionMnist, LimitKeepsTheFirstImages) {
  auto three = data::load_fashion_mnist(dir(), "train", 3);
  ASSERT_EQ(three.images.size(0), 3);
  EXPECT_TRUE(torch::equal(three.labels, torch::tensor({9, 0, 3}, torch::kLong)));
  EXPECT_TRUE(torch::allclose(three.images, images_.narrow(0, 0, 3).unsqueeze(1).to(torch::kFloat32) / 255));
  EXPECT_EQ(data::load_fashion_mnist(dir(), "train", 100).images.size(0), 5);
  expect_error([&] { data::load_fashion_mnist(dir(), "train", -1); }, ErrorKind::kInvalidArgument, {"limit", "-1"});
}

TEST_F(FashionMnist, PrefersTheGzipFileOverAnUnpackedCopy) {
  data::write_idx(path("train-labels-idx1-ubyte"), torch::tensor({1, 1, 1, 1, 1}, torch::kUInt8));
  EXPECT_EQ(data::load_fashion_mnist(dir(), "train").labels[0].item<int64_t>(), 9);
  fs::remove(path("train-labels-idx1-ubyte.gz"));
  EXPECT_EQ(data::load_fashion_mnist(dir(), "train").labels[0].item<int64_t>(), 1);
}

TEST_F(FashionMnist, UnknownSplitOrMissingFilesSayWhatWasExpected) {
  expect_error([&] { data::load_fashion_mnist(dir(), "validation"); }, ErrorKind::kInvalidArgument,
               {"'validation'", "\"train\" or \"test\""});
  expect_error([&] { data::load_fashion_mnist(path("absent"), "train"); }, ErrorKind::kIo,
               {"absent", "directory not found", "train-images-idx3-ubyte.gz", "dataset-fashion-mnist",
                "scripts/install-deps.sh"});
  fs::remove(path("t10k-labels-idx1-ubyte"));
  expect_error([&] { data::load_fashion_mnist(dir(), "test"); }, ErrorKind::kIo,
               {"t10k-labels-idx1-ubyte.gz", "not found", "dataset-fashion-mnist"});
}

TEST_F(FashionMnist, ImagesMustBeSquareStacks) {
  data::write_idx(path("train-images-idx3-ubyte.gz"), torch::zeros({5, 784}, torch::kUInt8));
  expect_error([&] { data::load_fashion_mnist(dir(), "train"); }, ErrorKind::kFormat,
               {"train-images-idx3-ubyte.gz", "[N, H, W]", "[5, 784]"});
  data::write_idx(path("train-images-idx3-ubyte.gz"), torch::zeros({5, 28, 27}, torch::kUInt8));
  expect_error([&] { data::load_fashion_mnist(dir(), "train"); }, ErrorKind::kFormat,
               {"train-images-idx3-ubyte.gz", "H == W", "[5, 28, 27]"});
  data::write_idx(path("train-images-idx3-ubyte.gz"), torch::zeros({5, 8, 8}, torch::kUInt8));  // any square side
  EXPECT_EQ(data::load_fashion_mnist(dir(), "train").images.sizes(), torch::IntArrayRef({5, 1, 8, 8}));
}

TEST_F(FashionMnist, LabelsMustBeOnePerImageAndAClass) {
  data::write_idx(path("train-labels-idx1-ubyte.gz"), torch::zeros({5, 1}, torch::kUInt8));
  expect_error([&] { data::load_fashion_mnist(dir(), "train"); }, ErrorKind::kFormat,
               {"train-labels-idx1-ubyte.gz", "expected labels [N]", "[5, 1]"});
  data::write_idx(path("train-labels-idx1-ubyte.gz"), torch::zeros({4}, torch::kUInt8));
  expect_error([&] { data::load_fashion_mnist(dir(), "train"); }, ErrorKind::kFormat,
               {"train-labels-idx1-ubyte.gz", "4 labels", "train-images-idx3-ubyte.gz", "5 images"});
  data::write_idx(path("train-labels-idx1-ubyte.gz"), torch::tensor({1, 2, 10, 200, 3}, torch::kUInt8));
  expect_error([&] { data::load_fashion_mnist(dir(), "train"); }, ErrorKind::kFormat,
               {"train-labels-idx1-ubyte.gz", "label 10 at index 2"});
  // read_idx's errors come through; an unpacked file under the .gz name still reads.
  std::ofstream(path("train-labels-idx1-ubyte.gz"), std::ios::binary) << std::string("\0\0\x08\x01\0\0\0\x05", 8) + "ab";
  expect_error([&] { data::load_fashion_mnist(dir(), "train"); }, ErrorKind::kFormat,
               {"train-labels-idx1-ubyte.gz", "truncated data", "expected 5", "found 2"});
  data::write_idx(path("train-labels-idx1-ubyte"), labels_);
  fs::rename(path("train-labels-idx1-ubyte"), path("train-labels-idx1-ubyte.gz"));
  EXPECT_EQ(data::load_fashion_mnist(dir(), "train").labels.size(0), 5);
}

TEST_F(FashionMnist, ClassNames) {
  const auto& c = data::fashion_mnist_classes();
  ASSERT_EQ(c.size(), 10u);
  EXPECT_EQ(c[0], "T-shirt/top");
  EXPECT_EQ(c[9], "Ankle boot");
}

TEST(FashionMnistRotation, QuarterTurnIsRot90AndFourGiveBackTheImage) {
  auto gen = make_gen(1);
  auto x = torch::rand({4, 2, 6, 6}, gen);
  EXPECT_TRUE(torch::equal(data::rotate_images(x, 1), torch::rot90(x, 1, {2, 3})));
  EXPECT_FALSE(torch::equal(data::rotate_images(x, 1), x));
  auto y = x;
  for (int i = 0; i < 4; ++i) y = data::rotate_images(y, 1);
  EXPECT_TRUE(torch::equal(y, x));
  EXPECT_TRUE(torch::equal(data::rotate_images(x, -1), data::rotate_images(x, 3)));
  EXPECT_TRUE(torch::equal(data::rotate_images(x, 5), data::rotate_images(x, 1)));
  EXPECT_TRUE(torch::equal(data::rotate_images(x, 0), x));
  // Counter-clockwise: the top-right corner goes to the top-left.
  auto e = torch::zeros({1, 1, 3, 3});
  e[0][0][0][2] = 1;
  EXPECT_EQ(data::rotate_images(e, 1)[0][0][0][0].item<float>(), 1.f);
  expect_error([&] { data::rotate_images(torch::zeros({2, 1, 3, 4}), 1); }, ErrorKind::kInvalidArgument, {"H == W"});
}

TEST(FashionMnistRotation, PerImageRotationsMatchIndividualRot90) {
  auto gen = make_gen(2);
  auto x = torch::rand({6, 2, 5, 5}, gen);
  auto ks = torch::tensor({0, 1, 2, 3, 1, 3}, torch::kLong);
  auto r = data::rotate_images(x, ks);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_TRUE(torch::equal(r[i], torch::rot90(x[i], ks[i].item<int64_t>(), {1, 2}))) << "image " << i;
  expect_error([&] { data::rotate_images(x, torch::tensor({0, 1, 4, 0, 0, 0}, torch::kLong)); }, ErrorKind::kInvalidArgument,
               {"[0, 4)"});
  expect_error([&] { data::rotate_images(x, torch::zeros({5}, torch::kLong)); }, ErrorKind::kInvalidArgument, {"ks [6]"});
}

TEST(FashionMnistRotation, RandomC4RotationIsSeededAndUsesAllFour) {
  auto gen = make_gen(3);
  auto x = torch::rand({200, 1, 4, 4}, gen);
  auto g1 = make_gen(7), g2 = make_gen(7), g3 = make_gen(8);
  auto [r1, k1] = data::random_c4_rotation(x, g1);
  auto [r2, k2] = data::random_c4_rotation(x, g2);
  auto [r3, k3] = data::random_c4_rotation(x, g3);
  EXPECT_TRUE(torch::equal(k1, k2));
  EXPECT_TRUE(torch::equal(r1, r2));
  EXPECT_FALSE(torch::equal(k1, k3));
  ASSERT_EQ(k1.scalar_type(), torch::kLong);
  ASSERT_EQ(k1.sizes(), torch::IntArrayRef({200}));
  auto counts = torch::bincount(k1, {}, 4);
  ASSERT_EQ(counts.size(0), 4);
  for (int64_t k = 0; k < 4; ++k) EXPECT_GT(counts[k].item<int64_t>(), 0) << "k = " << k;
  EXPECT_TRUE(torch::equal(r1, data::rotate_images(x, k1)));
}

TEST(FashionMnistReal, ShapesClassCountsAndPixelStatistics) {
  if (!fs::is_directory(data::kFashionMnistDir))
    GTEST_SKIP() << data::kFashionMnistDir << " not installed (Debian package dataset-fashion-mnist)";
  auto train = data::load_fashion_mnist(data::kFashionMnistDir, "train");
  auto test = data::load_fashion_mnist(data::kFashionMnistDir, "test");
  ASSERT_EQ(train.images.sizes(), torch::IntArrayRef({60000, 1, 28, 28}));
  ASSERT_EQ(test.images.sizes(), torch::IntArrayRef({10000, 1, 28, 28}));
  EXPECT_TRUE(torch::equal(torch::bincount(train.labels, {}, 10), torch::full({10}, 6000, torch::kLong)));
  EXPECT_TRUE(torch::equal(torch::bincount(test.labels, {}, 10), torch::full({10}, 1000, torch::kLong)));
  EXPECT_EQ(train.labels[0].item<int64_t>(), 9);  // ankle boot
  for (const auto& s : {train, test}) {
    EXPECT_GE(s.images.min().item<float>(), 0.f);
    EXPECT_LE(s.images.max().item<float>(), 1.f);
  }
  EXPECT_NEAR(train.images.mean().item<double>(), 0.286, 0.01);
}

}  // namespace
}  // namespace esvgd::test
