#include "esvgd/target/radial_mixture.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::target {

namespace {
// Proposals beyond max radius + kTailSigmas·σ are rejected; the mass lost there is < 1e-30.
constexpr double kTailSigmas = 12.0;
constexpr int64_t kMarginalGrid = 200001;
}  // namespace

RadialMixture::RadialMixture(int64_t dim, std::vector<double> radii, double width_std, std::vector<double> weights,
                             SamplerKind sampler)
    : dim_(dim), radii_(std::move(radii)), sigma_(width_std), sampler_(sampler) {
  ESVGD_CHECK(dim >= 1, "radial mixture needs D >= 1, got ", dim);
  ESVGD_CHECK(!radii_.empty(), "radial mixture needs at least one radius");
  ESVGD_CHECK(width_std > 0, "radial mixture width (standard deviation) must be > 0, got ", width_std);
  if (weights.empty()) weights.assign(radii_.size(), 1.0);
  ESVGD_CHECK(weights.size() == radii_.size(), "radial mixture: ", weights.size(), " weights for ", radii_.size(), " radii");
  double total = 0;
  for (double w : weights) {
    ESVGD_CHECK(w > 0, "radial mixture weights must be > 0");
    total += w;
  }
  for (double w : weights) log_weights_.push_back(std::log(w / total));
  const double r_max = *std::max_element(radii_.begin(), radii_.end()) + kTailSigmas * sigma_;
  auto grid = torch::linspace(0, r_max, kMarginalGrid, torch::kFloat64);
  auto dens = torch::exp(radial_log_density(grid)) * torch::pow(grid, static_cast<double>(dim_ - 1));
  marginal_log_norm_ = std::log(torch::trapezoid(dens, grid).item<double>());
}

std::string RadialMixture::name() const { return dim_ == 2 ? "circles" : (dim_ == 3 ? "spheres" : "radial-mixture"); }

torch::Tensor RadialMixture::radial_log_density(const torch::Tensor& r) const {
  std::vector<torch::Tensor> comps;
  const double log_norm = -0.5 * std::log(2 * M_PI) - std::log(sigma_);
  for (size_t k = 0; k < radii_.size(); ++k) {
    auto z = (r - radii_[k]) / sigma_;
    comps.push_back(log_weights_[k] + log_norm - 0.5 * z * z);
  }
  return torch::logsumexp(torch::stack(comps, -1), -1);
}

torch::Tensor RadialMixture::radius_marginal(const torch::Tensor& r) const {
  return torch::exp(radial_log_density(r) + (dim_ - 1) * torch::log(r.clamp_min(1e-300)) - marginal_log_norm_);
}

torch::Tensor RadialMixture::log_prob(const torch::Tensor& X) const {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == dim_, name(), ": expected points [N, ", dim_, "], got ", X.sizes());
  return radial_log_density(X.norm(2, 1));
}

torch::Tensor RadialMixture::score(const torch::Tensor& X) const {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == dim_, name(), ": expected points [N, ", dim_, "], got ", X.sizes());
  auto r = X.norm(2, 1);
  std::vector<torch::Tensor> comps;
  for (size_t k = 0; k < radii_.size(); ++k) {
    auto z = (r - radii_[k]) / sigma_;
    comps.push_back(log_weights_[k] - 0.5 * z * z);
  }
  auto lp = torch::stack(comps, -1);
  auto resp = torch::softmax(lp, -1);
  auto radii = torch::tensor(radii_, torch::kFloat64).to(X.dtype());
  auto dlogp_dr = (resp * (radii - r.unsqueeze(-1))).sum(-1) / (sigma_ * sigma_);
  auto unit = X / r.clamp_min(1e-300).unsqueeze(-1);  // at r = 0, X = 0 so the score is 0
  return dlogp_dr.unsqueeze(-1) * unit;
}

torch::Tensor RadialMixture::sample(int64_t n, at::Generator& gen) const {
  ESVGD_CHECK(n >= 0, "sample count must be >= 0, got ", n);
  if (n == 0) return torch::zeros({0, dim_}, torch::kFloat64);
  const double r_cap = *std::max_element(radii_.begin(), radii_.end()) + kTailSigmas * sigma_;
  auto weights = torch::tensor(log_weights_, torch::kFloat64).exp();
  auto radii = torch::tensor(radii_, torch::kFloat64);
  std::vector<torch::Tensor> accepted;
  int64_t have = 0;
  while (have < n) {
    const int64_t m = 2 * (n - have) + 16;
    auto comp = torch::multinomial(weights, m, true, gen);
    auto r = radii.index_select(0, comp) + sigma_ * torch::randn({m}, gen, torch::kFloat64);
    auto keep = (r > 0) & (r < r_cap);
    if (sampler_ == SamplerKind::kExact && dim_ > 1) {
      // Accept with probability (r / r_cap)^{D-1}: turns p_r into the marginal ∝ r^{D-1} p_r.
      auto u = torch::rand({m}, gen, torch::kFloat64);
      keep = keep & (u < torch::pow(r.clamp_min(0) / r_cap, static_cast<double>(dim_ - 1)));
    }
    auto r_ok = r.masked_select(keep);
    accepted.push_back(r_ok);
    have += r_ok.size(0);
  }
  auto r = torch::cat(accepted).narrow(0, 0, n);
  auto dir = torch::randn({n, dim_}, gen, torch::kFloat64);
  dir = dir / dir.norm(2, 1, true);
  return dir * r.unsqueeze(1);
}

}  // namespace esvgd::target
