#include "plot/contour.h"

#include <gtest/gtest.h>

#include <cmath>

#include "esvgd/core/error.h"

namespace esvgd::plot {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// z = f(x, y) sampled on an n x n grid over [lo, hi]^2.
template <typename F>
std::vector<double> sample(int n, double lo, double hi, F f) {
  std::vector<double> z(static_cast<std::size_t>(n) * n);
  const Grid g{n, n, lo, hi, lo, hi};
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) z[static_cast<std::size_t>(j) * n + i] = f(g.x(i), g.y(j));
  return z;
}

TEST(ContourLines, CircleIsOneClosedLoopAtTheRadius) {
  const int n = 81;
  const auto z = sample(n, -2.0, 2.0, [](double x, double y) { return x * x + y * y; });
  const std::vector<Polyline> lines = contour_lines(z, Grid{n, n, -2.0, 2.0, -2.0, 2.0}, 1.0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].closed);
  EXPECT_GT(lines[0].points.size(), 50u);
  for (const Point& p : lines[0].points) EXPECT_NEAR(std::hypot(p.x, p.y), 1.0, 2e-3);
}

TEST(ContourLines, LinearFieldGivesOneOpenStraightLine) {
  const int n = 11;
  const auto z = sample(n, 0.0, 1.0, [](double x, double) { return x; });
  const std::vector<Polyline> lines = contour_lines(z, Grid{n, n, 0.0, 1.0, 0.0, 1.0}, 0.33);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_FALSE(lines[0].closed);
  EXPECT_EQ(lines[0].points.size(), static_cast<std::size_t>(n));
  for (const Point& p : lines[0].points) EXPECT_NEAR(p.x, 0.33, 1e-12);
}

TEST(ContourLines, LevelOutsideTheDataAndNonFiniteCells) {
  const int n = 5;
  auto z = sample(n, 0.0, 1.0, [](double x, double y) { return x + y; });
  const Grid g{n, n, 0.0, 1.0, 0.0, 1.0};
  EXPECT_TRUE(contour_lines(z, g, 5.0).empty());
  EXPECT_TRUE(contour_lines(z, g, NAN).empty());
  for (double& v : z) v = NAN;
  EXPECT_TRUE(contour_lines(z, g, 1.0).empty());
}

TEST(ContourLines, SaddleGivesTwoSeparateLines) {
  const int n = 21;
  const auto z = sample(n, -1.0, 1.0, [](double x, double y) { return x * x - y * y; });
  const std::vector<Polyline> lines = contour_lines(z, Grid{n, n, -1.0, 1.0, -1.0, 1.0}, 0.25);
  ASSERT_EQ(lines.size(), 2u);  // the two branches x = +-sqrt(0.25 + y^2)
  for (const auto& line : lines) {
    for (const Point& p : line.points) EXPECT_NEAR(p.x * p.x - p.y * p.y, 0.25, 0.02);
  }
}

TEST(ContourLines, SaddleCellIsResolvedByTheCentreValue) {
  // Corners (0,0) and (1,1) are 1, (1,0) and (0,1) are 0; the centre average is 0.5.
  const std::vector<double> z = {1.0, 0.0, 0.0, 1.0};
  const Grid g{2, 2, 0.0, 1.0, 0.0, 1.0};
  auto midpoints_off_diagonal = [&](double level) {
    const std::vector<Polyline> lines = contour_lines(z, g, level);
    EXPECT_EQ(lines.size(), 2u);
    std::vector<double> offsets;
    for (const auto& line : lines) {
      EXPECT_EQ(line.points.size(), 2u);
      const double mx = 0.5 * (line.points[0].x + line.points[1].x);
      const double my = 0.5 * (line.points[0].y + line.points[1].y);
      offsets.push_back(std::abs(mx - my));
    }
    return offsets;
  };
  // Level 0.4 < centre: the high corners connect through the centre, the low corners are cut off,
  // so the segments sit near (1,0) and (0,1), off the diagonal.
  for (double d : midpoints_off_diagonal(0.4)) EXPECT_NEAR(d, 0.6, 1e-12);
  // Level 0.6 > centre: the high corners are isolated, so the segments cross the diagonal.
  for (double d : midpoints_off_diagonal(0.6)) EXPECT_NEAR(d, 0.0, 1e-12);
}

TEST(RegionAbove, AreaIsExactForALinearField) {
  const int n = 7;
  const auto z = sample(n, 0.0, 1.0, [](double x, double y) { return x + y; });
  const Grid g{n, n, 0.0, 1.0, 0.0, 1.0};
  EXPECT_NEAR(polygon_area(region_above(z, g, 1.0)), 0.5, 1e-12);
  EXPECT_NEAR(polygon_area(region_above(z, g, 1.5)), 0.125, 1e-12);
  EXPECT_NEAR(polygon_area(region_above(z, g, -1.0)), 1.0, 1e-12);
  EXPECT_TRUE(region_above(z, g, 3.0).empty());
}

TEST(RegionAbove, OutsideOfACircle) {
  const int n = 161;
  const auto z = sample(n, -2.0, 2.0, [](double x, double y) { return x * x + y * y; });
  const double area = polygon_area(region_above(z, Grid{n, n, -2.0, 2.0, -2.0, 2.0}, 1.0));
  EXPECT_NEAR(area, 16.0 - kPi, 5e-3);  // positive: every polygon is counter-clockwise
}

TEST(Grid, CheckRejectsMismatchedSizes) {
  const std::vector<double> z(11, 0.0);
  try {
    check_grid(z, Grid{3, 4, 0.0, 1.0, 0.0, 1.0}, "contour");
    FAIL() << "expected esvgd::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("contour: z has 11 values but nx*ny = 3*4 = 12"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(check_grid(std::vector<double>(3, 0.0), Grid{3, 1, 0.0, 1.0, 0.0, 1.0}, "contour"), Error);
  EXPECT_THROW(check_grid(std::vector<double>(4, 0.0), Grid{2, 2, 1.0, 0.0, 0.0, 1.0}, "contour"), Error);
  EXPECT_NO_THROW(check_grid(std::vector<double>(3, 0.0), Grid{3, 1, 0.0, 1.0, 0.0, 1.0}, "image", 1));
}

}  // namespace
}  // namespace esvgd::plot
