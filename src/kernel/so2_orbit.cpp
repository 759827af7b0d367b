#include "esvgd/kernel/so2_orbit.h"

#include <torch/types.h>
#include <torch/special.h>

#include "esvgd/core/error.h"
#include "esvgd/kernel/rbf.h"
#include "row_chunks.h"

namespace esvgd::kernel {

namespace {

/// Unit vectors x̂ (with (1, 0) at the origin, where every term that uses it vanishes).
torch::Tensor unit(const torch::Tensor& X, const torch::Tensor& r) {
  auto u = X / r.clamp_min(1e-300).unsqueeze(1);
  auto at_origin = (r == 0).unsqueeze(1);
  auto ex = torch::zeros_like(X);
  ex.select(1, 0).fill_(1.0);
  return torch::where(at_origin, ex, u);
}

torch::Tensor perp(const torch::Tensor& U) { return torch::stack({-U.select(1, 1), U.select(1, 0)}, 1); }
}  // namespace

torch::Tensor So2OrbitKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                  double temperature) const {
  check_phi_args(X, Y, S);
  ESVGD_CHECK(X.size(1) == 2, name(), " acts on 2-D points, got D = ", X.size(1));
  const int64_t N = X.size(0), M = Y.size(0);
  const double h2 = h_ * h_;
  auto rx = X.norm(2, 1), ry = Y.norm(2, 1);
  auto ux = unit(X, rx), uy = unit(Y, ry);
  // s̃_j = R_{−α_j} s_j: the score's radial and tangential components in y_j's polar frame.
  auto s_tilde = torch::stack({(S * uy).sum(1), (S * perp(uy)).sum(1)}, 1);  // [M, 2]
  return detail::map_row_chunks(N, M, [&](int64_t i0, int64_t n) {
    auto ri = rx.narrow(0, i0, n).unsqueeze(1);
    auto a = ri * ry.unsqueeze(0) / h2;
    auto e = torch::exp(-(ri - ry.unsqueeze(0)).pow(2) / (2 * h2));
    auto w = e * torch::special::i1e(a);
    auto v = e * torch::special::i0e(a);
    auto drive_polar = torch::matmul(w, s_tilde);  // [n, 2] in x_i's polar frame
    auto uxi = ux.narrow(0, i0, n);
    auto drive = drive_polar.narrow(1, 0, 1) * uxi + drive_polar.narrow(1, 1, 1) * perp(uxi);
    auto rep = X.narrow(0, i0, n) * v.sum(1, true) - uxi * torch::matmul(w, ry.unsqueeze(1));
    return (drive + (temperature / h2) * rep) / static_cast<double>(M);
  });
}

torch::Tensor So2OrbitKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  const double h2 = h_ * h_;
  auto ra = A.norm(2, 1).unsqueeze(1), rb = B.norm(2, 1).unsqueeze(0);
  auto w = torch::exp(-(ra - rb).pow(2) / (2 * h2)) * torch::special::i1e(ra * rb / h2);  // [N, M]
  auto alpha = torch::atan2(A.select(1, 1), A.select(1, 0)).unsqueeze(1) -
               torch::atan2(B.select(1, 1), B.select(1, 0)).unsqueeze(0);
  auto c = torch::cos(alpha), s = torch::sin(alpha);
  auto Rm = torch::stack({torch::stack({c, -s}, -1), torch::stack({s, c}, -1)}, -2);  // [N, M, 2, 2]
  return w.unsqueeze(-1).unsqueeze(-1) * Rm;
}

torch::Tensor So2OrbitKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  return (A.norm(2, 1) - B.norm(2, 1)).pow(2);
}

}  // namespace esvgd::kernel
