// RealNVP affine coupling (esvgd/flow/coupling.h).
#include "esvgd/flow/coupling.h"

#include <torch/types.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"

namespace esvgd::flow {

AffineCouplingLayer::AffineCouplingLayer(torch::Tensor mask, int64_t hidden, double max_log_scale)
    : max_log_scale_(max_log_scale) {
  if (mask.dim() != 1 || mask.size(0) < 1)
    throw Error(ErrorKind::kInvalidArgument, "AffineCouplingLayer", "the mask must be a vector [D]");
  if (hidden < 1 || !(max_log_scale > 0))
    throw Error(ErrorKind::kInvalidArgument, "AffineCouplingLayer", "hidden must be >= 1 and max_log_scale > 0");
  const int64_t D = mask.size(0);
  mask_ = register_buffer("mask", mask.to(torch::kFloat32));
  torch::nn::Linear last(hidden, 2 * D);
  {
    torch::NoGradGuard no_grad;  // a new layer is the identity
    last->weight.zero_();
    last->bias.zero_();
  }
  net_ = register_module("net", torch::nn::Sequential(torch::nn::Linear(D, hidden), torch::nn::Tanh(),
                                                      torch::nn::Linear(hidden, hidden), torch::nn::Tanh(), last));
}

std::pair<torch::Tensor, torch::Tensor> AffineCouplingLayer::scale_and_shift(const torch::Tensor& kept) {
  const int64_t D = mask_.size(0);
  const auto out = net_->forward(kept);
  const auto moved = 1 - mask_;
  const auto s = max_log_scale_ * torch::tanh(out.narrow(1, 0, D) / max_log_scale_) * moved;
  return {s, out.narrow(1, D, D) * moved};
}

Transformed AffineCouplingLayer::forward(const torch::Tensor& z) {
  const auto kept = z * mask_;
  const auto [s, t] = scale_and_shift(kept);
  return {kept + (1 - mask_) * (z * s.exp() + t), s.sum(1)};
}

Transformed AffineCouplingLayer::inverse(const torch::Tensor& x) {
  const auto kept = x * mask_;
  const auto [s, t] = scale_and_shift(kept);
  return {kept + (1 - mask_) * ((x - t) * (-s).exp()), -s.sum(1)};
}

}  // namespace esvgd::flow
