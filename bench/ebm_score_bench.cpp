// Google Benchmark: the score -grad_x E of the jem-c4 energy (MLP 2-32-64-64-64-32-2, JEM head) for a
// batch of N points, by the frozen fast path and by autograd, regular and C4-averaged models.
// Threads: ESVGD_BENCH_THREADS (default 1). See bench/jem_compare for the whole SVGD step vs Python.
#include <cstdlib>

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "esvgd/model/energy_model.h"

namespace {

esvgd::model::EnergyModel jem_model(bool equivariant) {
  torch::manual_seed(0);
  auto o = esvgd::model::EnergyModelOptions()
               .hidden({32, 64, 64, 64, 32})
               .head(esvgd::model::Head::kJem)
               .outputs(2)
               .symmetry(equivariant ? esvgd::model::Symmetry::kCyclic : esvgd::model::Symmetry::kNone);
  return esvgd::model::EnergyModel(o);
}

void BM_Score(benchmark::State& state, bool frozen, bool equivariant) {
  const char* env = std::getenv("ESVGD_BENCH_THREADS");
  at::set_num_threads(env ? std::atoi(env) : 1);
  auto model = jem_model(equivariant);
  auto X = 10 * torch::randn({state.range(0), 2});
  auto score = frozen ? model->frozen_score() : [model](const torch::Tensor& x) mutable {
    return model->score_autograd(x);
  };
  for (auto _ : state) benchmark::DoNotOptimize(score(X).data_ptr<float>());
  state.counters["points/s"] = benchmark::Counter(static_cast<double>(state.range(0)),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

void Sizes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {32, 64, 256, 1024}) b->Arg(n);
  b->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK_CAPTURE(BM_Score, frozen_regular, true, false)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Score, autograd_regular, false, false)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Score, frozen_c4, true, true)->Apply(Sizes);
BENCHMARK_CAPTURE(BM_Score, autograd_c4, false, true)->Apply(Sizes);
BENCHMARK_MAIN();
