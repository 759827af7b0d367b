#include "plot/figure.h"

#include <cairo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "esvgd/core/error.h"

namespace esvgd::plot {
namespace {

namespace fs = std::filesystem;

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr Color kRed{1.0, 0.0, 0.0};
constexpr Color kBlack{0.0, 0.0, 0.0};

/// A fresh directory per test, removed afterwards.
class FigureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("esvgd_plot_") + info->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

struct Rgb {
  int r, g, b;
};

/// A PNG read back through cairo, for pixel checks.
class Png {
 public:
  explicit Png(const std::string& path)
      : surface_(cairo_image_surface_create_from_png(path.c_str()), &cairo_surface_destroy) {}
  bool ok() const { return cairo_surface_status(surface_.get()) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_.get()); }
  int height() const { return cairo_image_surface_get_height(surface_.get()); }
  Rgb at(double x, double y) const {
    const int xi = static_cast<int>(std::floor(x)), yi = static_cast<int>(std::floor(y));
    EXPECT_TRUE(xi >= 0 && xi < width() && yi >= 0 && yi < height()) << x << ", " << y;
    const unsigned char* data = cairo_image_surface_get_data(surface_.get());
    const int stride = cairo_image_surface_get_stride(surface_.get());
    const auto v = *reinterpret_cast<const uint32_t*>(data + yi * stride + xi * 4);
    return Rgb{static_cast<int>((v >> 16) & 0xFF), static_cast<int>((v >> 8) & 0xFF), static_cast<int>(v & 0xFF)};
  }
  /// Pixels within a rectangle that are not (nearly) white.
  int ink(int x0, int y0, int x1, int y1) const {
    int count = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        const Rgb p = at(x, y);
        if (p.r + p.g + p.b < 3 * 240) ++count;
      }
    return count;
  }

 private:
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface_;
};

bool is_white(Rgb p) { return p.r > 245 && p.g > 245 && p.b > 245; }
bool is_red(Rgb p) { return p.r > 200 && p.g < 60 && p.b < 60; }
bool is_dark(Rgb p) { return p.r + p.g + p.b < 3 * 100; }

template <typename F>
void expect_error(F f, ErrorKind kind, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "expected esvgd::Error containing \"" << fragment << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST_F(FigureTest, SavesAValidPngOfTheGridSize) {
  Figure fig(2, 3, 200, 150);
  fig.axes(0, 0).line({0, 1, 2}, {1, 3, 2}, palette(0), 1.5, "a");
  fig.axes(1, 2).scatter({0, 1}, {0, 1}, palette(1));
  fig.save_png(path("grid.png"));

  std::ifstream is(path("grid.png"), std::ios::binary);
  unsigned char head[8] = {};
  is.read(reinterpret_cast<char*>(head), 8);
  ASSERT_TRUE(is);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(head[i], kPngSignature[i]) << "byte " << i;

  const Png png(path("grid.png"));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 600);
  EXPECT_EQ(png.height(), 300);
  EXPECT_EQ(fig.width_px(), 600);
  EXPECT_EQ(fig.height_px(), 300);
  EXPECT_TRUE(is_white(png.at(1, 1)));  // white background in the corner
}

TEST_F(FigureTest, SuptitleAddsABandAndScaleMultipliesSize) {
  Figure fig(1, 2, 200, 160);
  fig.set_title("suptitle");
  EXPECT_GT(fig.height_px(), 160);
  fig.set_scale(2.0);
  EXPECT_EQ(fig.width_px(), 800);
  Axes& ax = fig.axes(0, 1);
  ax.set_xlim(0, 1);
  ax.set_ylim(0, 1);
  ax.scatter({0.3}, {0.6}, kRed, 3.0);
  fig.save_png(path("scaled.png"));
  const Png png(path("scaled.png"));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), fig.width_px());
  EXPECT_EQ(png.height(), fig.height_px());
  const auto [x, y] = fig.pixel_of(0, 1, 0.3, 0.6);  // in PNG pixels, so scaled and below the band
  EXPECT_GT(x, 400.0);
  EXPECT_TRUE(is_red(png.at(x, y)));
  EXPECT_TRUE(is_red(png.at(x + 4.0, y)));  // 3 px radius at scale 2 reaches 6 pixels
  EXPECT_TRUE(is_white(png.at(x + 9.0, y)));
}

TEST_F(FigureTest, WritePngToStream) {
  Figure fig(1, 1, 120, 100);
  std::ostringstream os;
  fig.write_png(os);
  const std::string bytes = os.str();
  ASSERT_GT(bytes.size(), 8u);
  EXPECT_EQ(bytes.compare(0, 8, reinterpret_cast<const char*>(kPngSignature), 8), 0);
}

TEST_F(FigureTest, ScatterPointColoursThePixelAtItsDataPosition) {
  Figure fig(1, 1, 300, 300);
  Axes& ax = fig.axes(0, 0);
  ax.set_xlim(0, 10);
  ax.set_ylim(0, 10);
  ax.scatter({2.5}, {7.5}, kRed, 5.0);
  fig.save_png(path("scatter.png"));
  const Png png(path("scatter.png"));
  ASSERT_TRUE(png.ok());

  const auto [x, y] = fig.pixel_of(0, 0, 2.5, 7.5);
  EXPECT_TRUE(is_red(png.at(x, y))) << png.at(x, y).r << "," << png.at(x, y).g << "," << png.at(x, y).b;
  // Upper-left quadrant: x left of the centre, y above it (data y grows upwards).
  const auto [cx, cy] = fig.pixel_of(0, 0, 5.0, 5.0);
  EXPECT_LT(x, cx);
  EXPECT_LT(y, cy);
  const auto [ox, oy] = fig.pixel_of(0, 0, 7.5, 2.5);
  EXPECT_TRUE(is_white(png.at(ox, oy)));  // the mirrored point stays empty
  EXPECT_TRUE(is_white(png.at(cx, cy)));
}

TEST_F(FigureTest, MappingIsLinearAndInsideThePanel) {
  Figure fig(1, 2, 300, 250);
  Axes& ax = fig.axes(0, 1);
  ax.set_xlim(-1, 3);
  ax.set_ylim(10, 20);
  const auto [x0, y0] = fig.pixel_of(0, 1, -1, 10);
  const auto [x1, y1] = fig.pixel_of(0, 1, 3, 20);
  const auto [xm, ym] = fig.pixel_of(0, 1, 1, 15);
  EXPECT_NEAR(xm, 0.5 * (x0 + x1), 1e-9);
  EXPECT_NEAR(ym, 0.5 * (y0 + y1), 1e-9);
  EXPECT_GT(x0, 300.0 + 20.0);  // second panel, past the y tick labels
  EXPECT_LT(x1, 600.0);
  EXPECT_GT(y1, 0.0);
  EXPECT_LT(y0, 250.0 - 20.0);  // above the x tick labels
}

TEST_F(FigureTest, EqualAspectGivesSamePixelsPerUnit) {
  Figure fig(1, 1, 400, 300);
  Axes& ax = fig.axes(0, 0);
  ax.set_xlim(0, 10);
  ax.set_ylim(0, 5);
  ax.set_equal_aspect(true);
  const auto [x0, y0] = fig.pixel_of(0, 0, 0, 0);
  const auto [x1, y1] = fig.pixel_of(0, 0, 10, 5);
  EXPECT_NEAR((x1 - x0) / 10.0, (y0 - y1) / 5.0, 0.2);  // snapping to whole pixels allows a little slack
}

TEST_F(FigureTest, ContourOfACircleDrawsAtTheRadiusOnly) {
  const int n = 101;
  std::vector<double> z(n * n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) {
      const double x = -2.0 + 4.0 * i / (n - 1), y = -2.0 + 4.0 * j / (n - 1);
      z[j * n + i] = x * x + y * y;
    }
  Figure fig(1, 1, 320, 320);
  Axes& ax = fig.axes(0, 0);
  ax.set_xlim(-2, 2);
  ax.set_ylim(-2, 2);
  ax.set_equal_aspect(true);
  const double r = 1.2;
  ax.contour(z, n, n, -2, 2, -2, 2, {r * r}, kBlack, 2.0);
  fig.save_png(path("contour.png"));
  const Png png(path("contour.png"));
  ASSERT_TRUE(png.ok());
  for (double angle : {0.0, 0.7, 1.5, 2.5, 3.6, 4.4, 5.5}) {
    const auto [x, y] = fig.pixel_of(0, 0, r * std::cos(angle), r * std::sin(angle));
    EXPECT_TRUE(is_dark(png.at(x, y))) << "angle " << angle;
  }
  for (const auto& [dx, dy] : {std::pair{0.0, 0.0}, {0.6, 0.0}, {0.0, -0.6}, {1.7, 0.3}}) {
    const auto [x, y] = fig.pixel_of(0, 0, dx, dy);
    EXPECT_TRUE(is_white(png.at(x, y))) << dx << ", " << dy;
  }
}

TEST_F(FigureTest, ContourfShadesHigherBandsDarker) {
  const int n = 21;
  std::vector<double> z(n * n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) z[j * n + i] = static_cast<double>(i) / (n - 1);  // z = x on [0, 1]
  Figure fig(1, 1, 300, 300);
  fig.axes(0, 0).contourf(z, n, n, 0, 1, 0, 1, 4, Colormap::kGreys);
  fig.save_png(path("contourf.png"));
  const Png png(path("contourf.png"));
  ASSERT_TRUE(png.ok());
  const auto [xl, yl] = fig.pixel_of(0, 0, 0.1, 0.5);
  const auto [xr, yr] = fig.pixel_of(0, 0, 0.9, 0.5);
  const Rgb low = png.at(xl, yl), high = png.at(xr, yr);
  EXPECT_GT(low.r, high.r + 40);
  EXPECT_FALSE(is_white(high));
}

TEST_F(FigureTest, ImageColoursCellsByValue) {
  // Two columns: 0 on the left, 1 on the right; Greys maps 0 to white and 1 to black.
  Figure fig(1, 1, 300, 300);
  fig.axes(0, 0).image({0, 1, 0, 1}, 2, 2, 0, 1, 0, 1, Colormap::kGreys, true);
  fig.save_png(path("image.png"));
  const Png png(path("image.png"));
  ASSERT_TRUE(png.ok());
  const auto [xl, yl] = fig.pixel_of(0, 0, 0.0, 0.5);
  const auto [xr, yr] = fig.pixel_of(0, 0, 1.0, 0.5);
  EXPECT_TRUE(is_white(png.at(xl, yl)));
  EXPECT_TRUE(is_dark(png.at(xr, yr)));
}

TEST_F(FigureTest, ConstantImageAndColorbarRender) {
  Figure fig(1, 1, 300, 240);
  fig.axes(0, 0).image(std::vector<double>(6, 0.37), 3, 2, 0, 2, 0, 1, Colormap::kViridis, true);
  ASSERT_NO_THROW(fig.save_png(path("constant.png")));
  const Png png(path("constant.png"));
  const auto [x, y] = fig.pixel_of(0, 0, 1.0, 0.5);
  const Rgb p = png.at(x, y);
  EXPECT_FALSE(is_white(p));  // the mid colour of viridis, a teal
  EXPECT_GT(p.g, p.r);
}

TEST_F(FigureTest, HistogramBarsAreTintedAndStartAtZero) {
  Figure fig(1, 1, 300, 300);
  fig.axes(0, 0).histogram({0.1, 0.2, 0.3, 0.6}, 2, 0.0, 1.0, Color{0.0, 0.0, 1.0}, "h", false);
  fig.save_png(path("hist.png"));
  const Png png(path("hist.png"));
  ASSERT_TRUE(png.ok());
  const auto [x, y] = fig.pixel_of(0, 0, 0.25, 1.5);  // inside the first bar (height 3)
  const Rgb p = png.at(x, y);
  EXPECT_GT(p.b, p.r + 60);
  const auto [ex, ey] = fig.pixel_of(0, 0, 0.75, 2.0);  // above the second bar (height 1)
  EXPECT_TRUE(is_white(png.at(ex, ey)));
  const auto [zx, zy] = fig.pixel_of(0, 0, 0.0, 0.0);
  const auto [fx, fy] = fig.pixel_of(0, 0, 0.0, 3.0);
  EXPECT_GT(zy, fy);
  const auto [cx, cy] = fig.pixel_of(0, 0, 0.0, -1e-9);
  EXPECT_NEAR(cy, zy, 1e-3);  // zero is the sticky bottom edge of the axes: no margin below the bars
  (void)zx, (void)fx, (void)cx;
}

TEST_F(FigureTest, LegendDrawsABoxTopRight) {
  auto render = [&](bool legend, const std::string& name) {
    Figure fig(1, 1, 300, 300);
    Axes& ax = fig.axes(0, 0);
    ax.set_xlim(0, 1);
    ax.set_ylim(0, 1);
    ax.line({0.0, 0.4}, {0.0, 0.3}, palette(0), 1.5, "series");
    if (legend) ax.legend();
    fig.save_png(path(name));
    const auto [x0, y0] = fig.pixel_of(0, 0, 0.6, 1.0);
    const auto [x1, y1] = fig.pixel_of(0, 0, 1.0, 0.8);
    return Png(path(name))
        .ink(static_cast<int>(x0) + 2, static_cast<int>(y0) + 2, static_cast<int>(x1) - 2, static_cast<int>(y1));
  };
  EXPECT_EQ(render(false, "plain.png"), 0);
  EXPECT_GT(render(true, "legend.png"), 50);
}

TEST_F(FigureTest, LogAxisSpacesDecadesEvenlyAndSkipsNonPositive) {
  Figure fig(1, 1, 300, 300);
  Axes& ax = fig.axes(0, 0);
  ax.set_log_y(true);
  ax.line({0, 1, 2, 3}, {10, 100, 0, -5}, palette(0));
  ax.scatter({0, 1}, {1000, 0}, palette(1));
  const auto [xa, ya] = fig.pixel_of(0, 0, 0, 10);
  const auto [xb, yb] = fig.pixel_of(0, 0, 0, 100);
  const auto [xc, yc] = fig.pixel_of(0, 0, 0, 1000);
  EXPECT_NEAR(ya - yb, yb - yc, 1e-9);
  EXPECT_GT(ya, yb);
  (void)xa, (void)xb, (void)xc;
  EXPECT_NO_THROW(fig.save_png(path("log.png")));
  expect_error([&] { ax.set_ylim(0, 10); }, ErrorKind::kInvalidArgument, "log y axis needs lo > 0");
}

TEST_F(FigureTest, EmptyAndNonFiniteDataDrawEmptyAxes) {
  Figure fig(2, 2, 200, 200);
  fig.axes(0, 0).scatter({}, {}, palette(0));
  fig.axes(0, 1).line({NAN, INFINITY}, {1.0, NAN}, palette(0));
  fig.axes(1, 0).boxplot({{}, {NAN}}, {"a", "b"});
  fig.axes(1, 0).histogram({}, 5, 0, 1, palette(2));
  fig.axes(1, 1).contourf(std::vector<double>(4, NAN), 2, 2, 0, 1, 0, 1, 5, Colormap::kViridis);
  fig.axes(1, 1).image(std::vector<double>(4, NAN), 2, 2, 0, 1, 0, 1, Colormap::kViridis, true);
  fig.axes(1, 1).legend();
  ASSERT_NO_THROW(fig.save_png(path("empty.png")));
  const Png png(path("empty.png"));
  ASSERT_TRUE(png.ok());
  const auto [x, y] = fig.pixel_of(0, 0, 0.5, 0.5);  // default limits [0, 1]
  EXPECT_TRUE(is_white(png.at(x, y)));
  const auto [x1, y1] = fig.pixel_of(0, 0, 1.0, 1.0);
  EXPECT_GT(x1, x);
  EXPECT_LT(y1, y);
}

TEST_F(FigureTest, BadArgumentsThrowWithClearMessages) {
  const ErrorKind kArg = ErrorKind::kInvalidArgument;
  expect_error([] { Figure(0, 2); }, kArg, "rows and cols must be positive");
  expect_error([] { Figure(1, 1, -5, 10); }, kArg, "panel size must be positive");
  Figure fig(1, 2);
  expect_error([&] { fig.axes(1, 0); }, kArg, "(1, 0) is outside the 1x2 grid");
  expect_error([&] { fig.axes(0, -1); }, kArg, "outside");
  Axes& ax = fig.axes(0, 0);
  expect_error([&] { ax.image({1, 2, 3}, 2, 2, 0, 1, 0, 1); }, kArg, "image: z has 3 values but nx*ny = 2*2 = 4");
  expect_error([&] { ax.contour({1, 2, 3, 4}, 2, 2, 1, 0, 0, 1, {1.0}, kBlack); }, kArg, "x1 > x0");
  expect_error(
      [&] {
        ax.contourf({1, 2, 3, 4}, 2, 2, 0, 1, 0, 1, 0, Colormap::kBlues);
      },
      kArg, "n_levels must be positive");
  expect_error([&] { ax.histogram({1.0}, 0, 0, 1, kBlack); }, kArg, "bins must be positive, got 0");
  expect_error([&] { ax.histogram({1.0}, 3, 1, 1, kBlack); }, kArg, "hi > lo");
  expect_error([&] { ax.scatter({1, 2}, {1}, kBlack); }, kArg, "x has 2 values but y has 1");
  expect_error([&] { ax.line({1}, {1, 2}, kBlack); }, kArg, "line: x has 1 values but y has 2");
  expect_error([&] { ax.boxplot({{1.0}, {2.0}}, {"one"}); }, kArg, "2 groups but 1 labels");
  expect_error([&] { ax.set_xlim(1, 0); }, kArg, "set_xlim");
  expect_error([&] { ax.set_ylim(0, NAN); }, kArg, "set_ylim");
  expect_error([&] { ax.scatter({1}, {1}, kBlack, 0.0); }, kArg, "radius_px must be positive");
  expect_error([&] { fig.set_scale(0.0); }, kArg, "scale must be positive");
}

TEST_F(FigureTest, UnwritablePathThrowsIoErrorNamingItAndLeavesNoTemporary) {
  Figure fig(1, 1, 100, 100);
  fig.axes(0, 0).scatter({0, 1}, {0, 1}, palette(0));
  // A directory where the file should go: writing the temporary succeeds, the rename fails.
  const std::string target = path("out.png");
  fs::create_directory(target);
  expect_error([&] { fig.save_png(target); }, ErrorKind::kIo, target);
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find("out.png.tmp"), std::string::npos) << entry.path();
  }
  const std::string missing = path("no/such/dir/fig.png");
  try {
    fig.save_png(missing);
    ADD_FAILURE() << "expected esvgd::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    EXPECT_EQ(e.where(), missing);
  }
  EXPECT_FALSE(fs::exists(path("no")));
}

TEST_F(FigureTest, SaveReplacesAnExistingFile) {
  const std::string target = path("fig.png");
  std::ofstream(target) << "old contents";
  Figure fig(1, 1, 100, 100);
  fig.save_png(target);
  const Png png(target);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png.width(), 100);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);  // no temporary left beside it
}

TEST_F(FigureTest, BoxplotAndTextRender) {
  Figure fig(1, 1, 300, 300);
  Axes& ax = fig.axes(0, 0);
  ax.boxplot({{1, 2, 3, 4, 5}, {2, 3, 4, 5, 20}}, {}, {kRed, palette(0)});
  ax.text(1.0, 4.0, "note", kBlack, 12);
  fig.save_png(path("box.png"));
  const Png png(path("box.png"));
  ASSERT_TRUE(png.ok());
  // The first box spans quartiles 2..4 at x = 1: its fill is a red tint.
  const auto [x, y] = fig.pixel_of(0, 0, 1.1, 2.5);
  const Rgb p = png.at(x, y);
  EXPECT_GT(p.r, p.b + 60);
  // The median line (at 3) is darker than the fill.
  const auto [mx, my] = fig.pixel_of(0, 0, 1.1, 3.0);
  EXPECT_LT(png.at(mx, my).r, p.r);
}

}  // namespace
}  // namespace esvgd::plot
