// The two terms of φ against the kernel as a function (gram()): the repulsion against autograd and
// central finite differences of gram(), the driving term against gram() · S.
//
//   textbook, scalar:  φ|_{S=0} = (T/M) Σ_j ∇_{y_j} k(y_j, x_i)
//   textbook, matrix:  φ|_{S=0} = (T/M) Σ_j div_{y_j} K(x_i, y_j),  (div_y K)_a = Σ_b ∂K_ab/∂y_b
//   reference:         φ|_{S=0} = −(T/(2M)) ∇_{x_i} Σ_j [k(x_i, y_j) + k(y_j, x_i)]   (y held fixed)
//   any:               φ|_{T=0} = (1/M) Σ_j K(x_i, y_j) s_j
#include <torch/autograd.h>
#include <torch/utils.h>

#include "kernel/test_util.h"

namespace esvgd::test {
namespace {

// φ and the autograd/gram() references are both exact formulas evaluated in float64 with O(M)
// terms; they agree to a few ulp of max|φ|. 1e-12 leaves a margin; a wrong factor (2, T, 1/|G|) or
// a wrong sign fails by O(1).
constexpr double kGradientTol = 1e-12;

torch::Tensor scalar_textbook_repulsion(const kernel::Kernel& k, const torch::Tensor& X, const torch::Tensor& Y,
                                        double T) {
  torch::AutoGradMode on(true);
  auto Yv = Y.detach().clone().requires_grad_(true);
  auto K = k.gram(Yv, X.detach());  // [M, N]: k(y_j, x_i)
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < X.size(0); ++i) {
    auto g = torch::autograd::grad({K.select(1, i).sum()}, {Yv}, {}, /*retain_graph=*/true)[0];
    rows.push_back(g.sum(0));
  }
  return torch::stack(rows) * (T / static_cast<double>(Y.size(0)));
}

torch::Tensor matrix_divergence_autograd(const kernel::Kernel& k, const torch::Tensor& X, const torch::Tensor& Y,
                                         double T) {
  torch::AutoGradMode on(true);
  const int64_t N = X.size(0), D = X.size(1);
  auto Yv = Y.detach().clone().requires_grad_(true);
  auto K = k.gram(X.detach(), Yv);  // [N, M, D, D]
  auto out = torch::zeros({N, D}, torch::kFloat64);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t a = 0; a < D; ++a)
      for (int64_t b = 0; b < D; ++b) {
        auto g = torch::autograd::grad({K.select(0, i).select(-2, a).select(-1, b).sum()}, {Yv}, {}, true)[0];
        out[i][a] += g.select(1, b).sum();
      }
  return out * (T / static_cast<double>(Y.size(0)));
}

torch::Tensor matrix_divergence_fd(const kernel::Kernel& k, const torch::Tensor& X, const torch::Tensor& Y,
                                   double T, double delta) {
  const int64_t N = X.size(0), D = X.size(1);
  auto out = torch::zeros({N, D}, torch::kFloat64);
  for (int64_t b = 0; b < D; ++b) {
    auto e = torch::zeros({D}, torch::kFloat64);
    e[b] = delta;
    auto dK = (k.gram(X, Y + e) - k.gram(X, Y - e)) / (2 * delta);  // [N, M, D, D]: ∂/∂y_b of K(x_i, y_j)
    out += dK.select(-1, b).sum(1);
  }
  return out * (T / static_cast<double>(Y.size(0)));
}

torch::Tensor reference_repulsion(const kernel::Kernel& k, const torch::Tensor& X, const torch::Tensor& Y,
                                  double T) {
  torch::AutoGradMode on(true);
  auto Xv = X.detach().clone().requires_grad_(true);
  auto Yd = Y.detach();
  auto total = k.gram(Xv, Yd).sum() + k.gram(Yd, Xv).sum();  // row i depends on x_i only
  auto g = torch::autograd::grad({total}, {Xv})[0];
  return -g * (T / (2.0 * static_cast<double>(Y.size(0))));
}

torch::Tensor driving(const kernel::Kernel& k, const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S) {
  auto K = k.gram(X, Y);
  const double M = static_cast<double>(Y.size(0));
  if (k.is_matrix_valued()) return torch::einsum("nmab,mb->na", {K, S}) / M;
  return torch::matmul(K, S) / M;
}

struct Points {
  torch::Tensor X, Y, S;
};

Points points_for(const target::Target& t, int64_t n, int64_t anchors, at::Generator& gen) {
  auto X = t.sample(n, gen);
  auto Y = torch::cat({X, t.sample(anchors, gen)});
  return {X, Y, t.score(Y)};
}

TEST(Gradient, ScalarTextbookRepulsionIsGradientOfSourceArgument) {
  using kernel::RepulsionForm;
  auto gen = make_gen(41);
  auto radius = std::make_shared<kernel::RadiusMap>();
  std::vector<std::pair<std::shared_ptr<kernel::Kernel>, const target::Target*>> cases{
      {std::make_shared<kernel::RbfKernel>(0.9), &c4_target()},
      {std::make_shared<kernel::GroupAveragedKernel>(cn_elements(4), 0.9, RepulsionForm::kTextbook, "C4"),
       &c4_target()},
      {std::make_shared<kernel::GroupAveragedKernel>(cn_elements(6), 1.4, RepulsionForm::kTextbook, "C6"),
       &rings_target()},
      {std::make_shared<kernel::InvariantFeatureKernel>(radius, 0.6, RepulsionForm::kTextbook), &rings_target()},
      {std::make_shared<kernel::InvariantFeatureKernel>(radius, 0.6, RepulsionForm::kTextbook), &spheres_target()},
  };
  for (const auto& [k, t] : cases) {
    auto p = points_for(*t, 9, 4, gen);
    for (double T : {1.0, 2.0}) {
      auto phi = k->phi(p.X, p.Y, torch::zeros_like(p.S), T);
      auto ref = scalar_textbook_repulsion(*k, p.X, p.Y, T);
      ASSERT_GT(max_abs(ref), 1e-3) << k->name();
      EXPECT_LT(rel_err(phi, ref), kGradientTol) << k->name() << " T=" << T;
    }
  }
}

TEST(Gradient, MatrixKernelRepulsionIsDivergence) {
  auto gen = make_gen(42);
  std::vector<std::pair<std::shared_ptr<kernel::Kernel>, const target::Target*>> cases{
      {std::make_shared<kernel::OrbitMatrixKernel>(cn_elements(4), 0.9, "C4"), &c4_target()},
      {std::make_shared<kernel::So2OrbitKernel>(0.7), &rings_target()},
      {std::make_shared<kernel::OrbitMatrixKernel>(cube_rotations(), 0.8, "O"), &spheres_target()},
      {std::make_shared<kernel::So3OrbitKernel>(0.8), &spheres_target()},
      {std::make_shared<kernel::So3OrbitKernel>(0.3), &spheres_target()},
  };
  for (const auto& [k, t] : cases) {
    auto p = points_for(*t, 7, 3, gen);
    auto phi = k->phi(p.X, p.Y, torch::zeros_like(p.S), 1.0);
    auto ad = matrix_divergence_autograd(*k, p.X, p.Y, 1.0);
    ASSERT_GT(max_abs(ad), 1e-3) << k->name();
    EXPECT_LT(rel_err(phi, ad), kGradientTol) << k->name();
    // Central differences, step 1e-5: truncation ~δ²·|K'''| ~ 1e-10, rounding ~1e-16/δ ~ 1e-11.
    EXPECT_LT(rel_err(phi, matrix_divergence_fd(*k, p.X, p.Y, 1.0, 1e-5)), 1e-8) << k->name();
    EXPECT_LT(rel_err(k->phi(p.X, p.Y, torch::zeros_like(p.S), 2.0), 2.0 * ad), kGradientTol) << k->name();
  }
}

TEST(Gradient, ScalarRepulsionAgreesWithFiniteDifferences) {
  // An independent check of the autograd reference itself, on the group-averaged kernel.
  auto gen = make_gen(43);
  kernel::GroupAveragedKernel k(cn_elements(4), 0.9, kernel::RepulsionForm::kTextbook, "C4");
  auto p = points_for(c4_target(), 6, 2, gen);
  const double delta = 1e-5;
  const int64_t M = p.Y.size(0), D = 2;
  auto fd = torch::zeros({p.X.size(0), D}, torch::kFloat64);
  for (int64_t j = 0; j < M; ++j)
    for (int64_t b = 0; b < D; ++b) {
      auto Yp = p.Y.clone(), Ym = p.Y.clone();
      Yp[j][b] += delta;
      Ym[j][b] -= delta;
      // ∂/∂y_jb k(y_j, x_i) for every i
      auto d = (k.gram(Yp.narrow(0, j, 1), p.X) - k.gram(Ym.narrow(0, j, 1), p.X)).squeeze(0) / (2 * delta);
      fd.select(1, b) += d;
    }
  fd /= static_cast<double>(M);
  EXPECT_LT(rel_err(k.phi(p.X, p.Y, torch::zeros_like(p.S), 1.0), fd), 1e-8);
}

TEST(Gradient, ReferenceFormDifferentiatesTheReceiver) {
  using kernel::RepulsionForm;
  auto gen = make_gen(44);
  auto radius = std::make_shared<kernel::RadiusMap>();
  std::vector<std::pair<std::shared_ptr<kernel::Kernel>, const target::Target*>> cases{
      {std::make_shared<kernel::GroupAveragedKernel>(cn_elements(4), 0.9, RepulsionForm::kReference, "C4"),
       &c4_target()},
      {std::make_shared<kernel::InvariantFeatureKernel>(radius, 0.6, RepulsionForm::kReference), &rings_target()},
      // For the plain RBF both forms coincide, so the reference formula must match it too.
      {std::make_shared<kernel::RbfKernel>(0.9), &c4_target()},
  };
  for (const auto& [k, t] : cases) {
    auto p = points_for(*t, 8, 3, gen);
    for (double T : {1.0, 2.0}) {
      auto ref = reference_repulsion(*k, p.X, p.Y, T);
      ASSERT_GT(max_abs(ref), 1e-3) << k->name();
      EXPECT_LT(rel_err(k->phi(p.X, p.Y, torch::zeros_like(p.S), T), ref), kGradientTol) << k->name() << " T=" << T;
    }
  }
  // And for the orbit kernels the two forms really differ.
  kernel::GroupAveragedKernel tb(cn_elements(4), 0.9, RepulsionForm::kTextbook, "C4");
  kernel::GroupAveragedKernel rf(cn_elements(4), 0.9, RepulsionForm::kReference, "C4");
  auto p = points_for(c4_target(), 8, 1, gen);
  auto z = torch::zeros_like(p.S);
  EXPECT_GT(rel_err(tb.phi(p.X, p.Y, z, 1.0), rf.phi(p.X, p.Y, z, 1.0)), 1e-3);
}

TEST(Gradient, DrivingTermIsGramTimesScores) {
  auto gen = make_gen(45);
  for (const auto& c : all_kernel_cases(0.9)) {
    auto p = points_for(*c.target, 9, 4, gen);
    auto phi = c.kernel->phi(p.X, p.Y, p.S, 0.0);
    auto ref = driving(*c.kernel, p.X, p.Y, p.S);
    ASSERT_GT(max_abs(ref), 1e-3) << c.label;
    EXPECT_LT(rel_err(phi, ref), kGradientTol) << c.label;
    // φ is linear: φ(S, T) = φ(S, 0) + φ(0, T).
    auto rep = c.kernel->phi(p.X, p.Y, torch::zeros_like(p.S), 1.5);
    EXPECT_LT(rel_err(c.kernel->phi(p.X, p.Y, p.S, 1.5), phi + rep), kGradientTol) << c.label;
  }
}

TEST(Gradient, RbfDirectionHandFormula) {
  // Liu & Wang's φ written out pair by pair, with M = N + anchors.
  auto gen = make_gen(46);
  const double h = 0.8, T = 1.0;
  kernel::RbfKernel k(h);
  auto p = points_for(c4_target(), 5, 3, gen);
  auto phi = k.phi(p.X, p.Y, p.S, T);
  auto ref = torch::zeros_like(p.X);
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 8; ++j) {
      auto d = p.X[i] - p.Y[j];
      auto kij = torch::exp(-d.dot(d) / (2 * h * h));
      ref[i] += kij * (p.S[j] + T * d / (h * h)) / 8.0;
    }
  EXPECT_LT(rel_err(phi, ref), kGradientTol);
}

TEST(Gradient, RbfDirectionManyFeaturesMatchesDense) {
  // From 16 features on, V = [S − cY | 1] and the direction are formed in one pass each (rbf.cpp);
  // against the dense formula, without anchors (the symmetric sum) and with them, float64 and float32.
  auto gen = make_gen(47);
  const double h = 4.0, T = 1.5;
  kernel::RbfKernel k(h);
  auto X = torch::randn({70, 20}, gen, torch::kFloat64), A = torch::randn({50, 20}, gen, torch::kFloat64);
  auto dense = [&](const torch::Tensor& Y, const torch::Tensor& S) {
    auto K = torch::exp(-(X.unsqueeze(1) - Y.unsqueeze(0)).pow(2).sum(-1) / (2 * h * h));
    return (torch::matmul(K, S) + T / (h * h) * (X * K.sum(1, true) - torch::matmul(K, Y))) /
           static_cast<double>(Y.size(0));
  };
  for (const bool anchors : {false, true}) {
    auto Y = anchors ? torch::cat({X, A}) : X;
    auto S = torch::randn({Y.size(0), 20}, gen, torch::kFloat64);
    const auto ref = dense(Y, S);
    // GEMM distances |a|² + |b|² − 2a·b lose ~1e-15·|a|² absolutely: 1e-11 relative is ample.
    EXPECT_LT(rel_err(k.phi(X, Y, S, T), ref), 1e-11) << "anchors " << anchors;
    auto X32 = X.to(torch::kFloat32);
    auto Y32 = anchors ? torch::cat({X32, A.to(torch::kFloat32)}) : X32;
    const auto phi32 = k.phi(X32, Y32, S.to(torch::kFloat32), T);
    EXPECT_LT(rel_err(phi32.to(torch::kFloat64), ref), 1e-4) << "anchors " << anchors;
  }
}

}  // namespace
}  // namespace esvgd::test
