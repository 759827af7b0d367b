#include "esvgd/target/double_well.h"

#include <cmath>
#include <vector>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::target {

DoubleWellPotential::DoubleWellPotential(DoubleWellOptions o) : o_(o) {
  ESVGD_CHECK(o_.particles() >= 2 && o_.particle_dim() >= 1, "double-well potential needs >= 2 particles of dimension >= 1, got ",
              o_.particles(), " x ", o_.particle_dim());
  ESVGD_CHECK(std::isfinite(o_.tau()) && o_.tau() > 0, "double-well temperature tau must be > 0, got ", o_.tau());
}

std::string DoubleWellPotential::name() const {
  return "double-well(" + std::to_string(o_.particles()) + "x" + std::to_string(o_.particle_dim()) + "D)";
}

double DoubleWellPotential::energy_row(const double* x, double* grad) const {
  const int64_t P = o_.particles(), d = o_.particle_dim();
  if (grad) std::fill(grad, grad + P * d, 0.0);
  double u = 0;
  for (int64_t i = 0; i < P; ++i)
    for (int64_t j = i + 1; j < P; ++j) {
      double r2 = 0;
      for (int64_t k = 0; k < d; ++k) r2 += (x[i * d + k] - x[j * d + k]) * (x[i * d + k] - x[j * d + k]);
      const double r = std::sqrt(r2), e = r - o_.d0(), e2 = e * e;
      u += o_.a() * e + o_.b() * e2 + o_.c() * e2 * e2;
      if (!grad || r == 0) continue;  // coincident particles: the gradient of d is undefined, take 0
      const double du_dr = (o_.a() + 2 * o_.b() * e + 4 * o_.c() * e2 * e) / (o_.tau() * r);
      for (int64_t k = 0; k < d; ++k) {
        const double g = du_dr * (x[i * d + k] - x[j * d + k]);
        grad[i * d + k] += g;
        grad[j * d + k] -= g;
      }
    }
  return u / o_.tau();
}

namespace {
void check_rows(const torch::Tensor& X, int64_t D) {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == D, "double-well potential expects rows [N, ", D, "], got ", X.sizes());
}
}  // namespace

torch::Tensor DoubleWellPotential::energy(const torch::Tensor& X) const {
  check_rows(X, dim());
  auto x = X.to(torch::kCPU, torch::kFloat64).contiguous();
  auto u = torch::empty({x.size(0)}, x.options());
  const double* px = x.data_ptr<double>();
  double* pu = u.data_ptr<double>();
  for (int64_t n = 0; n < x.size(0); ++n) pu[n] = energy_row(px + n * dim(), nullptr);
  return u;
}

torch::Tensor DoubleWellPotential::log_prob(const torch::Tensor& X) const {
  return (-energy(X)).to(X.options());
}

torch::Tensor DoubleWellPotential::score(const torch::Tensor& X) const {
  check_rows(X, dim());
  auto x = X.to(torch::kCPU, torch::kFloat64).contiguous();
  auto s = torch::empty_like(x);
  const int64_t D = dim();
  const double* px = x.data_ptr<double>();
  double* ps = s.data_ptr<double>();
  for (int64_t n = 0; n < x.size(0); ++n) {
    energy_row(px + n * D, ps + n * D);
    for (int64_t k = 0; k < D; ++k) ps[n * D + k] = -ps[n * D + k];
  }
  return s.to(X.options());
}

}  // namespace esvgd::target
