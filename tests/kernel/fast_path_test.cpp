// The fast paths of RbfKernel and OrbitMatrixKernel (symmetric and pair kernel sums, taken when
// there are no anchors) against their general path.
#include "kernel/kernel_sum.h"
#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

// With Y = X the kernels take the symmetric/pair fast path; with Y a copy of X (a different tensor)
// they take the general path. Both must agree.
TEST(KernelSumModes, FastPathsEqualGeneralPath) {
  auto gen = make_gen(8);
  auto X = 2.0 * torch::randn({300, 2}, gen, torch::kFloat64);
  auto S = c4_target().score(X);
  auto copy = X.clone();
  for (const std::shared_ptr<kernel::Kernel>& k :
       {std::shared_ptr<kernel::Kernel>(std::make_shared<kernel::RbfKernel>(0.8)),
        std::shared_ptr<kernel::Kernel>(std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(4), 0.8, "C4")),
        std::shared_ptr<kernel::Kernel>(std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(5), 0.8, "C5"))}) {
    EXPECT_LT(rel_err(k->phi(X, X, S, 1.0), k->phi(X, copy, S, 1.0)), 1e-12) << k->name();
  }
}

// From 16 features on the sum goes through GEMM-based distances; it must agree with the dense form.
TEST(KernelSumModes, GemmPathForManyFeatures) {
  auto gen = make_gen(9);
  auto A = torch::randn({70, 20}, gen, torch::kFloat64), B = torch::randn({90, 20}, gen, torch::kFloat64);
  auto VB = torch::randn({90, 3}, gen, torch::kFloat64), VA = torch::randn({70, 2}, gen, torch::kFloat64);
  const double h = 3.0;
  auto K = torch::exp(-(A.unsqueeze(1) - B.unsqueeze(0)).pow(2).sum(-1) / (2 * h * h));
  // GEMM distances |a|² + |b|² − 2a·b lose ~1e-15·|a|² absolutely: relative 1e-11 is ample.
  EXPECT_LT(rel_err(kernel::rbf_kernel_matmul(A, B, VB, h), torch::matmul(K, VB)), 1e-11);
  auto [KVB, KtVA] = kernel::rbf_kernel_matmul_pair(A, B, VB, VA, h);
  EXPECT_LT(rel_err(KVB, torch::matmul(K, VB)), 1e-11);
  EXPECT_LT(rel_err(KtVA, torch::matmul(K.t(), VA)), 1e-11);
  auto Kaa = torch::exp(-(A.unsqueeze(1) - A.unsqueeze(0)).pow(2).sum(-1) / (2 * h * h));
  auto VAA = torch::randn({70, 3}, gen, torch::kFloat64);
  EXPECT_LT(rel_err(kernel::rbf_kernel_matmul_symmetric(A, A, VAA, h), torch::matmul(Kaa, VAA)), 1e-11);
}

// The direct Stein sum fills its last result again only when the caller dropped it.
TEST(KernelSumModes, DirectSteinDirectionsKeptByTheCallerStayIntact) {
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    auto gen = make_gen(10);
    auto X = torch::randn({40, 3}, gen, torch::kFloat64).to(dtype);
    auto Y = torch::randn({60, 3}, gen, torch::kFloat64).to(dtype);
    auto S = torch::randn({60, 3}, gen, torch::kFloat64).to(dtype);
    ASSERT_TRUE(kernel::rbf_stein_direct_applies(X, Y));
    auto first = kernel::rbf_stein_direct(X, Y, S, 1.0, 0.8);
    const auto first_values = first.clone();
    auto second = kernel::rbf_stein_direct(X + 1, Y, S, 1.0, 0.8);
    EXPECT_NE(second.data_ptr(), first.data_ptr());
    EXPECT_TRUE(torch::equal(first, first_values)) << dtype;
    const auto second_values = second.clone();
    const void* memory = second.data_ptr();
    first = second = torch::Tensor();
    auto third = kernel::rbf_stein_direct(X + 1, Y, S, 1.0, 0.8);
    EXPECT_EQ(third.data_ptr(), memory) << "a dropped result is filled again";
    EXPECT_TRUE(torch::equal(third, second_values)) << dtype;
  }
}

}  // namespace
}  // namespace esvgd::test
