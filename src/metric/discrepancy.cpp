#include "esvgd/metric/discrepancy.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "kernel/kernel_sum.h"

namespace esvgd::metric {

namespace {
/// Σ_{i,j} k(a_i, b_j) without storing the kernel matrix.
double kernel_total(const torch::Tensor& A, const torch::Tensor& B, double h) {
  auto ones = torch::ones({B.size(0), 1}, B.options());
  return kernel::rbf_kernel_matmul(A, B, ones, h).sum().item<double>();
}
}  // namespace

double mmd2(const torch::Tensor& X, const torch::Tensor& Y, double h) {
  ESVGD_CHECK(X.dim() == 2 && Y.dim() == 2 && X.size(1) == Y.size(1), "mmd2 needs [N, D] and [M, D], got ", X.sizes(),
              " and ", Y.sizes());
  const double n = X.size(0), m = Y.size(0);
  ESVGD_CHECK(n >= 2 && m >= 2, "mmd2 needs at least 2 points in each sample");
  auto x = X.to(torch::kFloat64), y = Y.to(torch::kFloat64);
  const double kxx = (kernel_total(x, x, h) - n) / (n * (n - 1));  // k(x, x) = 1 on the diagonal
  const double kyy = (kernel_total(y, y, h) - m) / (m * (m - 1));
  const double kxy = kernel_total(x, y, h) / (n * m);
  return kxx + kyy - 2 * kxy;
}

double ksd2(const torch::Tensor& X, const torch::Tensor& S, double h) {
  ESVGD_CHECK(X.dim() == 2 && S.sizes() == X.sizes(), "ksd2 needs X [N, D] and scores of the same shape");
  const int64_t N = X.size(0), D = X.size(1);
  ESVGD_CHECK(N >= 2, "ksd2 needs at least 2 points");
  auto x = X.to(torch::kFloat64), s = S.to(torch::kFloat64);
  const double h2 = h * h;
  auto diff = x.unsqueeze(1) - x.unsqueeze(0);  // [N, N, D] x_i − x_j
  auto r2 = diff.pow(2).sum(-1);
  auto k = torch::exp(-r2 / (2 * h2));
  auto ss = torch::matmul(s, s.t());
  auto sd = ((s.unsqueeze(1) - s.unsqueeze(0)) * diff).sum(-1) / h2;
  auto u = k * (ss + sd + D / h2 - r2 / (h2 * h2));
  u.fill_diagonal_(0.0);
  return u.sum().item<double>() / (static_cast<double>(N) * (N - 1));
}

double reference_bandwidth(const torch::Tensor& Y) {
  auto y = Y.to(torch::kFloat64);
  auto d2 = torch::cdist(y, y).pow(2);
  auto idx = torch::triu_indices(y.size(0), y.size(0), 1);
  auto vals = d2.index({idx[0], idx[1]});
  return std::sqrt(std::get<0>(torch::kthvalue(vals, (vals.size(0) - 1) / 2 + 1)).item<double>() / 2.0);
}

}  // namespace esvgd::metric
