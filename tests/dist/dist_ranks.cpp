// The collectives between real processes, run by CTest under `esvgd launch --nproc 2`:
//   dist_ranks svgd [TIMEOUT]   particle-parallel SVGD equals one process (RBF, C4 orbit matrix, a
//                               feature kernel, median bandwidth, Adam, the noisy step, anchors) to 1e-12, and the
//                               collectives' results; prints "dist_ranks: OK" on rank 0
//   dist_ranks cd [TIMEOUT]     data-parallel contrastive divergence (SVGD with anchors, replay buffer
//                               and the JEM loss; Langevin negatives) gives the same parameters on
//                               every rank and those of one process with the same batches (1e-5),
//                               and a run resumed from rank 0's checkpoint equals an uninterrupted one
//   dist_ranks die [TIMEOUT]    rank 1 kills itself after the rendezvous; rank 0's next collective
//                               must fail with a clear error (tests/dist/failures.sh)
//   dist_ranks join [TIMEOUT]   the rendezvous only (failures.sh starts one rank of two)
#include <signal.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/dist/communicator.h"
#include "esvgd/dist/launch_env.h"
#include "esvgd/dist/rank_exchange.h"
#include "esvgd/group/cyclic.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/orbit_matrix.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/sampler/particle_parallel.h"
#include "esvgd/target/gaussian_mixture.h"
#include "esvgd/train/cd_trainer.h"

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
  // A feature kernel prepares the anchors' features, and its moving rows are not Y's first rows.
  const kernel::InvariantFeatureKernel radius(std::make_shared<kernel::RadiusMap>(), 0.6,
                                              kernel::RepulsionForm::kReference);
  same_as_one_process(comm, "radius feature kernel with anchors", radius, sgd,
                      torch::tensor({{3.0, 0.0}, {0.0, -3.0}}, torch::kFloat64));
  same_as_one_process(comm, "c4 with anchors, stopping at epsilon", c4, sampler::SvgdOptions(sgd).max_steps(500).epsilon(2e-3),
                      torch::tensor({{3.0, 0.0}, {0.0, -3.0}}, torch::kFloat64));
}


// ---- data-parallel contrastive divergence ----

/// Two labelled blobs of 48 points (the JEM head's two classes).
data::TrainingData labelled_blobs() {
  auto gen = at::detail::createCPUGenerator(5);
  const auto x = torch::cat({2 + 0.5 * torch::randn({24, 2}, gen, torch::kFloat64),
                             -2 + 0.5 * torch::randn({24, 2}, gen, torch::kFloat64)});
  return {x, torch::cat({torch::zeros({24}, torch::kLong), torch::ones({24}, torch::kLong)}), {}};
}

struct Trained {
  std::vector<torch::Tensor> parameters;
  torch::Tensor chains, replay;
  std::vector<double> losses;  ///< per batch
};

/// Trains a fresh JEM-head MLP (the same initial weights every time) for `epochs` on the ranks
/// (null: this process alone), resuming from `checkpoint` first when it is given and exists.
Trained train_cd(train::CdOptions o, int64_t epochs, const core::Collectives* ranks, const std::string& checkpoint = "") {
  torch::manual_seed(3);
  const auto model = model::EnergyModel(model::EnergyModelOptions().hidden({16, 16}).head(model::Head::kJem).outputs(2));
  o.epochs(epochs).checkpoint_path(checkpoint).checkpoint_every(1).fingerprint("dist_ranks");
  const auto svgd = sampler::SvgdOptions().max_steps(6).temperature(2.0);
  train::CdTrainer trainer(model.ptr(), std::make_shared<kernel::RbfKernel>(0.8), svgd, o, 21, ranks);
  trainer.resume();
  trainer.fit(labelled_blobs());
  Trained t{{}, trainer.chains(), trainer.replay(), {}};
  for (const auto& p : trainer.model().parameters()) t.parameters.push_back(p.detach().clone());
  for (const auto& b : trainer.batches()) t.losses.push_back(b.loss);
  return t;
}

double largest_difference(const Trained& a, const Trained& b) {
  double worst = max_diff(a.chains, b.chains);
  for (size_t i = 0; i < a.parameters.size(); ++i) worst = std::max(worst, max_diff(a.parameters[i], b.parameters[i]));
  for (size_t i = 0; i < a.losses.size(); ++i) worst = std::max(worst, std::abs(a.losses[i] - b.losses[i]));
  return worst;
}

bool identical(const Trained& a, const Trained& b) {
  if (!torch::equal(a.chains, b.chains) || a.losses != b.losses) return false;
  for (size_t i = 0; i < a.parameters.size(); ++i)
    if (!torch::equal(a.parameters[i], b.parameters[i])) return false;
  return true;
}

/// Every rank holds the same parameters, bit for bit.
bool same_on_every_rank(const dist::Communicator& comm, const Trained& t) {
  std::vector<torch::Tensor> flat;
  for (const auto& p : t.parameters) flat.push_back(p.reshape({-1}));
  const auto mine = torch::cat(flat).unsqueeze(0);
  const auto all = comm.all_gather_rows(mine);
  return torch::equal(all, mine.expand_as(all));
}

void data_parallel_case(const dist::Communicator& comm, const std::string& name, const train::CdOptions& o) {
  const auto split = train_cd(o, 4, &comm);
  const auto alone = train_cd(o, 4, nullptr);
  check(same_on_every_rank(comm, split), name + ": the ranks' parameters differ");
  check(split.losses.size() == alone.losses.size(), name + ": batch count");
  const double worst = largest_difference(split, alone);
  check(worst < 1e-5, name + ": " + std::to_string(comm.size()) + " ranks differ from one process by " + std::to_string(worst));
  if (o.replay_size() > 0) check(max_diff(split.replay, alone.replay) < 1e-5, name + ": replay buffer");
  if (comm.rank() == 0) std::cout << name << ": largest difference to one process " << worst << "\n";
}

void cd_checks(const dist::Communicator& comm) {
  const auto base = train::CdOptions()
                        .batch_size(15)  // 15: the ranks' shares differ
                        .reset_probability(0.3)
                        .ce_weight(1.0)
                        .energy_l2(0.1)
                        .grad_clip(5.0)
                        .svgd_step_size(train::Schedule(0.2));
  data_parallel_case(comm, "cd: svgd, anchors, jem loss", base);
  data_parallel_case(comm, "cd: svgd, replay buffer, uniform starts",
                     train::CdOptions(base).replay_size(40).chain_init(train::ChainInit::kUniform).anchors(false));
  data_parallel_case(comm, "cd: langevin",
                     train::CdOptions(base).sampler(train::NegativeSampler::kLangevin).langevin(
                         sampler::LangevinOptions().max_steps(10).step_size(0.01)));
  try {
    train_cd(train::CdOptions(base).batch_size(1), 1, &comm);
    check(false, "cd: a batch smaller than the number of ranks was accepted");
  } catch (const Error& e) {
    check(std::string(e.what()).find("at least the number of ranks (2)") != std::string::npos, e.what());
  }
  // Resumed from rank 0's checkpoint (the other ranks read none): the uninterrupted run, bit for bit.
  const auto dir = std::filesystem::temp_directory_path() / ("dist_ranks_cd_" + std::string(std::getenv("MASTER_PORT")));
  const auto own = [&](const std::string& file) { return comm.rank() == 0 ? (dir / file).string() : ""; };
  const auto full = train_cd(base, 4, &comm, own("full.pt"));
  train_cd(base, 2, &comm, own("part.pt"));
  const auto resumed = train_cd(base, 4, &comm, own("part.pt"));
  check(identical(full, resumed), "cd: the resumed run differs from the uninterrupted one");
  check(comm.rank() != 0 || std::filesystem::exists(dir / "part.pt"), "cd: rank 0 wrote no checkpoint");
  if (comm.rank() == 0) std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "svgd";
  const double timeout = argc > 2 ? std::stod(argv[2]) : 60;
  try {
    const dist::Communicator comm(dist::launch_env(), dist::CommunicatorOptions().timeout_seconds(timeout));
    if (mode == "svgd") {
      svgd_checks(comm);
    } else if (mode == "cd") {
      cd_checks(comm);
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
