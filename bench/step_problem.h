#pragma once
// The benchmark problem shared by svgd_step_bench and svgd_step_time: one SVGD step (Stein direction
// plus the SGD update) on N particles in D dimensions with a standard normal target (score −x, so the
// kernel dominates), float64, fixed h, repulsion temperature 1. "c4" is the exact C4 matrix orbit
// kernel (D = 2 only).
#include <memory>
#include <string>

#include <torch/torch.h>

#include "esvgd/group/cyclic.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/rbf.h"

namespace esvgd::bench {

constexpr double kStepSize = 0.01;

inline std::shared_ptr<kernel::Kernel> make_bench_kernel(const std::string& kind, double h) {
  if (kind == "c4") return std::make_shared<kernel::OrbitMatrixKernel>(group::CyclicGroup(4).elements(), h, "C4");
  return std::make_shared<kernel::RbfKernel>(h);
}

/// One SVGD step in place: X ← X + ε φ(X).
inline void svgd_step(const kernel::Kernel& k, torch::Tensor& X) {
  auto S = -X;  // score of N(0, I)
  X.add_(k.phi(X, X, S, 1.0), kStepSize);
}

inline torch::Tensor bench_particles(int64_t n, int64_t d) {
  auto gen = at::detail::createCPUGenerator(0);
  return torch::randn({n, d}, gen, torch::kFloat64);
}

}  // namespace esvgd::bench
