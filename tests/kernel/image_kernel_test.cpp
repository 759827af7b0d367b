// The C4-averaged RBF on images: the permutation (gather) path of GroupAveragedKernel against the
// dense formula, in both repulsion forms, and its invariance k(ρ_a x, ρ_b y) = k(x, y).
#include "test_util.h"

#include "esvgd/group/cyclic.h"
#include "esvgd/group/image_rotation_group.h"

namespace esvgd::test {
namespace {

/// The file comment of kernel/group_averaged.h, written out with dense matrices.
torch::Tensor dense_phi(const torch::Tensor& R, const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                        double T, double h, bool textbook) {
  const int64_t G = R.size(0), M = Y.size(0);
  auto phi = torch::zeros_like(X);
  for (int64_t g = 0; g < G; ++g) {
    auto Xg = torch::matmul(X, R[g]);  // rows R_gᵀ x_i
    auto diff = Xg.unsqueeze(1) - Y.unsqueeze(0);  // [N, M, D]
    auto k = torch::exp(-diff.square().sum(2) / (2 * h * h));
    auto rep = textbook ? diff : X.unsqueeze(1) - torch::matmul(Y, R[g].t()).unsqueeze(0);
    phi += torch::matmul(k, S) + (T / (h * h)) * (k.unsqueeze(2) * rep).sum(1);
  }
  return phi / static_cast<double>(M * G);
}

TEST(ImageKernel, GatherPathMatchesDenseFormula) {
  group::ImageRotationGroup G(6);
  auto gen = make_gen(1);
  const double h = 1.5;
  auto X = torch::rand({5, 36}, gen, torch::kFloat64);
  auto Y = torch::cat({X, torch::rand({3, 36}, gen, torch::kFloat64)});
  Y.narrow(0, 5, 1).copy_(G.rotate(X.narrow(0, 0, 1), 1) + 0.01);  // an almost-rotated copy couples strongly
  auto S = torch::randn({8, 36}, gen, torch::kFloat64);
  for (auto form : {kernel::RepulsionForm::kTextbook, kernel::RepulsionForm::kReference}) {
    kernel::GroupAveragedKernel k(G, h, form, 0, gen);
    const bool textbook = form == kernel::RepulsionForm::kTextbook;
    auto expected = dense_phi(G.elements(), X, Y, S, 2.0, h, textbook);
    EXPECT_LT(rel_err(k.phi(X, Y, S, 2.0), expected), 1e-12) << k.name();
    EXPECT_LT(rel_err(k.phi(X.to(torch::kFloat32), Y.to(torch::kFloat32), S.to(torch::kFloat32), 2.0), expected), 1e-5);
  }
}

TEST(ImageKernel, GramMatchesTheGroupAverageOfTheRbf) {
  // gram() by the gather path (images) and the matrix path (C4 on the plane): mean_g k(a, R_g b).
  group::ImageRotationGroup images(6);
  auto gen = make_gen(3);
  for (const auto& [R, D] : {std::pair{images.elements(), int64_t{36}}, std::pair{group::CyclicGroup(4).elements(), int64_t{2}}}) {
    kernel::GroupAveragedKernel k(R, 1.3, kernel::RepulsionForm::kTextbook, "test");
    auto A = torch::rand({4, D}, gen, torch::kFloat64), B = torch::cat({A, torch::rand({3, D}, gen, torch::kFloat64)});
    auto expected = torch::zeros({4, 7}, torch::kFloat64);
    for (int64_t g = 0; g < R.size(0); ++g) {
      const auto diff = A.unsqueeze(1) - torch::matmul(B, R[g].t()).unsqueeze(0);  // a − R_g b
      expected += torch::exp(-diff.square().sum(2) / (2 * 1.3 * 1.3)) / static_cast<double>(R.size(0));
    }
    EXPECT_LT(rel_err(k.gram(A, B), expected), 1e-12) << "D = " << D;
  }
}

TEST(ImageKernel, InvariantUnderSeparateRotations) {
  group::ImageRotationGroup G(6);
  auto gen = make_gen(2);
  kernel::GroupAveragedKernel k(G, 2.0, kernel::RepulsionForm::kReference, 0, gen);
  EXPECT_EQ(k.name(), "group-averaged(C4(6x6),reference)");
  auto A = torch::rand({4, 36}, gen, torch::kFloat64), B = torch::rand({3, 36}, gen, torch::kFloat64);
  auto K = k.gram(A, B);
  for (int64_t a = 0; a < 4; ++a)
    for (int64_t b = 0; b < 4; ++b) EXPECT_LT(rel_err(k.gram(G.rotate(A, a), G.rotate(B, b)), K), 1e-12);
  // A rotated copy is as close as the image itself.
  EXPECT_NEAR(k.gram(A.narrow(0, 0, 1), G.rotate(A.narrow(0, 0, 1), 3)).item<double>(),
              k.gram(A.narrow(0, 0, 1), A.narrow(0, 0, 1)).item<double>(), 1e-15);
}

}  // namespace
}  // namespace esvgd::test
