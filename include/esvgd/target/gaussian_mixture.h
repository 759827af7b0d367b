#pragma once
/// Mixture of Gaussians Σ_k w_k N(μ_k, Σ_k) with analytic log density, score and exact sampler.
#include "esvgd/target/target.h"

namespace esvgd::target {

class GaussianMixture : public Target {
 public:
  /// means [K, D], covariances [K, D, D] (symmetric positive definite), weights [K] (normalised here).
  GaussianMixture(torch::Tensor means, torch::Tensor covariances, torch::Tensor weights, std::string name = "gmm");
  std::string name() const override { return name_; }
  int64_t dim() const override { return means_.size(1); }
  /// Normalised log density log Σ_k w_k N(x; μ_k, Σ_k).
  torch::Tensor log_prob(const torch::Tensor& X) const override;
  /// Σ_k r_k(x) Σ_k⁻¹ (μ_k − x) with responsibilities r_k.
  torch::Tensor score(const torch::Tensor& X) const override;
  bool has_sampler() const override { return true; }
  torch::Tensor sample(int64_t n, at::Generator& gen) const override;
  const torch::Tensor& means() const { return means_; }

 private:
  /// log w_k + log N(x; μ_k, Σ_k) for every row and component: [N, K]; diff [N, K, D] optional out.
  torch::Tensor component_log_probs(const torch::Tensor& X, torch::Tensor* precision_diff) const;
  torch::Tensor means_, covs_, log_weights_, precisions_, chol_, log_norm_;
  std::string name_;
};

/// The paper's C_n mixture: n equal-weight Gaussians with means at `radius` on the axes rotated by
/// 2πm/n and covariance R_m diag(var_radial, var_tangential) R_mᵀ (C4: radius 3, diag(1, 1/5)).
GaussianMixture cn_gaussian_mixture(int64_t n, double radius, double var_radial, double var_tangential);

}  // namespace esvgd::target
