#include "esvgd/metric/orbit_metrics.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/target/radial_mixture.h"

namespace esvgd::metric {

namespace {
constexpr int64_t kQuadraturePoints = 20001;  // grid for integrating the radial marginal
}

torch::Tensor unfold(const group::Group& group, const torch::Tensor& X, int64_t copies, at::Generator& gen) {
  if (group.is_finite()) return kernel::orbit_images(group.elements(), X);
  ESVGD_CHECK(copies >= 1, "unfold needs copies >= 1");
  std::vector<torch::Tensor> Rs{torch::eye(group.dim(), torch::kFloat64)};
  for (int64_t c = 1; c < copies; ++c) Rs.push_back(group.random_element(gen));
  return kernel::orbit_images(torch::stack(Rs), X);
}

std::vector<double> mode_occupancy(const torch::Tensor& X, const torch::Tensor& means) {
  auto nearest = torch::cdist(X.to(torch::kFloat64), means.to(torch::kFloat64)).argmin(1);
  auto counts = torch::bincount(nearest, {}, means.size(0)).to(torch::kFloat64) / static_cast<double>(X.size(0));
  return std::vector<double>(counts.data_ptr<double>(), counts.data_ptr<double>() + counts.numel());
}

double tv_to_uniform(const std::vector<double>& occupancy) {
  double tv = 0;
  for (double p : occupancy) tv += std::abs(p - 1.0 / occupancy.size());
  return tv / 2;
}

double radial_kl(const torch::Tensor& X, const target::RadialMixture& target, int64_t bins, double r_max,
                 double pseudo_count) {
  ESVGD_CHECK(bins >= 1 && r_max > 0 && pseudo_count > 0, "radial_kl needs bins >= 1, r_max > 0, pseudo_count > 0");
  auto grid = torch::linspace(0, r_max, kQuadraturePoints, torch::kFloat64);
  auto dens = target.radius_marginal(grid);
  auto edges = torch::linspace(0, r_max, bins + 1, torch::kFloat64);
  std::vector<double> p(bins);
  for (int64_t b = 0; b < bins; ++b) {
    auto in = (grid >= edges[b]) & (grid <= edges[b + 1]);
    p[b] = torch::trapezoid(dens.masked_select(in), grid.masked_select(in)).item<double>();
  }
  double p_total = 0;
  for (double v : p) p_total += v;
  auto r = X.to(torch::kFloat64).norm(2, 1).clamp_max(r_max * (1 - 1e-12));
  auto counts = torch::histc(r, bins, 0, r_max);
  auto q = (counts + pseudo_count) / (counts.sum() + pseudo_count * bins);
  double kl = 0;
  for (int64_t b = 0; b < bins; ++b) {
    const double pb = p[b] / p_total;
    if (pb > 0) kl += pb * std::log(pb / q[b].item<double>());
  }
  return kl;
}

std::vector<double> ring_fractions(const torch::Tensor& X, const std::vector<double>& radii) {
  auto r = X.to(torch::kFloat64).norm(2, 1).unsqueeze(1);
  auto rad = torch::tensor(radii, torch::kFloat64).unsqueeze(0);
  auto nearest = (r - rad).abs().argmin(1);
  auto f = torch::bincount(nearest, {}, static_cast<int64_t>(radii.size())).to(torch::kFloat64) / static_cast<double>(X.size(0));
  return std::vector<double>(f.data_ptr<double>(), f.data_ptr<double>() + f.numel());
}

std::vector<double> true_ring_masses(const target::RadialMixture& target) {
  const auto& radii = target.radii();
  const double r_max = *std::max_element(radii.begin(), radii.end()) + 12 * target.width();
  auto grid = torch::linspace(0, r_max, kQuadraturePoints, torch::kFloat64);
  auto dens = target.radius_marginal(grid);
  auto nearest = (grid.unsqueeze(1) - torch::tensor(radii, torch::kFloat64).unsqueeze(0)).abs().argmin(1);
  std::vector<double> mass;
  for (size_t k = 0; k < radii.size(); ++k) {
    auto in = nearest == static_cast<int64_t>(k);
    mass.push_back((dens * in.to(torch::kFloat64)).sum().item<double>() * (r_max / (kQuadraturePoints - 1)));
  }
  return mass;
}

}  // namespace esvgd::metric
