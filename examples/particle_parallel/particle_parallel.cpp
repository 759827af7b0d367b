// E-SVGD on the C4 mixture with the particles split over the ranks of a job: each rank owns a
// block, every step all-gathers particles and scores once, and rank 0 gets the same particles that
// one process would. Started alone it is a job of one rank; under `esvgd launch --nproc 2 -- ...`
// (or srun, mpirun) a job of several. Rank 0 prints "particle_parallel: OK" when the split run
// equals the same run in that process alone.
#include <iostream>

#include <torch/torch.h>

#include "esvgd/dist/communicator.h"
#include "esvgd/dist/launch_env.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/sampler/particle_parallel.h"
#include "esvgd/target/gaussian_mixture.h"

using namespace esvgd;

int main() {
  const auto env = dist::launch_env();  // torchrun's, Slurm's or Open MPI's variables; none: one rank
  const dist::Communicator comm(env, dist::CommunicatorOptions().timeout_seconds(60));
  const auto target = target::cn_gaussian_mixture(4, 3.0, 1.0, 0.2);
  const kernel::OrbitMatrixKernel kernel(group::CyclicGroup(4).elements(), 0.5, "C4");
  const auto options = sampler::SvgdOptions().max_steps(300).median(true).optimizer(
      sampler::OptimizerOptions().step_size(0.1));
  auto gen = at::detail::createCPUGenerator(0);  // the same starts on every rank
  const auto X0 = 2 * torch::randn({200, 2}, gen, torch::kFloat64);

  const dist::RankExchange exchange(comm, X0.size(0));
  auto state = sampler::init(exchange.own_rows(X0), kernel, options);  // this rank's block
  const auto split = sampler::run(state, target::score_fn(target), kernel, options, exchange);
  if (comm.rank() != 0) return 0;

  auto alone = sampler::init(X0, kernel, options);
  const auto reference = sampler::run(alone, target::score_fn(target), kernel, options);
  const double diff = (split.particles - reference.particles).abs().max().item<double>();
  std::cout << comm.size() << " rank(s) (" << env.launcher << "), " << split.steps << " steps, h = " << split.bandwidth
            << ", mean log pi " << target.log_prob(split.particles).mean().item<double>()
            << ", largest difference to one process " << diff << "\n";
  const bool ok = diff < 1e-12;
  std::cout << (ok ? "particle_parallel: OK" : "particle_parallel: FAILED") << "\n";
  return ok ? 0 : 1;
}
