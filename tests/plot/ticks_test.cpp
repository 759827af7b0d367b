#include "plot/ticks.h"

#include <gtest/gtest.h>

#include <cmath>

namespace esvgd::plot {
namespace {

const std::string kMinus = "\u2212";

TEST(NiceTicks, UnitRangeGivesFifths) {
  const std::vector<double> ticks = nice_ticks(0.0, 1.0, 5);
  const std::vector<double> expected = {0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
  ASSERT_EQ(ticks.size(), expected.size());
  for (std::size_t i = 0; i < ticks.size(); ++i) EXPECT_DOUBLE_EQ(ticks[i], expected[i]) << i;
}

TEST(NiceTicks, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(nice_step(0.0, 1.0, 5), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(0.0, 100.0, 5), 20.0);
  EXPECT_DOUBLE_EQ(nice_step(0.0, 7.0, 5), 1.0);
  EXPECT_DOUBLE_EQ(nice_step(0.0, 0.03, 3), 0.01);
  EXPECT_DOUBLE_EQ(nice_step(0.0, 2500.0, 5), 500.0);
}

TEST(NiceTicks, TicksAreMultiplesOfTheStepInsideTheRange) {
  const std::vector<double> ticks = nice_ticks(-3.2, 7.9, 5);
  ASSERT_EQ(ticks.size(), 5u);
  EXPECT_DOUBLE_EQ(ticks.front(), -2.0);
  EXPECT_DOUBLE_EQ(ticks.back(), 6.0);
  for (double t : ticks) EXPECT_DOUBLE_EQ(std::remainder(t, 2.0), 0.0) << t;
}

TEST(NiceTicks, NarrowRangeStillGetsTwoTicks) {
  const std::vector<double> ticks = nice_ticks(0.951, 0.959, 1);
  ASSERT_GE(ticks.size(), 2u);
  for (double t : ticks) {
    EXPECT_GE(t, 0.951);
    EXPECT_LE(t, 0.959);
  }
}

TEST(NiceTicks, DegenerateInputs) {
  EXPECT_EQ(nice_ticks(2.0, 2.0, 5), std::vector<double>{2.0});
  EXPECT_TRUE(nice_ticks(1.0, 0.0, 5).empty());
  EXPECT_TRUE(nice_ticks(NAN, 1.0, 5).empty());
  EXPECT_TRUE(nice_ticks(0.0, INFINITY, 5).empty());
  EXPECT_EQ(nice_ticks(0.0, 1.0, 0).size(), 2u);  // a target below 1 counts as 1
}

TEST(LogTicks, PowersOfTenThinnedToTarget) {
  const std::vector<double> all = log_ticks(1e-3, 1e2, 8);
  ASSERT_EQ(all.size(), 6u);
  EXPECT_DOUBLE_EQ(all.front(), 1e-3);
  EXPECT_DOUBLE_EQ(all.back(), 1e2);
  const std::vector<double> thinned = log_ticks(1e-3, 1e2, 3);
  ASSERT_EQ(thinned.size(), 3u);
  EXPECT_DOUBLE_EQ(thinned[0], 1e-2);
  EXPECT_DOUBLE_EQ(thinned[1], 1.0);
  EXPECT_DOUBLE_EQ(thinned[2], 1e2);
}

TEST(LogTicks, LessThanADecadeUsesOneTwoFive) {
  const std::vector<double> ticks = log_ticks(0.3, 4.0, 5);
  ASSERT_EQ(ticks.size(), 3u);
  EXPECT_DOUBLE_EQ(ticks[0], 0.5);
  EXPECT_DOUBLE_EQ(ticks[1], 1.0);
  EXPECT_DOUBLE_EQ(ticks[2], 2.0);
  EXPECT_TRUE(log_ticks(0.0, 1.0, 5).empty());
  EXPECT_TRUE(log_ticks(-1.0, 1.0, 5).empty());
}

std::vector<std::string> texts(const std::vector<TickLabel>& labels) {
  std::vector<std::string> out;
  for (const auto& l : labels) out.push_back(l.text + (l.superscript.empty() ? "" : "^" + l.superscript));
  return out;
}

TEST(FormatTicks, DecimalsFollowTheStep) {
  EXPECT_EQ(texts(format_ticks({0.0, 0.2, 0.4}, 0.2)), (std::vector<std::string>{"0.0", "0.2", "0.4"}));
  EXPECT_EQ(texts(format_ticks({0.0, 5.0, 10.0}, 5.0)), (std::vector<std::string>{"0", "5", "10"}));
  EXPECT_EQ(texts(format_ticks({0.25, 0.3}, 0.05)), (std::vector<std::string>{"0.25", "0.30"}));
}

TEST(FormatTicks, NegativeUseMinusSignAndNoNegativeZero) {
  EXPECT_EQ(texts(format_ticks({-1.0, -0.0, 1.0}, 1.0)), (std::vector<std::string>{kMinus + "1", "0", "1"}));
  EXPECT_EQ(texts(format_ticks({-0.2, -1e-17, 0.2}, 0.2)), (std::vector<std::string>{kMinus + "0.2", "0.0", "0.2"}));
}

TEST(FormatTicks, ScientificForLargeAndSmallMagnitudes) {
  EXPECT_EQ(texts(format_ticks({0.0, 2e5, 4e5}, 2e5)), (std::vector<std::string>{"0", "2e5", "4e5"}));
  EXPECT_EQ(texts(format_ticks({1e6, 1.2e6}, 2e5)), (std::vector<std::string>{"1e6", "1.2e6"}));
  EXPECT_EQ(texts(format_ticks({1e-4, 2e-4}, 1e-4)), (std::vector<std::string>{"1e-4", "2e-4"}));
}

TEST(FormatTicks, LogLabelsUseSuperscriptForPowersOfTen) {
  EXPECT_EQ(texts(format_log_ticks({0.01, 1.0, 100.0, 20.0})),
            (std::vector<std::string>{"10^" + kMinus + "2", "10^0", "10^2", "20"}));
}

}  // namespace
}  // namespace esvgd::plot
