// O(n)-equivariant radial layers (esvgd/flow/radial.h).
#include "esvgd/flow/radial.h"

#include <string>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::flow {

namespace {

/// |b| with a floor far below any radius that matters, so that autograd stays finite at the origin;
/// below it g(r)/r is the spline's slope at 0, which is what g(r)/r tends to.
torch::Tensor safe_norm(const torch::Tensor& blocks) { return blocks.pow(2).sum(-1).clamp_min(1e-300).sqrt(); }

}  // namespace

RadialSplineLayer::RadialSplineLayer(int64_t dim, int64_t block, int64_t bins, double bound)
    : dim_(dim), block_(block), bins_(bins), interval_{0.0, bound} {
  if (block < 1 || dim < 1 || dim % block != 0)
    throw Error(ErrorKind::kInvalidArgument, "RadialSplineLayer",
                "dim " + std::to_string(dim) + " is not a multiple of the block " + std::to_string(block));
  if (bins < 1) throw Error(ErrorKind::kInvalidArgument, "RadialSplineLayer", "bins must be >= 1");
  if (!(bound > 0)) throw Error(ErrorKind::kInvalidArgument, "RadialSplineLayer", "bound must be > 0");
  raw_ = register_parameter("raw", torch::zeros({1, 3 * bins + 1}));
}

Transformed RadialSplineLayer::apply(const torch::Tensor& rows, bool inverse) {
  const int64_t n = rows.size(0);
  const auto blocks = rows.reshape({n, dim_ / block_, block_});
  const auto r = safe_norm(blocks);
  const auto p = split_spline_parameters(raw_, bins_);
  const auto g = inverse ? spline_inverse(r.flatten(), p, interval_) : spline_forward(r.flatten(), p, interval_);
  const auto ratio = g.value.view_as(r) / r;
  const auto log_det = g.log_det.view_as(r) + static_cast<double>(block_ - 1) * torch::log(ratio);
  return {(blocks * ratio.unsqueeze(-1)).reshape({n, dim_}), log_det.sum(1)};
}

Transformed RadialSplineLayer::forward(const torch::Tensor& z) { return apply(z, false); }
Transformed RadialSplineLayer::inverse(const torch::Tensor& x) { return apply(x, true); }

ScaleLayer::ScaleLayer(int64_t dim) : dim_(dim) { log_scale_ = register_parameter("log_scale", torch::zeros({1})); }

Transformed ScaleLayer::forward(const torch::Tensor& z) {
  return {z * log_scale_.exp(), (static_cast<double>(dim_) * log_scale_).expand({z.size(0)})};
}

Transformed ScaleLayer::inverse(const torch::Tensor& x) {
  return {x * (-log_scale_).exp(), (-static_cast<double>(dim_) * log_scale_).expand({x.size(0)})};
}

}  // namespace esvgd::flow
