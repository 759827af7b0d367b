#pragma once
// Bookkeeping shared by the samplers' step(): the mean displacement and the finiteness check.
#include <cmath>
#include <utility>

#include <torch/types.h>

namespace esvgd::sampler {

/// {(1/N) Σ_i ‖Δx_i‖, X all finite} for X, dx [N, D]: one pass over contiguous CPU data (SVGD steps
/// inside CD are a few tens of microseconds, and two reductions with .item() would add ~15 of them).
std::pair<double, bool> displacement_and_finite(const torch::Tensor& X, const torch::Tensor& dx);

}  // namespace esvgd::sampler
