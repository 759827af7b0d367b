#pragma once
/// Density fit of 2-D models by numerical normalisation: log densities known up to a constant are
/// evaluated on a regular grid, normalised there (a Riemann sum), and compared.
#include <torch/types.h>

namespace esvgd::metric {

/// Cell centres of an n × n grid over [lo, hi]²: [n·n, 2] float64, x varying fastest (row-major
/// [ny][nx], the layout of an image with its origin at the lower left).
torch::Tensor grid_points(double lo, double hi, int64_t n);

struct GridKl {
  double forward = 0;  ///< KL(p ‖ q): p's mass where q has little (q misses modes of p)
  double reverse = 0;  ///< KL(q ‖ p)
};

/// KL divergences between the two densities whose unnormalised logs on the same grid cells are
/// log_p and log_q ([G] each, finite): each is normalised over the grid (equal cell areas cancel).
/// Approximates the continuous KLs when the grid covers both densities' mass and resolves them.
GridKl grid_kl(const torch::Tensor& log_p, const torch::Tensor& log_q);

}  // namespace esvgd::metric
