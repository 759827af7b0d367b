#include "esvgd/kernel/rbf.h"

#include <algorithm>
#include <initializer_list>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "kernel/kernel_sum.h"

namespace esvgd::kernel {

void check_phi_args(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S) {
  ESVGD_CHECK(X.dim() == 2, "particles X must be [N, D], got ", X.sizes());
  ESVGD_CHECK(Y.dim() == 2 && Y.size(1) == X.size(1) && Y.size(0) >= X.size(0),
              "interacting points Y must be [M >= N, D] with X as their first rows; got X ", X.sizes(), ", Y ",
              Y.sizes());
  ESVGD_CHECK(S.sizes() == Y.sizes(), "scores S must match Y ", Y.sizes(), ", got ", S.sizes());
}

namespace {

/// From 16 features on (the GEMM path) a step's [N, D] temporaries are large: at N = 500, D = 64 each
/// is 256 KB, above glibc's default mmap threshold, so every one is mapped, faulted in and unmapped
/// at every step (docs/results.md). For CPU float tensors that autograd does not track, V and the
/// direction are then formed in one pass each. (Below 16 features they are small, and the tensor ops
/// stay, with their exact rounding.)
bool one_pass(std::initializer_list<torch::Tensor> ts) {
  const auto& first = *ts.begin();
  if (first.size(1) < kGemmFeatures || needs_tensor_ops(ts) ||
      (first.scalar_type() != torch::kFloat64 && first.scalar_type() != torch::kFloat32))
    return false;
  return std::all_of(ts.begin(), ts.end(),
                     [&](const torch::Tensor& t) { return t.scalar_type() == first.scalar_type(); });
}

/// V = [S − cY | 1] [M, D + 1].
template <typename T>
torch::Tensor stein_columns(const torch::Tensor& S, const torch::Tensor& Y, double c) {
  const int64_t M = Y.size(0), D = Y.size(1);
  const auto Sc = S.contiguous(), Yc = Y.contiguous();
  auto V = torch::empty({M, D + 1}, Y.options());
  const T *s = Sc.template data_ptr<T>(), *y = Yc.template data_ptr<T>();
  T* v = V.template data_ptr<T>();
  const T ct = static_cast<T>(c);
  for (int64_t j = 0; j < M; ++j) {
    for (int64_t f = 0; f < D; ++f) v[j * (D + 1) + f] = s[j * D + f] - ct * y[j * D + f];
    v[j * (D + 1) + D] = T(1);
  }
  return V;
}

/// (sums[:, :D] + c x_i sums[:, D]) / count.
template <typename T>
torch::Tensor stein_in_one_pass(const torch::Tensor& sums, const torch::Tensor& X, double c, int64_t count) {
  const int64_t N = X.size(0), D = X.size(1);
  const auto Sc = sums.contiguous(), Xc = X.contiguous();
  auto out = torch::empty({N, D}, X.options());
  const T *u = Sc.template data_ptr<T>(), *x = Xc.template data_ptr<T>();
  T* o = out.template data_ptr<T>();
  const T ct = static_cast<T>(c), n = static_cast<T>(count);
  for (int64_t i = 0; i < N; ++i) {
    const T k1 = u[i * (D + 1) + D];
    for (int64_t f = 0; f < D; ++f) o[i * D + f] = (u[i * (D + 1) + f] + ct * x[i * D + f] * k1) / n;
  }
  return out;
}

}  // namespace

torch::Tensor rbf_stein_direction(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                  double temperature, double h) {
  if (rbf_stein_direct_applies(X, Y) && S.scalar_type() == X.scalar_type() && Y.scalar_type() == X.scalar_type())
    return rbf_stein_direct(X, Y, S, temperature, h);
  // φ_i = (1/M) [Σ_j k_ij (s_j − c y_j) + c x_i Σ_j k_ij], c = T/h²: one kernel sum with D + 1 columns.
  const int64_t M = Y.size(0);
  const double c = temperature / (h * h);
  torch::Tensor V;
  if (!one_pass({Y, S})) V = torch::cat({S - c * Y, torch::ones({M, 1}, Y.options())}, 1);
  else V = Y.scalar_type() == torch::kFloat64 ? stein_columns<double>(S, Y, c) : stein_columns<float>(S, Y, c);
  // Without anchors Y is X and K is symmetric: each pair's exponential is needed once.
  auto out = Y.is_same(X) ? rbf_kernel_matmul_symmetric(X, Y, V, h) : rbf_kernel_matmul(X, Y, V, h);
  return stein_from_sums(out, X, c, M);
}

torch::Tensor stein_from_sums(const torch::Tensor& sums, const torch::Tensor& X, double c, int64_t count) {
  const int64_t D = X.size(1);
  if (one_pass({X, sums}))
    return X.scalar_type() == torch::kFloat64 ? stein_in_one_pass<double>(sums, X, c, count)
                                              : stein_in_one_pass<float>(sums, X, c, count);
  return (sums.narrow(1, 0, D) + c * X * sums.narrow(1, D, 1)) / static_cast<double>(count);
}

torch::Tensor RbfKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                             double temperature) const {
  check_phi_args(X, Y, S);
  return rbf_stein_direction(X, Y, S, temperature, h_);
}

torch::Tensor RbfKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  auto d2 = (A.unsqueeze(1) - B.unsqueeze(0)).pow(2).sum(-1);
  return torch::exp(-d2 / (2 * h_ * h_));
}

torch::Tensor RbfKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  return (A - B).pow(2).sum(1);
}

}  // namespace esvgd::kernel
