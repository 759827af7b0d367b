// The median heuristic: exact lower median of the pairwise kernel distances, the subsampled median,
// and h = sqrt(med / (2 log(N + 1))).
#include <algorithm>
#include <cstdio>

#include "esvgd/kernel/median.h"
#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

using kernel::median_bandwidth;
using kernel::median_sq_distance;

/// Brute force: all pairs i < j through the kernel's pair_sq_dist, sorted, element ⌊(P−1)/2⌋.
double brute_median(const kernel::Kernel& k, const torch::Tensor& X) {
  const int64_t N = X.size(0);
  std::vector<int64_t> ii, jj;
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = i + 1; j < N; ++j) ii.push_back(i), jj.push_back(j);
  auto d2 = k.pair_sq_dist(X.index_select(0, torch::tensor(ii)), X.index_select(0, torch::tensor(jj)));
  std::vector<double> v(d2.data_ptr<double>(), d2.data_ptr<double>() + d2.numel());
  std::sort(v.begin(), v.end());
  return v[(v.size() - 1) / 2];
}

TEST(Median, HandCaseLowerMedian) {
  // Points 0, 1, 3, 7 on a line: squared distances 1, 9, 49, 4, 36, 16 → sorted 1 4 9 16 36 49;
  // P = 6, the lower median is element 2 = 9 (the upper would be 16, the mean 12.5).
  auto X = torch::tensor({0.0, 0.0, 1.0, 0.0, 3.0, 0.0, 7.0, 0.0}, torch::kFloat64).view({4, 2});
  kernel::RbfKernel k(1.0);
  auto gen = make_gen(1);
  EXPECT_EQ(median_sq_distance(k, X, 100000, gen), 9.0);
  // P = 10 (odd count minus one): add 15 → new distances 225, 196, 144, 64; sorted
  // 1 4 9 16 36 49 64 144 196 225, element 4 = 36.
  auto X5 = torch::cat({X, torch::tensor({15.0, 0.0}, torch::kFloat64).view({1, 2})});
  EXPECT_EQ(median_sq_distance(k, X5, 100000, gen), 36.0);
  EXPECT_DOUBLE_EQ(median_bandwidth(k, X5, 100000, gen), std::sqrt(36.0 / (2 * std::log(6.0))));
}

TEST(Median, ExactEqualsBruteForceForEveryKernelGeometry) {
  auto gen = make_gen(61);
  auto X = c4_target().sample(57, gen);  // P = 1596 pairs, exact path
  std::vector<std::shared_ptr<kernel::Kernel>> kernels{
      std::make_shared<kernel::RbfKernel>(1.0),
      std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(4), 1.0, "C4"),
      std::make_shared<kernel::GroupAveragedKernel>(cn_elements(4), 1.0, kernel::RepulsionForm::kTextbook, "C4"),
      std::make_shared<kernel::So2OrbitKernel>(1.0),
      std::make_shared<kernel::InvariantFeatureKernel>(std::make_shared<kernel::RadiusMap>(), 1.0,
                                                       kernel::RepulsionForm::kTextbook),
  };
  for (const auto& k : kernels) {
    // Exact: the same distances, selected by sorting instead of kthvalue.
    EXPECT_EQ(median_sq_distance(*k, X, 100000, gen), brute_median(*k, X)) << k->name();
  }
  // The geometry itself, by plain arithmetic: RBF ‖a − b‖²; orbit min_g ‖a − R_g b‖²; SO(2) and
  // radius (|a| − |b|)².
  auto G = cn_elements(4);
  for (int64_t i = 0; i < 5; ++i) {
    auto a = X[i], b = X[i + 10];
    const double ax = a[0].item<double>(), ay = a[1].item<double>(), bx = b[0].item<double>(),
                 by = b[1].item<double>();
    const double plain = (ax - bx) * (ax - bx) + (ay - by) * (ay - by);
    // C4 images of b: (bx, by), (−by, bx), (−bx, −by), (by, −bx).
    const double imgs[4][2] = {{bx, by}, {-by, bx}, {-bx, -by}, {by, -bx}};
    double orbit = 1e300;
    for (const auto& im : imgs)
      orbit = std::min(orbit, (ax - im[0]) * (ax - im[0]) + (ay - im[1]) * (ay - im[1]));
    const double radial = std::pow(std::hypot(ax, ay) - std::hypot(bx, by), 2);
    auto A = a.unsqueeze(0), B = b.unsqueeze(0);
    EXPECT_EQ(kernels[0]->pair_sq_dist(A, B).item<double>(), plain);
    EXPECT_NEAR(kernels[1]->pair_sq_dist(A, B).item<double>(), orbit, 1e-12 * (1 + orbit));
    EXPECT_NEAR(kernels[2]->pair_sq_dist(A, B).item<double>(), orbit, 1e-12 * (1 + orbit));
    EXPECT_NEAR(kernels[3]->pair_sq_dist(A, B).item<double>(), radial, 1e-12 * (1 + radial));
    EXPECT_NEAR(kernels[4]->pair_sq_dist(A, B).item<double>(), radial, 1e-12 * (1 + radial));
  }
}

TEST(Median, SubsampledMedianIsClose) {
  auto gen = make_gen(62);
  // RBF on N = 3000 (4.5e6 pairs; the exact median needs ~0.3 GB); the orbit geometry on N = 1000
  // (5e5 pairs; its exact path holds |G| images of every pair).
  std::vector<std::pair<std::shared_ptr<kernel::Kernel>, int64_t>> cases{
      {std::make_shared<kernel::RbfKernel>(1.0), 3000},
      {std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(4), 1.0, "C4"), 1000}};
  for (const auto& [k, n] : cases) {
    auto X = c4_target().sample(n, gen);
    auto g0 = make_gen(0);
    const double exact = median_sq_distance(*k, X, n * (n - 1) / 2, g0);
    auto g1 = make_gen(7);
    const double sub = median_sq_distance(*k, X, 100000, g1);
    const double rel = std::abs(sub - exact) / exact;
    std::printf("[ %s ] subsampled median (1e5 of %lld pairs): relative error %.2e\n", k->name().c_str(),
                static_cast<long long>(n * (n - 1) / 2), rel);
    // The sample median of n = 1e5 draws has relative sd ≈ 1/(2 f(m) m √n) ~ 0.3% here; 3% is ~10 sd.
    EXPECT_LT(rel, 0.03) << k->name();
    // Same seed, same value; another seed, (almost surely) another value.
    auto g2 = make_gen(7);
    EXPECT_EQ(median_sq_distance(*k, X, 100000, g2), sub);
    auto g3 = make_gen(8);
    EXPECT_NE(median_sq_distance(*k, X, 100000, g3), sub);
    auto g4 = make_gen(7), g5 = make_gen(7);
    EXPECT_EQ(median_bandwidth(*k, X, 100000, g4), median_bandwidth(*k, X, 100000, g5));
  }
}

TEST(Median, BandwidthFormulaAndDegenerateCases) {
  auto gen = make_gen(63);
  auto X = torch::randn({40, 3}, gen, torch::kFloat64);
  kernel::RbfKernel k(1.0);
  auto g1 = make_gen(0), g2 = make_gen(0);
  const double med = median_sq_distance(k, X, 100000, g1);
  EXPECT_DOUBLE_EQ(median_bandwidth(k, X, 100000, g2), std::sqrt(med / (2 * std::log(41.0))));
  // All particles equal: h = 0 (documented: callers keep their h).
  EXPECT_EQ(median_bandwidth(k, torch::ones({5, 3}, torch::kFloat64), 100000, gen), 0.0);
  // N < 2 and max_pairs < 1 are errors.
  EXPECT_THROW(median_sq_distance(k, torch::ones({1, 3}, torch::kFloat64), 10, gen), esvgd::Error);
  EXPECT_THROW(median_sq_distance(k, X, 0, gen), esvgd::Error);
}

}  // namespace
}  // namespace esvgd::test
