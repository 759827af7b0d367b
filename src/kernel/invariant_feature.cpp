#include "esvgd/kernel/invariant_feature.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "core/double_rows.h"
#include "esvgd/core/error.h"
#include "kernel/kernel_sum.h"
#include "esvgd/kernel/rbf.h"

namespace esvgd::kernel {

torch::Tensor FeatureMap::jacobian(const torch::Tensor& X) const {
  torch::AutoGradMode grad_on(true);
  auto x = X.detach().requires_grad_(true);
  auto f = features(x);
  std::vector<torch::Tensor> rows;
  for (int64_t k = 0; k < f.size(1); ++k) {
    // Rows are independent, so the gradient of Σ_n f_k(x_n) gives ∂f_k/∂x for every row at once.
    rows.push_back(torch::autograd::grad({f.select(1, k).sum()}, {x}, {}, /*retain_graph=*/true)[0]);
  }
  return torch::stack(rows, 1).detach();
}

torch::Tensor FeatureMap::vjp(const torch::Tensor& X, const torch::Tensor& G) const {
  return torch::matmul(jacobian(X).transpose(1, 2), G.to(X.dtype()).unsqueeze(2)).squeeze(2);
}

std::pair<torch::Tensor, FeatureMap::Vjp> FeatureMap::linearize(const torch::Tensor& X) const {
  return {features(X).to(torch::kFloat64), [this, X](const torch::Tensor& G) { return vjp(X, G).to(torch::kFloat64); }};
}

torch::Tensor RadiusMap::features(const torch::Tensor& X) const { return X.norm(2, 1, /*keepdim=*/true); }

torch::Tensor RadiusMap::jacobian(const torch::Tensor& X) const {
  auto r = X.norm(2, 1, true);
  return (X / r.clamp_min(1e-300)).unsqueeze(1);
}

InvariantFeatureKernel::InvariantFeatureKernel(std::shared_ptr<const FeatureMap> map, double bandwidth,
                                               RepulsionForm form)
    : Kernel(bandwidth), map_(std::move(map)), form_(form) {
  ESVGD_CHECK(map_ != nullptr, "invariant-feature kernel needs a feature map");
}

std::string InvariantFeatureKernel::name() const {
  return "invariant(" + map_->name() + (form_ == RepulsionForm::kReference ? ",reference)" : ")");
}

torch::Tensor InvariantFeatureKernel::prepare_anchors(const torch::Tensor& anchors) const {
  return map_->features(anchors.to(torch::kFloat64));
}

namespace {
/// The moving rows' features f(X) in float64, with G ↦ J_f(x_n)ᵀ g_n at X where the reference form
/// needs it.
std::pair<torch::Tensor, FeatureMap::Vjp> moving_features(const FeatureMap& map, const torch::Tensor& X,
                                                          RepulsionForm form) {
  if (form == RepulsionForm::kReference) return map.linearize(X);
  return {map.features(X).to(torch::kFloat64), nullptr};
}

/// f at the rows of Y before the anchors (all of Y without `prepared`): X itself on one process
/// (Y = [X; anchors]), whose fx is reused, or every process's rows with a particle exchange, which are
/// computed.
torch::Tensor features_before_anchors(const FeatureMap& map, const torch::Tensor& fx, const torch::Tensor& Y,
                                      const torch::Tensor& prepared) {
  const int64_t others = Y.size(0) - (prepared.defined() ? prepared.size(0) : 0);
  return others == fx.size(0) ? fx : map.features(Y.narrow(0, 0, others));
}

/// f at the rows of Y with fx's dtype and device; the anchors' come from `prepared` when given.
torch::Tensor features_of_y(const FeatureMap& map, const torch::Tensor& fx, const torch::Tensor& Y,
                            const torch::Tensor& prepared) {
  auto head = features_before_anchors(map, fx, Y, prepared).to(fx.options());
  return prepared.defined() ? torch::cat({head, prepared.to(fx.options())}) : head;
}

/// Both forms as one pass over the pairs (feature_stein_sums, compiled with the SIMD flags), for
/// CPU problems small enough that tensor-op overhead dominates (the CD loops: 64 chains + 64
/// anchors), so the sums live in plain buffers. Pairs whose weight underflows are skipped, which
/// makes the tiny bandwidths of the paper (h = 1e-3) cost little more than the map.
/// The reference form needs J only as J_iᵀ (Σ_j k_ij (f_i − f_j)): one vector-Jacobian product per
/// moving row, after the loop, from the forward pass that gave f(X).
torch::Tensor phi_direct(const torch::Tensor& X, const FeatureMap& map, const torch::Tensor& Y, const torch::Tensor& S,
                         const torch::Tensor& prepared, double h, double T, RepulsionForm form) {
  const int64_t N = X.size(0), D = X.size(1), M = Y.size(0);
  auto [fx, vjp] = moving_features(map, X, form);
  const int64_t F = fx.size(1);
  // f(Y) = [f(X) or the other processes' rows; the prepared anchors], gathered in one buffer.
  std::vector<double> fy, s;
  core::append_as_double(features_before_anchors(map, fx, Y, prepared), fy);
  if (prepared.defined()) core::append_as_double(prepared, fy);
  core::append_as_double(S, s);
  torch::Tensor jac = form == RepulsionForm::kTextbook ? map.jacobian(Y).to(torch::kFloat64).contiguous() : torch::Tensor();
  std::vector<double> out(static_cast<size_t>(N * D), 0.0), sums(static_cast<size_t>(N * F), 0.0);
  const double c = T / (h * h);
  const auto fxc = fx.to(torch::kFloat64).contiguous();
  feature_stein_sums(fxc.data_ptr<double>(), fy.data(), s.data(), jac.defined() ? jac.data_ptr<double>() : nullptr, N,
                     M, F, D, h, c, out.data(), sums.data());
  const double inv_m = 1.0 / static_cast<double>(M);
  if (vjp) {  // + c J_iᵀ Σ_j k (f_i − f_j)
    const auto rep = vjp(torch::from_blob(sums.data(), {N, F}, torch::kFloat64)).contiguous();
    const double* r = rep.data_ptr<double>();
    for (int64_t e = 0; e < N * D; ++e) out[e] = (out[e] + c * r[e]) * inv_m;
  } else {
    for (int64_t e = 0; e < N * D; ++e) out[e] *= inv_m;
  }
  auto phi = torch::empty({N, D}, X.options());
  if (phi.scalar_type() == torch::kFloat64) std::copy(out.begin(), out.end(), phi.data_ptr<double>());
  else if (phi.scalar_type() == torch::kFloat32) std::copy(out.begin(), out.end(), phi.data_ptr<float>());
  else return torch::from_blob(out.data(), {N, D}, torch::kFloat64).to(X.options());
  return phi;
}
}  // namespace

torch::Tensor InvariantFeatureKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                          double temperature) const {
  return phi_prepared(X, Y, S, temperature, {});
}

torch::Tensor InvariantFeatureKernel::phi_prepared(const torch::Tensor& X, const torch::Tensor& Y,
                                                   const torch::Tensor& S, double temperature,
                                                   const torch::Tensor& prepared) const {
  check_phi_args(X, Y, S);
  ESVGD_CHECK(!prepared.defined() || (prepared.dim() == 2 && prepared.size(0) <= Y.size(0)),
              "prepared anchors must be the features of Y's last rows, got ", prepared.sizes(), " for Y ", Y.sizes());
  if (X.device().is_cpu() && X.size(0) * Y.size(0) <= (int64_t{1} << 14)) {
    return phi_direct(X, *map_, Y, S, prepared, h_, temperature, form_);
  }
  const int64_t N = X.size(0), D = X.size(1), M = Y.size(0);
  auto [fx, vjp] = moving_features(*map_, X, form_);
  auto FX = fx.to(Y.options());  // the particle maps' loops run on the CPU
  auto FY = features_of_y(*map_, FX, Y, prepared);
  const int64_t F = FY.size(1);
  const double c = temperature / (h_ * h_);
  if (form_ == RepulsionForm::kTextbook) {
    auto J = map_->jacobian(Y).to(Y.dtype());                                 // [M, F, D]
    auto Jt = J.transpose(1, 2).reshape({M, D * F});                          // J_jᵀ as [D, F] rows
    auto Jtf = torch::matmul(J.transpose(1, 2), FY.unsqueeze(2)).squeeze(2);  // J_jᵀ f_j: [M, D]
    auto out = rbf_kernel_matmul(FX, FY, torch::cat({S, Jt, Jtf}, 1), h_);
    auto KS = out.narrow(1, 0, D);
    auto KJt = out.narrow(1, D, D * F).reshape({N, D, F});
    auto KJtf = out.narrow(1, D + D * F, D);
    auto rep = torch::matmul(KJt, FX.unsqueeze(2)).squeeze(2) - KJtf;  // Σ_j k J_jᵀ (f_i − f_j)
    return (KS + c * rep) / static_cast<double>(M);
  }
  auto out = rbf_kernel_matmul(FX, FY, torch::cat({S, FY, torch::ones({M, 1}, Y.options())}, 1), h_);
  auto KS = out.narrow(1, 0, D), KF = out.narrow(1, D, F), K1 = out.narrow(1, D + F, 1);
  auto rep = vjp(FX * K1 - KF).to(Y.options());  // J_iᵀ Σ_j k (f_i − f_j)
  return (KS + c * rep) / static_cast<double>(M);
}

torch::Tensor InvariantFeatureKernel::gram(const torch::Tensor& A, const torch::Tensor& B) const {
  auto fa = map_->features(A), fb = map_->features(B);
  auto d2 = (fa.unsqueeze(1) - fb.unsqueeze(0)).pow(2).sum(-1);
  return torch::exp(-d2 / (2 * h_ * h_));
}

torch::Tensor InvariantFeatureKernel::pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const {
  return (map_->features(A) - map_->features(B)).pow(2).sum(1);
}

}  // namespace esvgd::kernel
