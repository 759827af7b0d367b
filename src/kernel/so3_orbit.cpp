#include "esvgd/kernel/so3_orbit.h"

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/kernel/rbf.h"
#include "row_chunks.h"

namespace esvgd::kernel {

namespace {
constexpr double kSeriesBelow = 0.1;  // κ below which B uses its Taylor series (the closed form cancels)

/// e^{−κ} A(κ) = (1 − e^{−2κ})/(2κ), with A(0) = 1.
torch::Tensor scaled_a(const torch::Tensor& kappa) {
  auto safe = kappa.clamp_min(1e-300);
  return torch::where(kappa > 0, -torch::expm1(-2 * safe) / (2 * safe), torch::ones_like(kappa));
}

/// e^{−κ} B(κ) = [κ(1 + e^{−2κ}) + expm1(−2κ)] / (2κ²); for small κ the series
/// B = Σ_{n≥1} 2n κ^{2n−1}/(2n+1)! = κ/3 + κ³/30 + κ⁵/840 + κ⁷/45360 + κ⁹/3991680 (next term < 1e-13 relative).
torch::Tensor scaled_b(const torch::Tensor& kappa) {
  auto safe = kappa.clamp_min(kSeriesBelow);
  auto closed = (safe * (1 + torch::exp(-2 * safe)) + torch::expm1(-2 * safe)) / (2 * safe * safe);
  auto k2 = kappa * kappa;
  auto series = torch::exp(-kappa) * kappa * (1.0 / 3 + k2 * (1.0 / 30 + k2 * (1.0 / 840 + k2 * (1.0 / 45360 + k2 / 3991680))));
  return torch::where(kappa < kSeriesBelow, series, closed);
}

torch::Tensor unit_rows(const torch::Tensor& X, const torch::Tensor& r) {
  return X / r.clamp_min(1e-300).unsqueeze(1);  // 0 at the origin, where B = 0 anyway
}
}  // namespace

torch::Tensor So3OrbitKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                  double temperature) const {
  check_phi_args(X, Y, S);
  ESVGD_CHECK(X.size(1) == 3, name(), " acts on 3-D points, got D = ", X.size(1));
  const int64_t N = X.size(0), M = Y.size(0);
  const double h2 = h_ * h_;
  auto rx = X.norm(2, 1), ry = Y.norm(2, 1);
  auto ux = unit_rows(X, rx);
  auto s_radial = (S * unit_rows(Y, ry)).sum(1, true);  // ŷ_j · s_j: [M, 1]
  return detail::map_row_chunks(N, M, [&](int64_t i0, int64_t n) {
    auto ri = rx.narrow(0, i0, n).unsqueeze(1);
    auto kappa = ri * ry.unsqueeze(0) / h2;
    auto e = torch::exp(-(ri - ry.unsqueeze(0)).pow(2) / (2 * h2));  // e^{−(r_i²+r_j²)/2h²} e^{κ}
    auto a = e * scaled_a(kappa), b = e * scaled_b(kappa);
    auto uxi = ux.narrow(0, i0, n);
    auto drive = uxi * torch::matmul(b, s_radial);
    auto rep = X.narrow(0, i0, n) * a.sum(1, true) - uxi * torch::matmul(b, ry.unsqueeze(1));
    return (drive + (temperature / h2) * rep) / static_cast<double>(M);
  });
}

torch::Tensor So3OrbitKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  const double h2 = h_ * h_;
  auto ra = A.norm(2, 1), rb = B.norm(2, 1);
  auto kappa = ra.unsqueeze(1) * rb.unsqueeze(0) / h2;
  auto w = torch::exp(-(ra.unsqueeze(1) - rb.unsqueeze(0)).pow(2) / (2 * h2)) * scaled_b(kappa);
  auto outer = unit_rows(A, ra).unsqueeze(1).unsqueeze(3) * unit_rows(B, rb).unsqueeze(0).unsqueeze(2);  // x̂ ŷᵀ
  return w.unsqueeze(-1).unsqueeze(-1) * outer;
}

torch::Tensor So3OrbitKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  return (A.norm(2, 1) - B.norm(2, 1)).pow(2);
}

}  // namespace esvgd::kernel
