// The collectives between real processes, run by CTest under `esvgd launch --nproc 2`:
//   dist_ranks svgd [TIMEOUT]   particle-parallel SVGD equals one process (RBF, C4 orbit matrix,
//                               median bandwidth, Adam, the noisy step, anchors) to 1e-12, and the
//                               collectives' results; prints "dist_ranks: OK" on rank 0
//   dist_ranks die [TIMEOUT]    rank 1 kills itself after the rendezvous; rank 0's next collective
//                               must fail with a clear error (tests/dist/failures.sh)
//   dist_ranks join [TIMEOUT]   the rendezvous only (failures.sh starts one rank of two)
#include <signal.h>

#include <cmath>
#include <iostream>
#include <string>

#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "esvgd/dist/communicator.h"
#include "esvgd/dist/launch_env.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/sampler/particle_parallel.h"
#include "esvgd/target/gaussian_mixture.h"

using namespace esvgd;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "dist_ranks: FAILED: " << what << "\n";
    ++failures;
  }
}

double max_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

/// One SVGD run split over the ranks against the same run in this process alone.
void same_as_one_process(const dist::Communicator& comm, const std::string& name, const kernel::Kernel& kernel,
                         const sampler::SvgdOptions& o, const torch::Tensor& anchors = {}) {
  const auto target = target::cn_gaussian_mixture(4, 3.0, 1.0, 0.2);
  const auto score = target::score_fn(target);
  auto gen = at::detail::createCPUGenerator(11);
  const auto X0 = 2 * torch::randn({37, 2}, gen, torch::kFloat64);  // 37: the blocks differ in size
  auto alone = sampler::init(X0, kernel, o, anchors);
  const auto reference = sampler::run(alone, score, kernel, o);

  const dist::RankExchange exchange(comm, X0.size(0));
  auto split = sampler::init(exchange.own_rows(X0), kernel, o, anchors);
  const auto result = sampler::run(split, score, kernel, o, exchange);
  check(max_diff(split.particles, exchange.own_rows(reference.particles)) < 1e-12, name + ": this rank's rows");
  check(max_diff(result.particles, reference.particles) < 1e-12, name + ": the gathered particles");
  check(result.steps == reference.steps, name + ": steps");
  check(std::abs(result.bandwidth - reference.bandwidth) <= 1e-12 * reference.bandwidth, name + ": bandwidth");
  check(result.interacting == reference.interacting, name + ": coupling");
}

void collectives(const dist::Communicator& comm) {
  const int64_t r = comm.rank();
  const auto own = torch::full({r + 1, 2}, static_cast<double>(r), torch::kFloat64);  // counts 1, 2, ...
  const auto all = comm.all_gather_rows(own);
  check(all.size(0) == comm.size() * (comm.size() + 1) / 2, "all_gather_rows: row count");
  check(all[0][0].item<double>() == 0 && all[-1][1].item<double>() == comm.size() - 1, "all_gather_rows: order");
  const auto sum = comm.all_reduce_sum(torch::tensor({1.0, static_cast<double>(r)}, torch::kFloat64));
  check(sum[0].item<double>() == comm.size(), "all_reduce_sum");
  const auto b = comm.broadcast(torch::tensor({static_cast<double>(r) + 5}, torch::kFloat64), 0);
  check(b[0].item<double>() == 5, "broadcast from rank 0");
  try {
    dist::RankExchange too_few(comm, comm.size() - 1);
    check(false, "RankExchange with fewer particles than ranks");
  } catch (const Error& e) {
    check(std::string(e.what()).find("at least one particle per rank") != std::string::npos, e.what());
  }
}

void svgd_checks(const dist::Communicator& comm) {
  collectives(comm);
  auto gen = at::detail::createCPUGenerator(0);
  const kernel::RbfKernel rbf(0.7);
  const kernel::OrbitMatrixKernel c4(group::CyclicGroup(4), 0.5, 64, gen);
  const auto sgd = sampler::SvgdOptions().max_steps(30).optimizer(sampler::OptimizerOptions().step_size(0.05));
  same_as_one_process(comm, "rbf", rbf, sgd);
  same_as_one_process(comm, "c4 orbit matrix, median h, adam", c4,
                      sampler::SvgdOptions().max_steps(30).median(true).optimizer(
                          sampler::OptimizerOptions().kind(sampler::OptimizerKind::kAdam).step_size(0.05)));
  same_as_one_process(comm, "noisy svgd, kernel mass", rbf,
                      sampler::SvgdOptions(sgd).langevin(true).langevin_noise(0.3).kernel_mass(true));
  same_as_one_process(comm, "c4 with anchors, stopping at epsilon", c4, sampler::SvgdOptions(sgd).max_steps(500).epsilon(2e-3),
                      torch::tensor({{3.0, 0.0}, {0.0, -3.0}}, torch::kFloat64));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "svgd";
  const double timeout = argc > 2 ? std::stod(argv[2]) : 60;
  try {
    const dist::Communicator comm(dist::launch_env(), dist::CommunicatorOptions().timeout_seconds(timeout));
    if (mode == "svgd") {
      svgd_checks(comm);
    } else if (mode == "die") {
      comm.barrier();
      if (comm.rank() == 1) raise(SIGKILL);
      for (int i = 0; i < 1000; ++i) comm.all_reduce_sum(torch::ones({1}, torch::kFloat64));
      check(false, "the collectives went on after rank 1 died");
    }
    if (comm.rank() == 0) std::cout << "dist_ranks " << mode << ": " << (failures ? "FAILED" : "OK") << "\n";
  } catch (const std::exception& e) {
    std::cerr << "dist_ranks: " << e.what() << "\n";
    return 1;
  }
  return failures ? 1 : 0;
}
