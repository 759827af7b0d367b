// Times one particle-parallel SVGD step (sampler/particle_parallel.h) and, alone, the all-gather of
// the particles it contains; prints one JSON line on rank 0. One process, or K under esvgd launch:
//   svgd_ranks_time --n N --d D --kernel rbf|c4 --reps R --threads T
//   esvgd launch --nproc K -- svgd_ranks_time ...           (docs/results.md, "More than one process")
#include <chrono>
#include <iostream>
#include <string>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "esvgd/dist/communicator.h"
#include "esvgd/dist/launch_env.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/sampler/particle_parallel.h"
#include "step_problem.h"

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 20000, d = 2;
  int reps = 5, threads = 1;
  std::string kind = "rbf";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--n") n = std::stoll(v);
    else if (a == "--d") d = std::stoll(v);
    else if (a == "--kernel") kind = v;
    else if (a == "--reps") reps = std::stoi(v);
    else if (a == "--threads") threads = std::stoi(v);
    else {
      std::cerr << "svgd_ranks_time: unknown option " << a << "\n";
      return 2;
    }
  }
  at::set_num_threads(threads);
  const esvgd::dist::Communicator comm(esvgd::dist::launch_env());
  const esvgd::dist::RankExchange exchange(comm, n);
  const auto kernel = esvgd::bench::make_bench_kernel(kind, 1.0);
  const esvgd::ScoreFn score = [](const torch::Tensor& X) { return -X; };
  const auto o = esvgd::sampler::SvgdOptions().optimizer(
      esvgd::sampler::OptimizerOptions().step_size(esvgd::bench::kStepSize));
  auto state = esvgd::sampler::init(exchange.own_rows(esvgd::bench::bench_particles(n, d)), *kernel, o);
  esvgd::sampler::step(state, score, *kernel, o, exchange);  // warm-up
  comm.barrier();
  double t0 = now_s();
  for (int r = 0; r < reps; ++r) esvgd::sampler::step(state, score, *kernel, o, exchange);
  const double step_ms = 1e3 * (now_s() - t0) / reps;
  comm.barrier();
  t0 = now_s();
  for (int r = 0; r < reps; ++r) exchange.gather(state.particles);
  const double gather_ms = 1e3 * (now_s() - t0) / reps;
  if (comm.rank() == 0)
    std::cout << nlohmann::json{{"n", n}, {"d", d}, {"kernel", kind}, {"ranks", comm.size()}, {"threads", threads},
                                {"ms_per_step", step_ms}, {"gather_ms", gather_ms}}.dump()
              << std::endl;
  return 0;
}
