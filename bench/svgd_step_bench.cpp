// Google Benchmark: one SVGD step (Stein direction + SGD update), RBF and the C4 matrix orbit kernel,
// N ∈ {50, 500, 2000, 10000}, D ∈ {2, 8, 64} (C4: D = 2). Threads: ESVGD_BENCH_THREADS (default 2).
#include <cstdlib>

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include "step_problem.h"

namespace {

void set_threads() {
  const char* env = std::getenv("ESVGD_BENCH_THREADS");
  at::set_num_threads(env ? std::atoi(env) : 2);
}

void BM_SvgdStep(benchmark::State& state, const char* kind) {
  set_threads();
  torch::NoGradGuard no_grad;
  const int64_t n = state.range(0), d = state.range(1);
  auto k = esvgd::bench::make_bench_kernel(kind, 1.0);
  auto X = esvgd::bench::bench_particles(n, d);
  for (auto _ : state) {
    esvgd::bench::svgd_step(*k, X);
    benchmark::DoNotOptimize(X.data_ptr<double>());
  }
  state.counters["pairs/s"] = benchmark::Counter(static_cast<double>(n) * n * (kind[0] == 'c' ? 4 : 1),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

void RbfArgs(benchmark::internal::Benchmark* b) {
  for (int64_t d : {2, 8, 64})
    for (int64_t n : {50, 500, 2000, 10000}) b->Args({n, d});
  b->Unit(benchmark::kMillisecond);
}

void C4Args(benchmark::internal::Benchmark* b) {
  for (int64_t n : {50, 500, 2000, 10000}) b->Args({n, 2});
  b->Unit(benchmark::kMillisecond);
}

}  // namespace

BENCHMARK_CAPTURE(BM_SvgdStep, rbf, "rbf")->Apply(RbfArgs);
BENCHMARK_CAPTURE(BM_SvgdStep, c4, "c4")->Apply(C4Args);
BENCHMARK_MAIN();
