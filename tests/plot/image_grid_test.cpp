// Image grids: a PNG of the expected size for [N, S, S] and [N, S·S] input, and clear errors for
// shapes and labels that do not fit.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "plot/image_grid.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

namespace fs = std::filesystem;

/// Width and height from a PNG's IHDR chunk.
std::pair<int, int> png_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> head(24);
  in.read(reinterpret_cast<char*>(head.data()), 24);
  EXPECT_EQ(std::string(head.begin() + 1, head.begin() + 4), "PNG");
  auto be = [&](int at) { return (head[at] << 24) | (head[at + 1] << 16) | (head[at + 2] << 8) | head[at + 3]; };
  return {be(16), be(20)};
}

TEST(ImageGrid, WritesAPngOfTheGridSize) {
  const auto dir = fs::temp_directory_path() / ("esvgd_grid_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto gen = make_gen(1);
  auto images = torch::rand({10, 28, 28}, gen, torch::kFloat64);
  const auto a = (dir / "a.png").string(), b = (dir / "b.png").string();
  plot::save_image_grid(a, images, {4, 2, "", {}});  // 3 rows of 4, 56-pixel cells, 2-pixel gaps
  EXPECT_EQ(png_size(a), (std::pair{2 + 4 * 58, 2 + 3 * 58}));
  plot::save_image_grid(b, images.reshape({10, 784}), {5, 1, "title", {"first", "second"}});
  EXPECT_EQ(png_size(b), (std::pair{90 + 5 * 30, 24 + 2 * 30}));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 2);  // no temp files left
  fs::remove_all(dir);
}

TEST(ImageGrid, BadShapesAndLabelsAreErrors) {
  auto ok = torch::rand({4, 5, 5});
  expect_error([&] { plot::save_image_grid("/tmp/x.png", torch::rand({4, 5, 6})); }, "square image");
  expect_error([&] { plot::save_image_grid("/tmp/x.png", torch::rand({4, 24})); }, "square image");
  expect_error([&] { plot::save_image_grid("/tmp/x.png", torch::rand({5})); }, "[N, S, S]");
  expect_error([&] { plot::save_image_grid("/tmp/x.png", ok, {2, 1, "", {"one"}}); }, "1 row labels for 2 rows");
  expect_error([&] { plot::save_image_grid("/nonexistent/dir/x.png", ok); }, "/nonexistent/dir/x.png");
}

}  // namespace
}  // namespace esvgd::test
