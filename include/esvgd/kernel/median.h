#pragma once
/// The median heuristic on the kernel's own geometry (Liu & Wang 2016):
///   2h² = med{ d²(x_i, x_j) : i < j } / log(N + 1),
/// with d² = Kernel::pair_sq_dist (orbit kernels: distance between orbits; feature kernels: between
/// features). Exact when N(N−1)/2 ≤ max_pairs; otherwise the median of max_pairs pairs drawn with
/// the given generator (deterministic for a seed). "Median" is the lower median, element ⌊(P−1)/2⌋
/// of the sorted values.
#include <torch/types.h>

namespace esvgd::kernel {

class Kernel;

/// Median of the pairwise squared kernel distances of the rows of X [N ≥ 2, D].
double median_sq_distance(const Kernel& kernel, const torch::Tensor& X, int64_t max_pairs, at::Generator& gen);

/// h from the median heuristic; returns 0 when all particles coincide (callers keep their h then).
double median_bandwidth(const Kernel& kernel, const torch::Tensor& X, int64_t max_pairs, at::Generator& gen);

}  // namespace esvgd::kernel
