#include "esvgd/metric/grid_density.h"

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::metric {

torch::Tensor grid_points(double lo, double hi, int64_t n) {
  ESVGD_CHECK(n >= 1 && hi > lo, "grid needs n >= 1 and hi > lo, got n = ", n, ", [", lo, ", ", hi, "]");
  const double cell = (hi - lo) / static_cast<double>(n);
  auto c = lo + cell * (torch::arange(n, torch::kFloat64) + 0.5);
  auto g = torch::meshgrid({c, c}, "xy");
  return torch::stack({g[0].reshape(-1), g[1].reshape(-1)}, 1);
}

GridKl grid_kl(const torch::Tensor& log_p, const torch::Tensor& log_q) {
  ESVGD_CHECK(log_p.dim() == 1 && log_p.sizes() == log_q.sizes() && log_p.numel() > 0,
              "grid_kl needs two [G] log densities on the same grid, got ", log_p.sizes(), " and ", log_q.sizes());
  auto lp = torch::log_softmax(log_p.to(torch::kFloat64), 0), lq = torch::log_softmax(log_q.to(torch::kFloat64), 0);
  ESVGD_CHECK(torch::isfinite(lp).all().item<bool>() && torch::isfinite(lq).all().item<bool>(),
              "grid_kl: log densities must be finite on every cell");
  GridKl kl;
  kl.forward = (lp.exp() * (lp - lq)).sum().item<double>();
  kl.reverse = (lq.exp() * (lq - lp)).sum().item<double>();
  return kl;
}

}  // namespace esvgd::metric
