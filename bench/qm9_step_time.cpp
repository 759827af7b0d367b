// Times the pieces of one SVGD step inside the qm9 training loop (16 chains + 16 data anchors of
// C5H8O, D = 42, the paper's EGNN: 4 layers, 64 units, attention; T = 2, step 0.5) and prints one
// JSON line per kernel: the EGNN score alone (the frozen hand-written pass, and autograd for
// comparison), and whole steps with
//   rbf              raw coordinates, RBF h = 1                        (e-ebm+svgd)
//   canonical        the authors' 3-D canonical form, RBF h = 1       (e-ebm+e-svgd)
//   pair-distances   pair distances sorted per element pair, h = 1    (e-ebm+e-svgd@pair-distances-paper)
//   qm9_step_time [--threads T] [--reps R] [--chains N]
#include <chrono>
#include <functional>
#include <iostream>
#include <string>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "esvgd/data/qm9_xyz.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/egnn_energy.h"
#include "esvgd/sampler/svgd.h"

int main(int argc, char** argv) {
  using namespace esvgd;
  int threads = 1, reps = 50, chains = 16;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      std::cerr << "qm9_step_time: " << a << " needs a value (options: --threads T --reps R --chains N)\n";
      return 2;
    }
    const int v = std::stoi(argv[++i]);
    if (a == "--threads") threads = v;
    else if (a == "--reps") reps = v;
    else if (a == "--chains") chains = v;
    else {
      std::cerr << "qm9_step_time: unknown option " << a << "\n";
      return 2;
    }
  }
  if (threads < 1 || reps < 1 || chains < 1) {
    std::cerr << "qm9_step_time: threads, reps and chains must be >= 1\n";
    return 2;
  }
  at::set_num_threads(threads);
  auto gen = at::detail::createCPUGenerator(0);
  const std::vector<int64_t> z{6, 6, 6, 6, 6, 8, 1, 1, 1, 1, 1, 1, 1, 1};
  // anchors: the first molecules' coordinates (atom order does not matter for the timing)
  std::vector<torch::Tensor> rows;
  for (const auto& m : data::load_shipped_qm9()) rows.push_back(m.positions.reshape({-1}));
  auto anchors = torch::stack(rows).narrow(0, 0, chains < 48 ? chains : 48).to(torch::kFloat32);
  auto X0 = (4 * torch::rand({chains, 42}, gen, torch::kFloat64)).to(torch::kFloat32);
  torch::manual_seed(0);
  auto o = model::EgnnOptions().atomic_numbers(z);
  model::EgnnEnergy egnn(o);
  auto score = egnn->frozen_score();

  auto time = [&](const std::function<void()>& f) {
    f();  // warm-up
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) f();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / reps;
  };
  std::cout << "{\"what\": \"egnn score\", \"chains\": " << chains << ", \"threads\": " << threads
            << ", \"us\": " << time([&] { score(X0); }) << "}\n";
  std::cout << "{\"what\": \"egnn score autograd\", \"chains\": " << chains << ", \"threads\": " << threads
            << ", \"us\": " << time([&] { egnn->score_autograd(X0); }) << "}\n";
  using group::ParticleInvariant;
  const std::vector<std::pair<std::string, std::shared_ptr<kernel::Kernel>>> kernels{
      {"rbf", std::make_shared<kernel::RbfKernel>(1.0)},
      {"canonical", std::make_shared<kernel::InvariantFeatureKernel>(
                        std::make_shared<kernel::ParticleMap>(ParticleInvariant(ParticleInvariant::Kind::kCanonical, 14, 3)),
                        1.0, kernel::RepulsionForm::kReference)},
      {"pair-distances",
       std::make_shared<kernel::InvariantFeatureKernel>(
           std::make_shared<kernel::ParticleMap>(ParticleInvariant(ParticleInvariant::Kind::kPairDistances, 14, 3, z)), 1.0,
           kernel::RepulsionForm::kReference)}};
  for (const auto& [name, k] : kernels) {
    auto so = sampler::SvgdOptions().optimizer(sampler::OptimizerOptions().step_size(0.5)).temperature(2);
    sampler::Svgd svgd(score, k, so);
    const auto anchor_scores = score(anchors);  // once per SVGD run in training
    std::cout << "{\"what\": \"svgd step\", \"kernel\": \"" << name << "\", \"chains\": " << chains
              << ", \"threads\": " << threads << ", \"us\": " << time([&] { svgd.direction(X0, anchors, anchor_scores); })
              << "}\n";
  }
  return 0;
}
