#include "esvgd/kernel/invariant_feature.h"

#include <cmath>
#include <vector>

#include <torch/torch.h>

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

namespace {
/// Both forms as one pass over the pairs (feature_stein_sums, compiled with the SIMD flags), for
/// CPU problems small enough that tensor-op overhead dominates (the CD loops: 64 chains + 64
/// anchors). Pairs whose weight underflows are skipped, which makes the tiny bandwidths of the
/// paper (h = 1e-3) cost little more than the map.
/// The reference form needs J only as J_iᵀ (Σ_j k_ij (f_i − f_j)): one vector-Jacobian product per
/// moving row, after the loop.
torch::Tensor phi_direct(const torch::Tensor& X, const FeatureMap& map, const torch::Tensor& Y, const torch::Tensor& S,
                         double h, double T, RepulsionForm form) {
  const int64_t N = X.size(0), D = X.size(1), M = Y.size(0);
  auto f = map.features(Y).to(torch::kFloat64).contiguous(), s = S.to(torch::kFloat64).contiguous();
  const int64_t F = f.size(1);
  torch::Tensor jac = form == RepulsionForm::kTextbook ? map.jacobian(Y).to(torch::kFloat64).contiguous() : torch::Tensor();
  auto out = torch::zeros({N, D}, torch::kFloat64);
  auto sums = torch::zeros({N, F}, torch::kFloat64);  // reference form: Σ_j k_ij (f_i − f_j)
  auto fT = f.t().contiguous();
  const double c = T / (h * h);
  feature_stein_sums(f.data_ptr<double>(), fT.data_ptr<double>(), s.data_ptr<double>(),
                     jac.defined() ? jac.data_ptr<double>() : nullptr, N, M, F, D, h, c, out.data_ptr<double>(),
                     sums.data_ptr<double>());
  if (form == RepulsionForm::kReference) out += c * map.vjp(X, sums).to(torch::kFloat64);  // J_iᵀ Σ_j k (f_i − f_j)
  return (out / static_cast<double>(M)).to(X.dtype());
}
}  // namespace

torch::Tensor InvariantFeatureKernel::phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                          double temperature) const {
  check_phi_args(X, Y, S);
  if (X.device().is_cpu() && X.size(0) * Y.size(0) <= (int64_t{1} << 14)) {
    return phi_direct(X, *map_, Y, S, h_, temperature, form_);
  }
  const int64_t N = X.size(0), D = X.size(1), M = Y.size(0);
  auto FY = map_->features(Y).to(Y.dtype());  // X = Y[:N], so f(X) = f(Y)[:N]
  const int64_t F = FY.size(1);
  auto FX = FY.narrow(0, 0, N);
  auto J = map_->jacobian(Y).to(Y.dtype());  // [M, F, D]
  auto ones = torch::ones({M, 1}, Y.options());
  const double c = temperature / (h_ * h_);
  if (form_ == RepulsionForm::kTextbook) {
    auto Jt = J.transpose(1, 2).reshape({M, D * F});                      // J_jᵀ as [D, F] rows
    auto Jtf = torch::matmul(J.transpose(1, 2), FY.unsqueeze(2)).squeeze(2);  // J_jᵀ f_j: [M, D]
    auto out = rbf_kernel_matmul(FX, FY, torch::cat({S, Jt, Jtf}, 1), h_);
    auto KS = out.narrow(1, 0, D);
    auto KJt = out.narrow(1, D, D * F).reshape({N, D, F});
    auto KJtf = out.narrow(1, D + D * F, D);
    auto rep = torch::matmul(KJt, FX.unsqueeze(2)).squeeze(2) - KJtf;  // Σ_j k J_jᵀ (f_i − f_j)
    return (KS + c * rep) / static_cast<double>(M);
  }
  auto out = rbf_kernel_matmul(FX, FY, torch::cat({S, FY, ones}, 1), h_);
  auto KS = out.narrow(1, 0, D), KF = out.narrow(1, D, F), K1 = out.narrow(1, D + F, 1);
  auto JX = J.narrow(0, 0, N);
  auto rep = torch::matmul(JX.transpose(1, 2), (FX * K1 - KF).unsqueeze(2)).squeeze(2);  // J_iᵀ Σ_j k (f_i − f_j)
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
