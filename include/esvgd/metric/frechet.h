#pragma once
/// The Fréchet distance between two sets of feature vectors (Heusel et al. 2017, "FID" when the
/// features come from an Inception network): the 2-Wasserstein distance squared between the
/// Gaussians with the sets' means and covariances,
///   FD = ‖μ_A − μ_B‖² + tr(Σ_A + Σ_B − 2 (Σ_A^½ Σ_B Σ_A^½)^½).
/// The matrix square roots come from symmetric eigendecompositions in float64 (eigenvalues clamped
/// at 0), so FD ≥ 0 up to rounding for any positive semi-definite pair, also for commuting ones.
#include <torch/types.h>

namespace esvgd::metric {

/// FD between the rows of A [N ≥ 2, F] and B [M ≥ 2, F] (sample covariances with N − 1).
/// Throws esvgd::Error(kInvalidArgument) on other shapes or non-finite features.
double frechet_distance(const torch::Tensor& A, const torch::Tensor& B);

}  // namespace esvgd::metric
