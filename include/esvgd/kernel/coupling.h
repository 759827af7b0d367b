#pragma once
/// How strongly a kernel ties particles together, for diagnostics and for normalising the Stein
/// direction by the kernel mass (docs/method.md, "Kernels that couple").
///
/// The strength of a pair is s(x, y) = k(x, y) for a scalar kernel and ‖K(x, y)‖_F / √D for a
/// matrix-valued one (which equals k when K = k·I). A particle *interacts* with y_j when
/// s(x_i, y_j) > threshold (1e-3 by default): below that its term in φ(x_i) is lost next to the
/// self term, whatever the score.
#include <cstdint>

#include <torch/types.h>

namespace esvgd::kernel {

class Kernel;

/// s(x_i, y_j) for X [N, D], Y [M, D]: [N, M] in X's dtype, computed in row chunks (a matrix
/// kernel's Gram matrix is [N, M, D, D]).
torch::Tensor kernel_strength(const Kernel& kernel, const torch::Tensor& X, const torch::Tensor& Y);

/// The kernel mass (1/M) Σ_j s(x_i, y_j): [N], the quantity the kernel-mass normalisation divides by.
torch::Tensor kernel_mass(const Kernel& kernel, const torch::Tensor& X, const torch::Tensor& Y);

/// Mean over moving particles of #{j ≠ i : s(x_i, y_j) > threshold}, where Y[:N] == X (y_i is x_i
/// itself and is not counted). At most max_rows evenly spaced rows of X are measured (no
/// randomness, so that a diagnostic never changes a run's random stream).
double mean_interacting(const Kernel& kernel, const torch::Tensor& X, const torch::Tensor& Y, double threshold = 1e-3,
                        int64_t max_rows = 128);

}  // namespace esvgd::kernel
