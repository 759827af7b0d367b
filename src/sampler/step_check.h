#pragma once
// Bookkeeping shared by the samplers' step(): the mean displacement and the finiteness check, and
// the standard normal noise of a step.
#include <cmath>
#include <utility>

#include <torch/types.h>

namespace esvgd::sampler {

class ParticleExchange;

/// {(1/N) Σ_i ‖Δx_i‖, X all finite} for X, dx [N, D]: one pass over contiguous CPU data (SVGD steps
/// inside CD are a few tens of microseconds, and two reductions with .item() would add ~15 of them).
std::pair<double, bool> displacement_and_finite(const torch::Tensor& X, const torch::Tensor& dx);

/// A step's new particles with its bookkeeping: next = X + scale·dx, the mean displacement
/// (1/N) Σ_i ‖scale·dx_i‖ and whether next is finite.
struct Moved {
  torch::Tensor next;
  double mean_displacement;
  bool finite;
};

/// X + scale·dx for X, dx [N, D], scale·dx rounded to the dtype before the sum as `scale * dx` is:
/// one pass and one allocation over contiguous CPU data of one dtype (the SGD step's scaling, sum and
/// check would otherwise cost two tensors and two passes of a ~15 µs CD step), tensor ops elsewhere.
Moved moved_by(const torch::Tensor& X, const torch::Tensor& dx, double scale);

/// ξ ~ N(0, I) shaped like this process's particles X [n, D], drawn on the CPU from `gen`; with an
/// exchange, drawn for all N rows and this process's block kept, so that K processes give the
/// chains of one (particle_parallel.h).
torch::Tensor noise_rows(const torch::Tensor& X, at::Generator& gen, const ParticleExchange* ex);

}  // namespace esvgd::sampler
