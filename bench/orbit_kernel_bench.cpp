// Google Benchmark: the exact O(2) × S_P orbit kernel's Stein direction φ in the DW-4 loop's shape
// (64 chains against 128 points, P = 4 particles in the plane, float32, one thread), from the tuned
// presets' bandwidth h = 1 down to the paper's 0.001, where most orbit pairs underflow and are skipped.
// The argument is 1000 h.
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/types.h>

#include "esvgd/kernel/particle_orbit.h"

namespace {

void BM_ParticleOrbitPhi(benchmark::State& state) {
  at::set_num_threads(1);
  const double h = static_cast<double>(state.range(0)) / 1000.0;
  auto gen = at::detail::createCPUGenerator(29);
  // Configurations of 4 particles around a common random offset, as in the kernel's tests.
  auto Y = (torch::randn({128, 8}, gen, torch::kFloat64) + torch::randn({128, 1}, gen, torch::kFloat64))
               .to(torch::kFloat32);
  auto X = Y.narrow(0, 0, 64);
  auto S = torch::randn(Y.sizes(), gen, torch::kFloat32);
  const esvgd::kernel::ParticleOrbitKernel kernel(4, h);
  for (auto _ : state) benchmark::DoNotOptimize(kernel.phi(X, Y, S, 1.0));
}
BENCHMARK(BM_ParticleOrbitPhi)->Arg(1000)->Arg(300)->Arg(100)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
