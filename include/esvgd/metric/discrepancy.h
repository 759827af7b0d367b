#pragma once
/// Sample-quality discrepancies with the RBF kernel k(x, y) = exp(−‖x − y‖²/(2h²)).
///
/// MMD² (unbiased, Gretton et al. 2012):
///   mean_{i≠i'} k(x_i, x_i') + mean_{j≠j'} k(y_j, y_j') − 2 mean_{i,j} k(x_i, y_j)
/// Kernel Stein discrepancy KSD² (U-statistic, Liu, Lee & Jordan 2016) of X against a score s:
///   mean_{i≠j} u(x_i, x_j),  u = k [ s_i·s_j + (s_i − s_j)·(x_i − x_j)/h² + D/h² − ‖x_i − x_j‖²/h⁴ ]
/// Both may be slightly negative (unbiased estimators); they are reported as is.
#include <torch/types.h>

namespace esvgd::metric {

/// Unbiased MMD² between X [N, D] and Y [M, D] (N, M ≥ 2).
double mmd2(const torch::Tensor& X, const torch::Tensor& Y, double h);

/// KSD² U-statistic of X [N ≥ 2, D] with scores S [N, D].
double ksd2(const torch::Tensor& X, const torch::Tensor& S, double h);

/// The median heuristic bandwidth of a reference sample, h = sqrt(med ‖y − y'‖² / 2): a fixed scale
/// for comparing several particle sets against one truth.
double reference_bandwidth(const torch::Tensor& Y);

}  // namespace esvgd::metric
