#include "plot/colormap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

namespace esvgd::plot {
namespace {

void expect_rgb(Color c, int r, int g, int b) {
  EXPECT_NEAR(c.r * 255.0, r, 0.5);
  EXPECT_NEAR(c.g * 255.0, g, 0.5);
  EXPECT_NEAR(c.b * 255.0, b, 0.5);
  EXPECT_DOUBLE_EQ(c.a, 1.0);
}

TEST(Palette, TenDistinctColoursThatWrap) {
  std::set<std::tuple<double, double, double>> seen;
  for (int i = 0; i < 10; ++i) seen.insert({palette(i).r, palette(i).g, palette(i).b});
  EXPECT_EQ(seen.size(), 10u);
  expect_rgb(palette(0), 31, 119, 180);  // tab10 blue
  expect_rgb(palette(1), 255, 127, 14);  // tab10 orange
  expect_rgb(palette(10), 31, 119, 180);
  expect_rgb(palette(-1), 23, 190, 207);
}

TEST(Colormap, EndpointsAndClamping) {
  expect_rgb(colormap_color(Colormap::kViridis, 0.0), 68, 1, 84);
  expect_rgb(colormap_color(Colormap::kViridis, 1.0), 253, 231, 37);
  expect_rgb(colormap_color(Colormap::kGreys, 0.0), 255, 255, 255);
  expect_rgb(colormap_color(Colormap::kGreys, 1.0), 0, 0, 0);
  expect_rgb(colormap_color(Colormap::kBlues, 1.0), 8, 48, 107);
  expect_rgb(colormap_color(Colormap::kCoolwarm, 0.5), 221, 221, 221);
  expect_rgb(colormap_color(Colormap::kViridis, -3.0), 68, 1, 84);
  expect_rgb(colormap_color(Colormap::kViridis, 7.0), 253, 231, 37);
  expect_rgb(colormap_color(Colormap::kViridis, NAN), 68, 1, 84);
}

TEST(Colormap, SequentialMapsDarkenMonotonically) {
  for (Colormap cmap : {Colormap::kGreys, Colormap::kBlues}) {
    double previous = 4.0;
    for (int k = 0; k <= 20; ++k) {
      const Color c = colormap_color(cmap, k / 20.0);
      const double brightness = c.r + c.g + c.b;
      EXPECT_LT(brightness, previous) << to_string(cmap) << " at " << k;
      previous = brightness;
    }
  }
}

TEST(Colormap, LightenAndAlpha) {
  expect_rgb(lighten(Color{0.0, 0.0, 0.0}, 1.0), 255, 255, 255);
  const Color half = lighten(Color{0.0, 0.5, 1.0, 0.3}, 0.5);
  EXPECT_DOUBLE_EQ(half.r, 0.5);
  EXPECT_DOUBLE_EQ(half.g, 0.75);
  EXPECT_DOUBLE_EQ(half.b, 1.0);
  EXPECT_DOUBLE_EQ(half.a, 0.3);
  EXPECT_DOUBLE_EQ(with_alpha(palette(2), 0.25).a, 0.25);
}

}  // namespace
}  // namespace esvgd::plot
