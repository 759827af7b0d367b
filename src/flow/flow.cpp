// A flow as a stack of layers with a standard normal base (esvgd/flow/flow.h).
#include "esvgd/flow/flow.h"

#include <cmath>
#include <string>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::flow {

torch::Tensor standard_normal_log_prob(const torch::Tensor& z) {
  const double log_2pi = std::log(2.0 * M_PI);
  return -0.5 * z.pow(2).sum(1) - 0.5 * static_cast<double>(z.size(1)) * log_2pi;
}

Flow::Flow(int64_t dim) : dim_(dim) {
  if (dim < 1) throw Error(ErrorKind::kInvalidArgument, "Flow", "dim must be >= 1, got " + std::to_string(dim));
}

Flow& Flow::push_back(std::shared_ptr<Layer> layer) {
  if (!layer) throw Error(ErrorKind::kInvalidArgument, "Flow::push_back", "the layer is null");
  layers_.push_back(register_module("layer" + std::to_string(layers_.size()), std::move(layer)));
  return *this;
}

Transformed Flow::forward(const torch::Tensor& z) {
  if (z.dim() != 2 || z.size(1) != dim_)
    throw Error(ErrorKind::kInvalidArgument, "Flow::forward", "expects rows [N, " + std::to_string(dim_) + "]");
  Transformed t{z, torch::zeros({z.size(0)}, z.options())};
  for (const auto& layer : layers_) {
    auto next = layer->forward(t.value);
    t = {next.value, t.log_det + next.log_det};
  }
  return t;
}

Transformed Flow::inverse(const torch::Tensor& x) {
  if (x.dim() != 2 || x.size(1) != dim_)
    throw Error(ErrorKind::kInvalidArgument, "Flow::inverse", "expects rows [N, " + std::to_string(dim_) + "]");
  Transformed t{x, torch::zeros({x.size(0)}, x.options())};
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
    auto next = (*it)->inverse(t.value);
    t = {next.value, t.log_det + next.log_det};
  }
  return t;
}

torch::Tensor Flow::log_prob(const torch::Tensor& x) {
  const auto t = inverse(x);
  return standard_normal_log_prob(t.value) + t.log_det;
}

Transformed Flow::sample(int64_t n, at::Generator& gen) {
  const auto options = tensor_options();
  // Drawn on the CPU from the caller's generator: the same stream on every device.
  const auto z = torch::randn({n, dim_}, gen, options.device(torch::kCPU)).to(options.device());
  const auto t = forward(z);
  return {t.value, standard_normal_log_prob(z) - t.log_det};
}

torch::TensorOptions Flow::tensor_options() const {
  const auto params = parameters();
  if (params.empty()) return torch::TensorOptions().dtype(torch::kFloat32);
  return params.front().options().requires_grad(false);
}

}  // namespace esvgd::flow
