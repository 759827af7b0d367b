#include "plot/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "esvgd/core/error.h"

namespace esvgd::plot {
namespace {

TEST(BoxStats, MatchesHandComputedQuartilesWhiskersAndOutliers) {
  // Sorted 1..9, 100; numpy.percentile: q1 at position 2.25 -> 3.25, median 5.5, q3 at 6.75 -> 7.75.
  const BoxStats s = box_stats({9, 1, 8, 2, 100, 7, 3, 6, 4, 5});
  EXPECT_EQ(s.count, 10u);
  EXPECT_DOUBLE_EQ(s.q1, 3.25);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.q3, 7.75);
  EXPECT_DOUBLE_EQ(s.mean, 14.5);
  // IQR 4.5: fences at -3.5 and 14.5, so 100 is the only outlier and the whiskers reach 1 and 9.
  EXPECT_DOUBLE_EQ(s.whisker_lo, 1.0);
  EXPECT_DOUBLE_EQ(s.whisker_hi, 9.0);
  EXPECT_EQ(s.outliers, std::vector<double>{100.0});
}

TEST(BoxStats, OddCountAndLowOutliers) {
  const BoxStats s = box_stats({-50, 10, 11, 12, 13, 14});
  // Sorted -50, 10..14: q1 at 1.25 -> 10.25, median at 2.5 -> 11.5, q3 at 3.75 -> 12.75.
  EXPECT_DOUBLE_EQ(s.q1, 10.25);
  EXPECT_DOUBLE_EQ(s.median, 11.5);
  EXPECT_DOUBLE_EQ(s.q3, 12.75);
  EXPECT_DOUBLE_EQ(s.whisker_lo, 10.0);
  EXPECT_DOUBLE_EQ(s.whisker_hi, 14.0);
  EXPECT_EQ(s.outliers, std::vector<double>{-50.0});
}

TEST(BoxStats, IgnoresNonFiniteAndHandlesEmpty) {
  const BoxStats s = box_stats({NAN, 2.0, INFINITY, -INFINITY});
  EXPECT_EQ(s.count, 1u);
  EXPECT_DOUBLE_EQ(s.q1, 2.0);
  EXPECT_DOUBLE_EQ(s.median, 2.0);
  EXPECT_DOUBLE_EQ(s.q3, 2.0);
  EXPECT_TRUE(s.outliers.empty());
  const BoxStats e = box_stats({});
  EXPECT_EQ(e.count, 0u);
  EXPECT_TRUE(std::isnan(e.median));
}

TEST(Quantile, LinearInterpolation) {
  const std::vector<double> v = {0.0, 10.0, 20.0, 30.0};
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 1.0), 30.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.5), 15.0);
  EXPECT_DOUBLE_EQ(quantile_sorted(v, 0.1), 3.0);
  EXPECT_THROW(quantile_sorted({}, 0.5), Error);
}

TEST(HistogramHeights, CountsAndDensity) {
  const std::vector<double> values = {0.0, 0.5, 1.0, 1.5, 2.0, 5.0, -1.0, NAN};
  // [0, 1) holds 0, 0.5; [1, 2] holds 1, 1.5 and 2 (the last bin includes hi); 5, -1, NaN are dropped.
  EXPECT_EQ(histogram_heights(values, 2, 0.0, 2.0, false), (std::vector<double>{2.0, 3.0}));
  const std::vector<double> density = histogram_heights(values, 2, 0.0, 2.0, true);
  EXPECT_DOUBLE_EQ(density[0], 0.4);
  EXPECT_DOUBLE_EQ(density[1], 0.6);
  const std::vector<double> fine = histogram_heights(values, 8, 0.0, 2.0, true);
  EXPECT_DOUBLE_EQ(std::accumulate(fine.begin(), fine.end(), 0.0) * 0.25, 1.0);  // integrates to 1
  EXPECT_EQ(histogram_heights({}, 3, 0.0, 1.0, true), (std::vector<double>{0.0, 0.0, 0.0}));
}

TEST(HistogramHeights, RejectsBadBinsAndRange) {
  try {
    histogram_heights({1.0}, 0, 0.0, 1.0, true);
    FAIL() << "expected esvgd::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("bins must be positive"), std::string::npos) << e.what();
  }
  try {
    histogram_heights({1.0}, 4, 1.0, 1.0, true);
    FAIL() << "expected esvgd::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("hi > lo"), std::string::npos) << e.what();
  }
  EXPECT_THROW(histogram_heights({1.0}, 4, 0.0, INFINITY, true), Error);
}

}  // namespace
}  // namespace esvgd::plot
