// Separate invariance of the orbit kernels as functions (docs/method.md, "Three orbit kernels"): scalar kernels satisfy
// k(R_a x, R_b y) = k(x, y) for independent a, b; matrix kernels K(R_a x, R_b y) = R_a K(x, y) R_bᵀ.
#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

// gram() evaluates each entry by a handful of flops; rotating the inputs perturbs them by a few ulp.
constexpr double kInvarianceTol = 1e-12;

torch::Tensor random_c4(at::Generator& gen) {
  return cn_elements(4)[torch::randint(4, {1}, gen, torch::kLong).item<int64_t>()];
}

/// Applies a possibly different transformation to every row: Rs [N, D, D].
torch::Tensor act_rows(const torch::Tensor& Rs, const torch::Tensor& X) {
  return torch::matmul(Rs, X.unsqueeze(-1)).squeeze(-1);
}

TEST(Invariance, GroupAveragedScalarKernelIsSeparatelyInvariant) {
  auto gen = make_gen(21);
  for (auto form : {kernel::RepulsionForm::kTextbook, kernel::RepulsionForm::kReference}) {
    kernel::GroupAveragedKernel k(cn_elements(4), 1.0, form, "C4");
    auto A = c4_target().sample(9, gen), B = c4_target().sample(7, gen);
    auto K = k.gram(A, B);
    ASSERT_EQ(K.sizes(), (std::vector<int64_t>{9, 7}));
    ASSERT_GT(K.max().item<double>(), 1e-3);
    // A different random group element for every row of A and of B.
    std::vector<torch::Tensor> ra, rb;
    for (int i = 0; i < 9; ++i) ra.push_back(random_c4(gen));
    for (int i = 0; i < 7; ++i) rb.push_back(random_c4(gen));
    auto K2 = k.gram(act_rows(torch::stack(ra), A), act_rows(torch::stack(rb), B));
    EXPECT_LT(rel_err(K2, K), kInvarianceTol);
    // Symmetric, since C4 is closed under inverses.
    EXPECT_LT(rel_err(k.gram(B, A).t(), K), kInvarianceTol);
  }
  // Not invariant under a rotation outside the group (so the check can fail).
  kernel::GroupAveragedKernel k(cn_elements(4), 1.0, kernel::RepulsionForm::kTextbook, "C4");
  auto A = c4_target().sample(5, gen);
  EXPECT_GT(rel_err(k.gram(group::act(group::rotation_2d(0.4), A), A), k.gram(A, A)), 1e-3);
}

TEST(Invariance, RadiusKernelIsSeparatelyInvariant) {
  auto gen = make_gen(22);
  for (int64_t dim : {2, 3}) {
    group::OrthogonalGroup o(dim, false);
    kernel::InvariantFeatureKernel k(std::make_shared<kernel::RadiusMap>(), 0.9, kernel::RepulsionForm::kTextbook);
    auto A = torch::randn({8, dim}, gen, torch::kFloat64) * 2, B = torch::randn({6, dim}, gen, torch::kFloat64) * 2;
    std::vector<torch::Tensor> ra, rb;
    for (int i = 0; i < 8; ++i) ra.push_back(o.random_element(gen));
    for (int i = 0; i < 6; ++i) rb.push_back(o.random_element(gen));
    auto K = k.gram(A, B);
    EXPECT_LT(rel_err(k.gram(act_rows(torch::stack(ra), A), act_rows(torch::stack(rb), B)), K), kInvarianceTol) << dim;
    // And it is the RBF of the radii.
    auto ref = torch::exp(-(A.norm(2, 1).unsqueeze(1) - B.norm(2, 1).unsqueeze(0)).pow(2) / (2 * 0.81));
    EXPECT_LT(rel_err(K, ref), 1e-14);
  }
}

/// K(R_a x, R_b y) against R_a K(x, y) R_bᵀ for per-row transformations.
void expect_matrix_invariance(const kernel::Kernel& k, const torch::Tensor& A, const torch::Tensor& B,
                              const torch::Tensor& Ra, const torch::Tensor& Rb) {
  auto K = k.gram(A, B);  // [N, M, D, D]
  ASSERT_EQ(K.dim(), 4);
  ASSERT_GT(max_abs(K), 1e-3);
  auto K2 = k.gram(act_rows(Ra, A), act_rows(Rb, B));
  auto expect = torch::matmul(torch::matmul(Ra.unsqueeze(1), K), Rb.transpose(1, 2).unsqueeze(0));
  EXPECT_LT(rel_err(K2, expect), kInvarianceTol) << k.name();
  // Also the symmetry of a matrix kernel: K(x, y)ᵀ = K(y, x).
  EXPECT_LT(rel_err(k.gram(B, A).permute({1, 0, 3, 2}), K), kInvarianceTol) << k.name();
}

TEST(Invariance, OrbitMatrixC4Kernel) {
  auto gen = make_gen(23);
  kernel::OrbitMatrixKernel k(cn_elements(4), 1.0, "C4");
  auto A = c4_target().sample(7, gen), B = c4_target().sample(5, gen);
  std::vector<torch::Tensor> ra, rb;
  for (int i = 0; i < 7; ++i) ra.push_back(random_c4(gen));
  for (int i = 0; i < 5; ++i) rb.push_back(random_c4(gen));
  expect_matrix_invariance(k, A, B, torch::stack(ra), torch::stack(rb));
  // The definition: K(x, y) = ¼ Σ_g k(x, R_g y) R_g.
  auto G = cn_elements(4);
  auto K = k.gram(A, B);
  for (int64_t i : {0, 6})
    for (int64_t j : {0, 4}) {
      auto ref = torch::zeros({2, 2}, torch::kFloat64);
      for (int64_t g = 0; g < 4; ++g) {
        auto d = A[i] - torch::matmul(G[g], B[j]);
        ref += torch::exp(-d.dot(d) / 2.0) * G[g] / 4.0;
      }
      EXPECT_LT(rel_err(K[i][j], ref), 1e-13);
    }
}

TEST(Invariance, So2OrbitKernel) {
  auto gen = make_gen(24);
  kernel::So2OrbitKernel k(0.8);
  group::OrthogonalGroup so2(2, true);
  auto A = rings_target().sample(7, gen), B = rings_target().sample(5, gen);
  std::vector<torch::Tensor> ra, rb;
  for (int i = 0; i < 7; ++i) ra.push_back(so2.random_element(gen));
  for (int i = 0; i < 5; ++i) rb.push_back(so2.random_element(gen));
  expect_matrix_invariance(k, A, B, torch::stack(ra), torch::stack(rb));
}

}  // namespace
}  // namespace esvgd::test
