#include "esvgd/target/gaussian_mixture.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/group/group.h"

namespace esvgd::target {

GaussianMixture::GaussianMixture(torch::Tensor means, torch::Tensor covariances, torch::Tensor weights,
                                 std::string name)
    : means_(means.to(torch::kFloat64).contiguous()), covs_(covariances.to(torch::kFloat64).contiguous()),
      name_(std::move(name)) {
  ESVGD_CHECK(means_.dim() == 2, "means must be [K, D], got ", means_.sizes());
  const int64_t K = means_.size(0), D = means_.size(1);
  ESVGD_CHECK(covs_.dim() == 3 && covs_.size(0) == K && covs_.size(1) == D && covs_.size(2) == D,
              "covariances must be [K, D, D] = [", K, ", ", D, ", ", D, "], got ", covs_.sizes());
  ESVGD_CHECK(weights.dim() == 1 && weights.size(0) == K, "weights must be [K] = [", K, "]");
  ESVGD_CHECK((weights > 0).all().item<bool>(), "mixture weights must be > 0");
  auto w = weights.to(torch::kFloat64);
  log_weights_ = torch::log(w / w.sum());
  ESVGD_CHECK(torch::allclose(covs_, covs_.transpose(1, 2), 1e-12, 1e-12), "covariances must be symmetric");
  auto [chol, info] = torch::linalg_cholesky_ex(covs_);
  ESVGD_CHECK((info == 0).all().item<bool>(), "covariances must be positive definite");
  chol_ = chol;
  precisions_ = torch::cholesky_inverse(chol_);
  // log N normaliser: -D/2 log 2π - Σ log diag(L)
  log_norm_ = -0.5 * D * std::log(2 * M_PI) - torch::log(torch::diagonal(chol_, 0, -2, -1)).sum(-1);
}

torch::Tensor GaussianMixture::component_log_probs(const torch::Tensor& X, torch::Tensor* precision_diff) const {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == dim(), name_, ": expected points [N, ", dim(), "], got ", X.sizes());
  auto diff = means_.to(X.dtype()).unsqueeze(0) - X.unsqueeze(1);              // [N, K, D]  μ_k − x
  auto pd = torch::einsum("kde,nke->nkd", {precisions_.to(X.dtype()), diff});  // Σ⁻¹ (μ − x)
  if (precision_diff) *precision_diff = pd;
  return (log_weights_ + log_norm_).to(X.dtype()) - 0.5 * (diff * pd).sum(-1);
}

torch::Tensor GaussianMixture::log_prob(const torch::Tensor& X) const {
  return torch::logsumexp(component_log_probs(X, nullptr), 1);
}

torch::Tensor GaussianMixture::score(const torch::Tensor& X) const {
  torch::Tensor pd;
  auto lp = component_log_probs(X, &pd);
  auto resp = torch::softmax(lp, 1);  // responsibilities r_k(x)
  return (resp.unsqueeze(-1) * pd).sum(1);
}

torch::Tensor GaussianMixture::sample(int64_t n, at::Generator& gen) const {
  ESVGD_CHECK(n >= 0, "sample count must be >= 0, got ", n);
  if (n == 0) return torch::zeros({0, dim()}, torch::kFloat64);
  auto comp = torch::multinomial(log_weights_.exp(), n, /*replacement=*/true, gen);
  auto z = torch::randn({n, dim()}, gen, torch::kFloat64);
  auto L = chol_.index_select(0, comp);  // [n, D, D]
  return means_.index_select(0, comp) + torch::matmul(L, z.unsqueeze(-1)).squeeze(-1);
}

GaussianMixture cn_gaussian_mixture(int64_t n, double radius, double var_radial, double var_tangential) {
  ESVGD_CHECK(n >= 1 && radius >= 0 && var_radial > 0 && var_tangential > 0,
              "C_n mixture needs n >= 1, radius >= 0 and positive variances");
  std::vector<torch::Tensor> means, covs;
  auto base = torch::diag(torch::tensor({var_radial, var_tangential}, torch::kFloat64));
  for (int64_t m = 0; m < n; ++m) {
    auto R = group::rotation_2d(2 * M_PI * m / n);
    means.push_back(torch::matmul(R, torch::tensor({radius, 0.0}, torch::kFloat64)));
    covs.push_back(torch::matmul(torch::matmul(R, base), R.t()));
  }
  return GaussianMixture(torch::stack(means), torch::stack(covs), torch::ones({n}, torch::kFloat64),
                         "C" + std::to_string(n) + "-gaussians");
}

}  // namespace esvgd::target
