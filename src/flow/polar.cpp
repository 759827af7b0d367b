// The C_n-equivariant polar layer (esvgd/flow/polar.h).
#include "esvgd/flow/polar.h"

#include <cmath>
#include <string>

#include <torch/types.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"

namespace esvgd::flow {

namespace {

/// in → hidden → hidden → out with tanh; the last layer starts at zero (the layer starts as the identity).
torch::nn::Sequential conditioner(int64_t in, int64_t hidden, int64_t out) {
  torch::nn::Linear last(hidden, out);
  {
    torch::NoGradGuard no_grad;
    last->weight.zero_();
    last->bias.zero_();
  }
  return torch::nn::Sequential(torch::nn::Linear(in, hidden), torch::nn::Tanh(), torch::nn::Linear(hidden, hidden),
                               torch::nn::Tanh(), last);
}

struct Polar {
  torch::Tensor r, alpha;
};

Polar to_polar(const torch::Tensor& xy) {
  const auto x = xy.select(1, 0), y = xy.select(1, 1);
  return {(x.pow(2) + y.pow(2)).clamp_min(1e-300).sqrt(), torch::atan2(y, x)};
}

torch::Tensor from_polar(const torch::Tensor& r, const torch::Tensor& alpha) {
  return torch::stack({r * torch::cos(alpha), r * torch::sin(alpha)}, 1);
}

}  // namespace

CyclicPolarLayer::CyclicPolarLayer(int64_t order, int64_t bins, double bound, int64_t hidden)
    : order_(order), bins_(bins), radial_{0.0, bound}, sector_{0.0, 2.0 * M_PI / static_cast<double>(order)} {
  if (order < 1) throw Error(ErrorKind::kInvalidArgument, "CyclicPolarLayer", "order must be >= 1");
  if (bins < 1 || hidden < 1 || !(bound > 0))
    throw Error(ErrorKind::kInvalidArgument, "CyclicPolarLayer", "bins and hidden must be >= 1 and bound > 0");
  radial_raw_ = register_parameter("radial", torch::zeros({1, 3 * bins + 1}));
  angular_net_ = register_module("angular", conditioner(1, hidden, 3 * bins + 1));
}

std::pair<SplineParameters, torch::Tensor> CyclicPolarLayer::angular_parameters(const torch::Tensor& r_out) {
  const auto raw = angular_net_->forward((r_out / radial_.hi).unsqueeze(1));
  const auto K = bins_;
  // h fades to the identity like r'² at the origin, where a circle map that is not a rotation has
  // no smooth extension (its log h'(α) would change with the angle at every distance from 0).
  const auto fade = (r_out.pow(2) / (1 + r_out.pow(2))).unsqueeze(1);
  const auto shape = raw.narrow(1, 0, 3 * K) * fade;
  const auto derivatives = shape.narrow(1, 2 * K, K);
  // Equal slopes at both ends of the sector: the map of the circle is C¹ across sector borders.
  SplineParameters p{shape.narrow(1, 0, K), shape.narrow(1, K, K),
                     torch::cat({derivatives, derivatives.narrow(1, 0, 1)}, 1)};
  return {p, raw.select(1, 3 * K)};
}

Transformed CyclicPolarLayer::forward(const torch::Tensor& z) {
  const auto [r, alpha] = to_polar(z);
  const auto g = spline_forward(r, split_spline_parameters(radial_raw_, bins_), radial_);
  const auto [h_params, shift] = angular_parameters(g.value);
  const double width = sector_.hi;
  const auto sector = torch::floor(alpha / width);
  const auto h = spline_forward(alpha - sector * width, h_params, sector_);
  const auto alpha_out = sector * width + h.value + shift;
  return {from_polar(g.value, alpha_out), g.log_det + h.log_det + torch::log(g.value) - torch::log(r)};
}

Transformed CyclicPolarLayer::inverse(const torch::Tensor& x) {
  const auto [r_out, alpha_out] = to_polar(x);
  const auto [h_params, shift] = angular_parameters(r_out);
  const double width = sector_.hi;
  const auto unshifted = alpha_out - shift;
  const auto sector = torch::floor(unshifted / width);
  const auto h = spline_inverse(unshifted - sector * width, h_params, sector_);
  const auto alpha = sector * width + h.value;
  const auto g = spline_inverse(r_out, split_spline_parameters(radial_raw_, bins_), radial_);
  return {from_polar(g.value, alpha), g.log_det + h.log_det + torch::log(g.value) - torch::log(r_out)};
}

}  // namespace esvgd::flow
