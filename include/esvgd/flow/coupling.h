#pragma once
/// The non-equivariant baseline: a RealNVP affine coupling layer (Dinh et al. 2017). A fixed mask
/// keeps coordinates a and maps the others by b' = b ⊙ exp(s(a)) + t(a), with s = scale · tanh(·)
/// bounded for stability; log|det| = Σ s(a). Alternate masks between layers so every coordinate moves.
#include "esvgd/flow/flow.h"

#include <torch/nn/modules/container/sequential.h>

namespace esvgd::flow {

class AffineCouplingLayer : public Layer {
 public:
  /// mask [D] of 0/1 (1: kept, conditions the others); MLP with `hidden` units, two hidden layers.
  AffineCouplingLayer(torch::Tensor mask, int64_t hidden, double max_log_scale = 2.0);
  Transformed forward(const torch::Tensor& z) override;
  Transformed inverse(const torch::Tensor& x) override;

 private:
  std::pair<torch::Tensor, torch::Tensor> scale_and_shift(const torch::Tensor& kept);
  torch::Tensor mask_;
  double max_log_scale_;
  torch::nn::Sequential net_{nullptr};
};

}  // namespace esvgd::flow
