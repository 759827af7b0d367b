// The noise ladder of denoising score matching and annealed sampling: geometric, exact at both
// ends, descending; bad options named.
#include <cmath>

#include <gtest/gtest.h>

#include "esvgd/sampler/noise_ladder.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

TEST(NoiseLadder, GeometricFromMaxToMin) {
  const auto s = sampler::noise_levels(sampler::NoiseLadder().max(2.0).min(0.02).levels(5));
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s.front(), 2.0);
  EXPECT_EQ(s.back(), 0.02);
  for (size_t k = 1; k < s.size(); ++k) EXPECT_NEAR(s[k] / s[k - 1], std::pow(0.01, 0.25), 1e-12) << k;
  const auto two = sampler::noise_levels(sampler::NoiseLadder().max(1.0).min(0.5).levels(2));
  EXPECT_EQ(two, (std::vector<double>{1.0, 0.5}));
}

TEST(NoiseLadder, BadOptionsAreNamed) {
  using sampler::NoiseLadder;
  expect_error([] { sampler::noise_levels(NoiseLadder().min(0)); }, ErrorKind::kInvalidArgument, {"NoiseLadder::min", "positive"});
  expect_error([] { sampler::noise_levels(NoiseLadder().min(NAN)); }, "NoiseLadder::min");
  expect_error([] { sampler::noise_levels(NoiseLadder().max(0.01).min(0.02)); }, ErrorKind::kInvalidArgument, {"NoiseLadder::max", "> NoiseLadder::min"});
  expect_error([] { sampler::noise_levels(NoiseLadder().max(INFINITY)); }, "NoiseLadder::max");
  expect_error([] { sampler::noise_levels(NoiseLadder().levels(1)); }, ErrorKind::kInvalidArgument, {"NoiseLadder::levels", ">= 2"});
}

}  // namespace
}  // namespace esvgd::test
