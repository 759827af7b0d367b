#pragma once
/// The monotone rational-quadratic spline of Durkan et al. (2019, "Neural spline flows"), the scalar
/// map inside the radial and polar flows (docs/method.md, "Equivariant neural transport"). K bins
/// split [lo, hi] in x and in y; inside, each bin is a ratio of quadratics fixed by its knots and the
/// positive derivatives at them; outside, the map continues linearly with the boundary derivative, so
/// it is a C¹ bijection of the real line with g(lo) = lo and g(hi) = hi.
#include <torch/types.h>

#include "esvgd/flow/flow.h"

namespace esvgd::flow {

/// Unconstrained spline parameters of every row: widths [N, K], heights [N, K] and derivatives
/// [N, K + 1] (a leading dimension of 1 broadcasts over the rows). Widths and heights go through a
/// softmax (each at least min_bin of the interval), derivatives through softplus (at least
/// min_derivative); all zeros give the identity.
struct SplineParameters {
  torch::Tensor widths, heights, derivatives;
};

/// The interval [lo, hi] of the knots (hi > lo) and the floors of bin sizes (min_bin · K < 1) and
/// derivatives (> 0); a violation is esvgd::Error(kInvalidArgument), as is a shape mismatch.
struct SplineInterval {
  double lo = 0, hi = 1;
  double min_bin = 1e-3, min_derivative = 1e-3;
};

/// Splits [N, 3K + 1] raw outputs of a network (widths, heights, derivatives) into parameters.
SplineParameters split_spline_parameters(const torch::Tensor& raw, int64_t bins);

/// y = g(x) and log g'(x) for x [N] (row i with row i of the parameters).
Transformed spline_forward(const torch::Tensor& x, const SplineParameters& p, const SplineInterval& interval);
/// x = g⁻¹(y) and log (g⁻¹)'(y) = −log g'(x).
Transformed spline_inverse(const torch::Tensor& y, const SplineParameters& p, const SplineInterval& interval);

/// g's derivative at lo (the slope of the left tail) for every row [N]; for a radial map g(r) with
/// lo = 0 it is the limit of g(r)/r at the origin.
torch::Tensor spline_slope_at_lo(const SplineParameters& p, const SplineInterval& interval);

}  // namespace esvgd::flow
