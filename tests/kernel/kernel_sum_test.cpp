// The fused pair sum out = exp(−cdist²/(2h²)) V against the dense formula, its exponential against
// std::exp, and its argument checks.
#include <cfloat>
#include <cstdio>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "kernel/kernel_sum.h"
#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

using kernel::exp_nonpositive;
using kernel::rbf_kernel_matmul;

/// The dense reference, always formed in float64 (so that it is also the reference for float32).
torch::Tensor dense(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V, double h) {
  auto a = A.to(torch::kFloat64), b = B.to(torch::kFloat64), v = V.to(torch::kFloat64);
  auto d2 = (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(-1);
  return torch::matmul(torch::exp(-d2 / (2 * h * h)), v);
}


struct Sizes {
  int64_t N, M, F, C;
};

// Odd sizes that are not multiples of the 256-column tile, M below one tile, and N = 1.
const Sizes kSizes[] = {{37, 517, 3, 5}, {5, 100, 2, 1}, {1, 300, 4, 3}, {64, 256, 1, 7}, {17, 1, 2, 2},
                        {33, 1025, 6, 4}};

TEST(KernelSum, MatchesDenseFloat64) {
  auto gen = make_gen(1);
  for (const auto& s : kSizes) {
    auto A = torch::randn({s.N, s.F}, gen, torch::kFloat64);
    auto B = torch::randn({s.M, s.F}, gen, torch::kFloat64);
    auto V = torch::randn({s.M, s.C}, gen, torch::kFloat64);
    for (double h : {0.3, 1.0, 2.5}) {
      auto out = rbf_kernel_matmul(A, B, V, h);
      ASSERT_EQ(out.sizes(), (std::vector<int64_t>{s.N, s.C}));
      ASSERT_EQ(out.scalar_type(), torch::kFloat64);
      // Both sides sum M products of O(1) terms; the exp is accurate to 4e-16, so the error is a few
      // ulp of the largest partial sum. Relative to max|out| (cancellation in V is possible, so
      // elementwise relative error is not meaningful), 1e-13 leaves a 100x margin.
      EXPECT_LT(rel_err(out, dense(A, B, V, h)), 1e-13) << "N=" << s.N << " M=" << s.M << " h=" << h;
    }
  }
}

TEST(KernelSum, MatchesDenseFloat32) {
  auto gen = make_gen(2);
  for (const auto& s : kSizes) {
    auto A = torch::randn({s.N, s.F}, gen, torch::kFloat64).to(torch::kFloat32);
    auto B = torch::randn({s.M, s.F}, gen, torch::kFloat64).to(torch::kFloat32);
    auto V = torch::randn({s.M, s.C}, gen, torch::kFloat64).to(torch::kFloat32);
    auto out = rbf_kernel_matmul(A, B, V, 1.0);
    ASSERT_EQ(out.scalar_type(), torch::kFloat32);
    // float32: the distance, exp and up to 1025 accumulated products each carry ~6e-8 relative
    // error; 1e-5 relative to max|out| is what float32 can promise for these sums.
    EXPECT_LT(rel_err(out.to(torch::kFloat64), dense(A, B, V, 1.0)), 1e-5) << "N=" << s.N << " M=" << s.M;
  }
}

TEST(KernelSum, NonContiguousInputsAndEmptyRows) {
  auto gen = make_gen(3);
  auto A = torch::randn({4, 40}, gen, torch::kFloat64).t();  // [40, 4], non-contiguous
  auto B = torch::randn({4, 300}, gen, torch::kFloat64).t();
  auto V = torch::randn({3, 300}, gen, torch::kFloat64).t();
  EXPECT_LT(rel_err(rbf_kernel_matmul(A, B, V, 0.8), dense(A, B, V, 0.8)), 1e-13);
  auto empty = rbf_kernel_matmul(torch::zeros({0, 4}, torch::kFloat64), B, V, 0.8);
  EXPECT_EQ(empty.sizes(), (std::vector<int64_t>{0, 3}));
}

TEST(KernelSum, IdenticalPointsGiveColumnSums) {
  // k = 1 exactly at zero distance: out = Σ_j V_j, a case with no rounding in the exponential.
  auto B = torch::zeros({300, 2}, torch::kFloat64);
  auto V = torch::arange(600, torch::kFloat64).view({300, 2});
  auto out = rbf_kernel_matmul(torch::zeros({3, 2}, torch::kFloat64), B, V, 1.0);
  EXPECT_TRUE(torch::equal(out, V.sum(0, true).expand({3, 2})));
}

// The symmetric mode (K = Kᵀ: each pair's exponential once) and the pair mode (K V_B and Kᵀ V_A
// from one exponential) against the dense products. Sizes straddle the 256 tile, so diagonal and
// off-diagonal tiles both occur; a bug in the diagonal bookkeeping double-counts or drops k_ii.
const int64_t kSymSizes[] = {1, 2, 37, 256, 257, 517};

TEST(KernelSum, SymmetricModeMatchesDense) {
  auto gen = make_gen(4);
  const double c = std::cos(0.7), s = std::sin(0.7);
  // A reflection (symmetric orthogonal): ‖a_i − R a_j‖ = ‖a_j − R a_i‖.
  auto F = torch::tensor({c, s, s, -c}, torch::kFloat64).view({2, 2});
  for (int64_t n : kSymSizes) {
    auto A = torch::randn({n, 2}, gen, torch::kFloat64);
    auto V = torch::randn({n, 3}, gen, torch::kFloat64);
    for (const auto& B : {A, -A, torch::matmul(A, F.t())}) {
      auto out = kernel::rbf_kernel_matmul_symmetric(A, B, V, 0.9);
      ASSERT_EQ(out.sizes(), (std::vector<int64_t>{n, 3}));
      EXPECT_LT(rel_err(out, dense(A, B, V, 0.9)), 1e-13) << "n=" << n;
    }
    auto out32 = kernel::rbf_kernel_matmul_symmetric(A.to(torch::kFloat32), A.to(torch::kFloat32),
                                                     V.to(torch::kFloat32), 0.9);
    EXPECT_LT(rel_err(out32.to(torch::kFloat64), dense(A, A, V, 0.9)), 1e-5) << "n=" << n;
  }
  expect_error([] {
    auto A = torch::ones({3, 2}, torch::kFloat64);
    kernel::rbf_kernel_matmul_symmetric(A, torch::ones({4, 2}, torch::kFloat64), torch::ones({4, 1}, torch::kFloat64),
                                        1.0);
  }, "as many rows");
}

TEST(KernelSum, PairModeMatchesDense) {
  auto gen = make_gen(5);
  for (int64_t n : {1, 37, 300}) {
    for (int64_t m : {1, 256, 517}) {
      auto A = torch::randn({n, 3}, gen, torch::kFloat64), B = torch::randn({m, 3}, gen, torch::kFloat64);
      auto VB = torch::randn({m, 4}, gen, torch::kFloat64), VA = torch::randn({n, 2}, gen, torch::kFloat64);
      auto [KV, KtV] = kernel::rbf_kernel_matmul_pair(A, B, VB, VA, 1.2);
      ASSERT_EQ(KV.sizes(), (std::vector<int64_t>{n, 4}));
      ASSERT_EQ(KtV.sizes(), (std::vector<int64_t>{m, 2}));
      EXPECT_LT(rel_err(KV, dense(A, B, VB, 1.2)), 1e-13) << n << "x" << m;
      EXPECT_LT(rel_err(KtV, dense(B, A, VA, 1.2)), 1e-13) << n << "x" << m;
    }
  }
  auto A = torch::ones({3, 2}, torch::kFloat64), B = torch::ones({4, 2}, torch::kFloat64);
  expect_error([&] { kernel::rbf_kernel_matmul_pair(A, B, torch::ones({4, 1}, torch::kFloat64),
                                                        torch::ones({2, 1}, torch::kFloat64), 1.0); }, "V_A");
}

TEST(KernelSum, ResultsDoNotDependOnThreadCount) {
  // Thread-local accumulators are summed at the end; the result must not change beyond rounding
  // with the number of intra-op threads (and must be bit-identical run to run for a fixed count).
  // Both engines: the pair loop (2 features) and the GEMM tiles (32).
  auto gen = make_gen(6);
  for (int64_t F : {2, 32}) {
    auto A = torch::randn({700, F}, gen, torch::kFloat64), V = torch::randn({700, 3}, gen, torch::kFloat64);
    const double h = 0.5 * std::sqrt(static_cast<double>(F));
    const int saved = at::get_num_threads();
    at::set_num_threads(1);
    auto one = kernel::rbf_kernel_matmul_symmetric(A, A, V, h);
    at::set_num_threads(std::max(2, saved));
    auto many = kernel::rbf_kernel_matmul_symmetric(A, A, V, h);
    auto again = kernel::rbf_kernel_matmul_symmetric(A, A, V, h);
    at::set_num_threads(saved);
    EXPECT_LT(rel_err(many, one), 1e-13) << F;
    EXPECT_TRUE(torch::equal(many, again)) << F;
  }
}

// exp_nonpositive: the polynomial exponential of the fused loop.
TEST(KernelSum, ExpNonpositiveDoubleAccuracy) {
  // Below -708 the function returns exactly 0 (documented in core/simd.h: exp(-708) = 3.3e-308
  // is the last value kept; below it results would approach the denormal range). Above, the header
  // promises a relative error < 5e-16 against the true exp; std::exp (glibc, < 1 ulp) is the reference.
  double worst = 0, worst_x = 0;
  const int64_t n = 2000000;
  for (int64_t k = 0; k <= n; ++k) {
    const double x = -708.0 * static_cast<double>(k) / n;
    const double ref = std::exp(x);
    const double err = std::abs(exp_nonpositive(x) - ref) / ref;
    if (err > worst) worst = err, worst_x = x;
  }
  // Also a dense sweep of [-1, 0], where the reduction n = 0 leaves the polynomial alone.
  for (int64_t k = 0; k <= 1000000; ++k) {
    const double x = -static_cast<double>(k) / 1000000;
    const double err = std::abs(exp_nonpositive(x) - std::exp(x)) / std::exp(x);
    if (err > worst) worst = err, worst_x = x;
  }
  std::printf("[ exp_nonpositive double ] max relative error %.3g at x = %.6f\n", worst, worst_x);
  EXPECT_LE(worst, 5e-16) << "worst at x = " << worst_x;
  EXPECT_EQ(exp_nonpositive(0.0), 1.0);
  EXPECT_EQ(exp_nonpositive(-0.0), 1.0);
  EXPECT_GT(exp_nonpositive(-708.0), 0.0);
  // The documented underflow: 0 below -708, including the range where std::exp is still normal.
  EXPECT_EQ(exp_nonpositive(-708.1), 0.0);
  EXPECT_GT(std::exp(-708.1), DBL_MIN);
  for (double x : {-709.0, -720.0, -745.0, -1e4, -std::numeric_limits<double>::infinity()})
    EXPECT_EQ(exp_nonpositive(x), 0.0) << x;
}

TEST(KernelSum, ExpNonpositiveFloatAccuracy) {
  // float: reference exp in double; the header promises < 2e-7 (1.7 float ulp at the top of a
  // binade); measured 1.7e-7.
  double worst = 0, worst_x = 0;
  const int64_t n = 2000000;
  for (int64_t k = 0; k <= n; ++k) {
    const float x = static_cast<float>(-87.0 * static_cast<double>(k) / n);
    const double ref = std::exp(static_cast<double>(x));
    const double err = std::abs(static_cast<double>(exp_nonpositive(x)) - ref) / ref;
    if (err > worst) worst = err, worst_x = x;
  }
  std::printf("[ exp_nonpositive float ] max relative error %.3g at x = %.6f\n", worst, worst_x);
  EXPECT_LT(worst, 2e-7) << "worst at x = " << worst_x;
  EXPECT_EQ(exp_nonpositive(0.0f), 1.0f);
  EXPECT_GT(exp_nonpositive(-87.0f), 0.0f);
  for (float x : {-87.5f, -100.0f, -104.0f, -std::numeric_limits<float>::infinity()})
    EXPECT_EQ(exp_nonpositive(x), 0.0f) << x;
}

TEST(KernelSum, FarPointsGiveExactZero) {
  // d²/(2h²) > 708: every weight underflows to 0, the sum must be exactly 0 (not NaN or denormal).
  auto A = torch::zeros({2, 1}, torch::kFloat64);
  auto B = torch::full({5, 1}, 40.0, torch::kFloat64);  // d²/2 = 800
  auto out = rbf_kernel_matmul(A, B, torch::ones({5, 1}, torch::kFloat64), 1.0);
  EXPECT_TRUE(torch::equal(out, torch::zeros({2, 1}, torch::kFloat64)));
}

// The Stein sums' pair loop (V with F + 1 columns, rows in vector lanes) skips a column whose weights
// underflow in every lane of a row block, and stops testing after a block where most columns were
// live. Columns come from three clusters 45 apart (d²/2 > 800 between clusters); rows either
// alternate between the first two (most columns live in some lanes, dead in others) or all sit in
// the first (two thirds of the columns dead in every block). The sums must equal the dense ones; an
// inf in a far column's V and a NaN row must still give NaN where the dense product does (0 · inf),
// and nowhere else.
TEST(KernelSum, ColumnsThatUnderflowInEveryRowAddNothing) {
  auto gen = make_gen(12);
  const int64_t N = 40, M = 96, F = 8;
  auto B = 0.3 * torch::randn({M, F}, gen, torch::kFloat64) + 45.0 * (torch::arange(M) % 3).unsqueeze(1);
  auto V = torch::randn({M, F + 1}, gen, torch::kFloat64);
  for (int64_t clusters : {2, 1}) {
    auto A = 0.3 * torch::randn({N, F}, gen, torch::kFloat64) + 45.0 * (torch::arange(N) % clusters).unsqueeze(1);
    for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
      const double tol = dtype == torch::kFloat64 ? 1e-13 : 1e-5;
      auto out = rbf_kernel_matmul(A.to(dtype), B.to(dtype), V.to(dtype), 1.0).to(torch::kFloat64);
      EXPECT_LT(rel_err(out, dense(A, B, V, 1.0)), tol) << dtype << ", rows in " << clusters << " clusters";
      auto Vinf = V.clone(), Anan = A.clone();
      Vinf[8][2] = std::numeric_limits<double>::infinity();  // column 8 is in the third cluster
      Anan[N - 1][0] = std::nan("");  // in the last row block: the first ones test their columns
      auto ref = dense(Anan, B, Vinf, 1.0);
      auto got = rbf_kernel_matmul(Anan.to(dtype), B.to(dtype), Vinf.to(dtype), 1.0).to(torch::kFloat64);
      ASSERT_GT(ref.isnan().sum().item<int64_t>(), 0);
      EXPECT_TRUE(torch::equal(got.isnan(), ref.isnan())) << dtype << ", rows in " << clusters << " clusters";
    }
  }
}

TEST(KernelSum, BadInputsThrow) {
  auto A = torch::ones({3, 2}, torch::kFloat64), B = torch::ones({4, 2}, torch::kFloat64);
  auto V = torch::ones({4, 1}, torch::kFloat64);
  expect_error([&] { rbf_kernel_matmul(A, B, V, 0.0); }, "bandwidth");
  expect_error([&] { rbf_kernel_matmul(A, B, V, -1.0); }, "bandwidth");
  expect_error([&] { rbf_kernel_matmul(A, B, V, std::nan("")); }, "bandwidth");
  expect_error([&] { rbf_kernel_matmul(A, B, V, std::numeric_limits<double>::infinity()); }, "bandwidth");
  expect_error([&] { rbf_kernel_matmul(A, torch::ones({4, 3}, torch::kFloat64), V, 1.0); }, "feature dimension");
  expect_error([&] { rbf_kernel_matmul(A, B, torch::ones({5, 1}, torch::kFloat64), 1.0); }, "one row per row of B");
  expect_error([&] { rbf_kernel_matmul(A, B, torch::ones({4}, torch::kFloat64), 1.0); }, "2-D");
  expect_error([&] { rbf_kernel_matmul(A.to(torch::kFloat32), B, V, 1.0); }, "dtype");
  expect_error([&] { rbf_kernel_matmul(A, B, V.to(torch::kFloat32), 1.0); }, "dtype");
  expect_error([&] { rbf_kernel_matmul(A.to(torch::kInt64), B.to(torch::kInt64), V.to(torch::kInt64), 1.0); },
               "float64 and float32");
  // The kernels' own bandwidth check.
  expect_error([] { kernel::RbfKernel k(0.0); }, "bandwidth");
  kernel::RbfKernel k(1.0);
  expect_error([&] { k.with_bandwidth(std::nan("")); }, "bandwidth");
  EXPECT_EQ(k.bandwidth(), 1.0);
}

// The pair loop is compiled per feature count (1, 2, 3, 4, 6, 8 fixed; others read at run time) and,
// for the Stein sums' V = [S − cY | 1], per column count F + 1 (lane sums in registers). Every
// combination, in every mode, small (one thread, one tile) and tiled, against the dense products.
TEST(KernelSum, EveryFeatureAndColumnCountMatchesDense) {
  auto gen = make_gen(10);
  for (int64_t F : {1, 2, 3, 4, 5, 6, 8, 12}) {
    for (int64_t C : {F + 1, int64_t{2}}) {
      for (int64_t n : {40, 300}) {
        auto A = torch::randn({n, F}, gen, torch::kFloat64), B = torch::randn({n + 13, F}, gen, torch::kFloat64);
        auto VB = torch::randn({n + 13, C}, gen, torch::kFloat64), VA = torch::randn({n, C}, gen, torch::kFloat64);
        const double h = 0.7 * std::sqrt(static_cast<double>(F));
        const std::string where = "F=" + std::to_string(F) + " C=" + std::to_string(C) + " n=" + std::to_string(n);
        EXPECT_LT(rel_err(rbf_kernel_matmul(A, B, VB, h), dense(A, B, VB, h)), 1e-13) << where;
        EXPECT_LT(rel_err(kernel::rbf_kernel_matmul_symmetric(A, A, VA, h), dense(A, A, VA, h)), 1e-13) << where;
        auto [KV, KtV] = kernel::rbf_kernel_matmul_pair(A, B, VB, VA, h);
        EXPECT_LT(rel_err(KV, dense(A, B, VB, h)), 1e-13) << where;
        EXPECT_LT(rel_err(KtV, dense(B, A, VA, h)), 1e-13) << where;
        auto out32 = rbf_kernel_matmul(A.to(torch::kFloat32), B.to(torch::kFloat32), VB.to(torch::kFloat32), h);
        EXPECT_LT(rel_err(out32.to(torch::kFloat64), dense(A, B, VB, h)), 1e-5) << where;
      }
    }
  }
}

// The GEMM path (F ≥ 16) over several 256-row tiles: diagonal and off-diagonal tiles of the symmetric
// mode, both products of the pair mode, float32, and the per-thread workspace reused by calls of
// different sizes in a row (stale sums from a larger call must not leak into a smaller one).
TEST(KernelSum, GemmTilesMatchDenseAcrossTilesAndCalls) {
  auto gen = make_gen(11);
  for (int64_t n : {600, 300, 600, 17}) {
    auto A = torch::randn({n, 20}, gen, torch::kFloat64), B = torch::randn({n + 150, 20}, gen, torch::kFloat64);
    auto VB = torch::randn({n + 150, 5}, gen, torch::kFloat64), VA = torch::randn({n, 3}, gen, torch::kFloat64);
    const double h = 4.0;
    // GEMM distances |a|² + |b|² − 2a·b lose ~1e-15·|a|² absolutely: relative 1e-11 is ample.
    EXPECT_LT(rel_err(rbf_kernel_matmul(A, B, VB, h), dense(A, B, VB, h)), 1e-11) << n;
    EXPECT_LT(rel_err(kernel::rbf_kernel_matmul_symmetric(A, A, VA, h), dense(A, A, VA, h)), 1e-11) << n;
    auto [KV, KtV] = kernel::rbf_kernel_matmul_pair(A, B, VB, VA, h);
    EXPECT_LT(rel_err(KV, dense(A, B, VB, h)), 1e-11) << n;
    EXPECT_LT(rel_err(KtV, dense(B, A, VA, h)), 1e-11) << n;
    auto out32 = kernel::rbf_kernel_matmul_symmetric(A.to(torch::kFloat32), A.to(torch::kFloat32),
                                                     VA.to(torch::kFloat32), h);
    EXPECT_LT(rel_err(out32.to(torch::kFloat64), dense(A, A, VA, h)), 1e-5) << n;
  }
}

// Inputs that autograd must differentiate through take the tensor-op path (the fused loops read raw
// memory): the gradient of Σ (K V) with respect to A must match the dense formula's.
TEST(KernelSum, InputsThatNeedGradientsAreDifferentiable) {
  auto gen = make_gen(13);
  for (int64_t F : {3, 20}) {
    auto A = torch::randn({30, F}, gen, torch::kFloat64).requires_grad_(true);
    auto B = torch::randn({40, F}, gen, torch::kFloat64), V = torch::randn({40, 2}, gen, torch::kFloat64);
    auto g = torch::autograd::grad({rbf_kernel_matmul(A, B, V, 2.0).sum()}, {A})[0];
    auto g_dense = torch::autograd::grad({dense(A, B, V, 2.0).sum()}, {A})[0];
    EXPECT_LT(rel_err(g, g_dense), 1e-11) << F;
  }
}

// The exponential over an array (the benchmarks' floor) is the pair loop's exponential (the vector
// clones may contract into FMAs where the scalar build does not: a few ulp apart at most).
TEST(KernelSum, ExpArrayMatchesScalar) {
  std::vector<double> x(1000), y(1000);
  std::vector<float> xf(1000), yf(1000);
  for (int e = 0; e < 1000; ++e) xf[e] = static_cast<float>(x[e] = -0.75 * e);
  kernel::exp_nonpositive(x.data(), y.data(), 1000);
  kernel::exp_nonpositive(xf.data(), yf.data(), 1000);
  for (int e = 0; e < 1000; ++e) {
    EXPECT_LE(std::abs(y[e] - exp_nonpositive(x[e])), 1e-15 * exp_nonpositive(x[e])) << x[e];
    EXPECT_LE(std::abs(yf[e] - exp_nonpositive(xf[e])), 3e-7f * exp_nonpositive(xf[e])) << xf[e];
  }
}

}  // namespace
}  // namespace esvgd::test
