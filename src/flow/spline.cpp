// The monotone rational-quadratic spline (esvgd/flow/spline.h; Durkan et al. 2019, eqs. 4–6 and the
// inverse by the root of a quadratic, their Appendix A).
#include "esvgd/flow/spline.h"

#include <cmath>
#include <string>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::flow {

namespace {

/// Knot positions x_k, y_k and derivatives δ_k [R, K + 1], R the parameters' rows.
struct Knots {
  torch::Tensor x, y, d;
};

/// 0 = c_0 < c_1 < … < c_K = 1 from unconstrained bin sizes, each bin at least min_bin.
torch::Tensor cumulative_bins(const torch::Tensor& raw, double min_bin) {
  const int64_t K = raw.size(-1);
  const auto sizes = torch::softmax(raw, -1) * (1.0 - min_bin * static_cast<double>(K)) + min_bin;
  const auto inner = torch::cumsum(sizes, -1).narrow(-1, 0, K - 1);
  const auto zero = torch::zeros_like(sizes.narrow(-1, 0, 1));
  return torch::cat({zero, inner, zero + 1.0}, -1);  // exact ends: g(lo) = lo, g(hi) = hi
}

/// softplus shifted so that a raw 0 gives δ = 1 (all-zero parameters: the identity).
torch::Tensor positive_derivatives(const torch::Tensor& raw, double min_derivative) {
  const double shift = std::log(std::expm1(1.0 - min_derivative));
  return torch::softplus(raw + shift) + min_derivative;
}

Knots knots(const SplineParameters& p, const SplineInterval& in) {
  const int64_t K = p.widths.size(-1);
  if (K < 1 || p.heights.size(-1) != K || p.derivatives.size(-1) != K + 1)
    throw Error(ErrorKind::kInvalidArgument, "spline parameters",
                "need widths [N, K], heights [N, K] and derivatives [N, K + 1]");
  if (!(in.hi > in.lo) || in.min_bin * static_cast<double>(K) >= 1.0 || !(in.min_derivative > 0))
    throw Error(ErrorKind::kInvalidArgument, "SplineInterval", "needs hi > lo, min_bin·K < 1 and min_derivative > 0");
  const double span = in.hi - in.lo;
  return {in.lo + span * cumulative_bins(p.widths, in.min_bin), in.lo + span * cumulative_bins(p.heights, in.min_bin),
          positive_derivatives(p.derivatives, in.min_derivative)};
}

/// The bin's left and right knot values of `k` [R, K + 1] at bin indices [N].
std::pair<torch::Tensor, torch::Tensor> at_bin(const torch::Tensor& k, const torch::Tensor& bin) {
  const auto rows = k.expand({bin.size(0), k.size(-1)});
  const auto i = bin.unsqueeze(-1);
  return {rows.gather(-1, i).squeeze(-1), rows.gather(-1, i + 1).squeeze(-1)};
}

/// Index of the bin of every value v [N] among knots [R, K + 1] (values clamped into [lo, hi]).
torch::Tensor bin_of(const torch::Tensor& v, const torch::Tensor& knots_) {
  const int64_t K = knots_.size(-1) - 1;
  const auto inner = knots_.narrow(-1, 1, K - 1).expand({v.size(0), K - 1});
  return (v.unsqueeze(-1) >= inner).sum(-1);
}

/// One bin's pieces: widths, heights, slope s, δ_k, δ_{k+1}, left knots.
struct Bin {
  torch::Tensor x0, w, y0, h, s, d0, d1;
};

Bin bin_pieces(const Knots& k, const torch::Tensor& bin) {
  auto [x0, x1] = at_bin(k.x, bin);
  auto [y0, y1] = at_bin(k.y, bin);
  auto [d0, d1] = at_bin(k.d, bin);
  const auto w = x1 - x0, h = y1 - y0;
  return {x0, w, y0, h, h / w, d0, d1};
}

/// log g' inside a bin at relative position ξ (eq. 5 of Durkan et al.).
torch::Tensor log_slope(const Bin& b, const torch::Tensor& xi) {
  const auto t = xi * (1 - xi);
  const auto numerator = b.s.pow(2) * (b.d1 * xi.pow(2) + 2 * b.s * t + b.d0 * (1 - xi).pow(2));
  const auto denominator = b.s + (b.d1 + b.d0 - 2 * b.s) * t;
  return torch::log(numerator) - 2 * torch::log(denominator);
}

/// The linear tails: where v < lo or v > hi, the line through the end knot with the end derivative.
struct Tails {
  torch::Tensor below, above, slope_lo, slope_hi;
};

Tails tails(const torch::Tensor& v, const Knots& k, const SplineInterval& in) {
  const int64_t K = k.d.size(-1) - 1;
  return {v<in.lo, v> in.hi, k.d.select(-1, 0).expand({v.size(0)}), k.d.select(-1, K).expand({v.size(0)})};
}

void check_input(const torch::Tensor& v, const SplineParameters& p, const char* what) {
  if (v.dim() != 1 || (p.widths.size(0) != 1 && p.widths.size(0) != v.size(0)))
    throw Error(ErrorKind::kInvalidArgument, what, "expects values [N] and parameters with N rows or 1");
}

}  // namespace

SplineParameters split_spline_parameters(const torch::Tensor& raw, int64_t bins) {
  if (bins < 1 || raw.size(-1) != 3 * bins + 1)
    throw Error(ErrorKind::kInvalidArgument, "split_spline_parameters",
                "needs [N, 3K + 1] values for K = " + std::to_string(bins) + " bins");
  return {raw.narrow(-1, 0, bins), raw.narrow(-1, bins, bins), raw.narrow(-1, 2 * bins, bins + 1)};
}

Transformed spline_forward(const torch::Tensor& x, const SplineParameters& p, const SplineInterval& in) {
  check_input(x, p, "spline_forward");
  const auto k = knots(p, in);
  const auto inside = x.clamp(in.lo, in.hi);  // tails evaluate the bin formula at a safe point
  const auto b = bin_pieces(k, bin_of(inside, k.x));
  const auto xi = (inside - b.x0) / b.w;
  const auto t = xi * (1 - xi);
  const auto y_in = b.y0 + b.h * (b.s * xi.pow(2) + b.d0 * t) / (b.s + (b.d1 + b.d0 - 2 * b.s) * t);
  const auto tl = tails(x, k, in);
  auto y = torch::where(tl.below, in.lo + tl.slope_lo * (x - in.lo),
                        torch::where(tl.above, in.hi + tl.slope_hi * (x - in.hi), y_in));
  auto log_d = torch::where(tl.below, torch::log(tl.slope_lo),
                            torch::where(tl.above, torch::log(tl.slope_hi), log_slope(b, xi)));
  return {y, log_d};
}

Transformed spline_inverse(const torch::Tensor& y, const SplineParameters& p, const SplineInterval& in) {
  check_input(y, p, "spline_inverse");
  const auto k = knots(p, in);
  const auto inside = y.clamp(in.lo, in.hi);
  const auto b = bin_pieces(k, bin_of(inside, k.y));
  const auto dy = inside - b.y0;
  const auto curve = b.d1 + b.d0 - 2 * b.s;
  const auto qa = b.h * (b.s - b.d0) + dy * curve;
  const auto qb = b.h * b.d0 - dy * curve;
  const auto qc = -b.s * dy;
  const auto root = torch::sqrt((qb.pow(2) - 4 * qa * qc).clamp_min(0));
  const auto xi = (2 * qc / (-qb - root)).clamp(0, 1);
  const auto tl = tails(y, k, in);
  auto x = torch::where(tl.below, in.lo + (y - in.lo) / tl.slope_lo,
                        torch::where(tl.above, in.hi + (y - in.hi) / tl.slope_hi, b.x0 + xi * b.w));
  auto log_d = torch::where(tl.below, -torch::log(tl.slope_lo),
                            torch::where(tl.above, -torch::log(tl.slope_hi), -log_slope(b, xi)));
  return {x, log_d};
}

torch::Tensor spline_slope_at_lo(const SplineParameters& p, const SplineInterval& in) {
  return positive_derivatives(p.derivatives.select(-1, 0), in.min_derivative);
}

}  // namespace esvgd::flow
