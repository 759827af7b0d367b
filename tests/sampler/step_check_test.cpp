// The step's update and checks (sampler/step_check.h): moved_by gives X + scale·dx bit for bit as
// the tensor ops do, with the mean displacement and finiteness, on the one-pass path and the
// tensor-op path alike.
#include <limits>

#include "sampler/step_check.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

using sampler::moved_by;

/// t's values with every other element of memory skipped: never contiguous.
torch::Tensor strided(const torch::Tensor& t) { return torch::stack({t, t}, 2).select(2, 0); }

TEST(MovedBy, EqualsTheTensorOpsBitForBit) {
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    for (int64_t N : {1, 63, 64, 130}) {  // rows in blocks of 64 and a tail
      auto gen = at::detail::createCPUGenerator(N);
      auto X = torch::randn({N, 5}, gen, torch::kFloat64).to(dtype);
      auto dx = torch::randn({N, 5}, gen, torch::kFloat64).to(dtype);
      for (double scale : {1.0, 0.1}) {
        const auto step = scale * dx;
        const auto m = moved_by(X, dx, scale);
        EXPECT_TRUE(torch::equal(m.next, X + step)) << dtype << " N " << N << " scale " << scale;
        EXPECT_NEAR(m.mean_displacement, step.to(torch::kFloat64).norm(2, 1).mean().item<double>(), 1e-12);
        EXPECT_TRUE(m.finite);
        // Strided inputs take the tensor ops.
        ASSERT_FALSE(strided(X).is_contiguous());
        const auto t = moved_by(strided(X), strided(dx), scale);
        EXPECT_TRUE(torch::equal(t.next, m.next));
        // ... whose norm sums in the dtype.
        EXPECT_NEAR(t.mean_displacement, m.mean_displacement, dtype == torch::kFloat64 ? 1e-12 : 1e-6);
        EXPECT_TRUE(t.finite);
      }
    }
  }
}

TEST(MovedBy, NanOrInfInTheNewParticlesIsReported) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    for (double bad : {inf, -inf, nan}) {
      auto X = torch::zeros({70, 3}, dtype), dx = torch::ones({70, 3}, dtype);
      auto in_dx = dx.clone();
      in_dx[69][2] = bad;
      EXPECT_FALSE(moved_by(X, in_dx, 0.5).finite) << bad << " in dx";
      auto in_x = X.clone();
      in_x[3][0] = bad;
      EXPECT_FALSE(moved_by(in_x, dx, 0.5).finite) << bad << " in X";
      EXPECT_FALSE(moved_by(strided(in_x), dx, 0.5).finite) << bad << " in strided X";
    }
    // An overflow of the sum itself is caught too.
    const auto big = torch::full({2, 2}, static_cast<double>(std::numeric_limits<float>::max()), dtype);
    if (dtype == torch::kFloat32) EXPECT_FALSE(moved_by(big, big, 1.0).finite);
  }
}

}  // namespace
}  // namespace esvgd::test
