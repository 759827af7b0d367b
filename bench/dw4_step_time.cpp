// Times one SVGD step inside the dw4 training loop (64 chains + 64 data anchors, D = 8, the
// 8-64-64-1 MLP energy E = log(1 + o²), T = 2, step 0.1) for bench/dw4_compare, and prints one JSON
// line. --kernel picks the model and the sampler as the dw4 combinations do:
//   regular          raw coordinates, RBF h = 0.1                    (ebm+svgd)
//   canonical        the authors' canonical form in the model and the kernel (RBF h = 0.001, reference form)
//   pair-distances   sorted pair distances in the model and the kernel (RBF h = 0.001, reference form)
//   orbit-matrix     sorted pair distances in the model, the exact O(2) x S4 orbit kernel (h = 0.001, T = 1)
//   dw4_step_time --kernel K --threads T --reps R [--dump DIR]
// --dump writes the weights, chains, anchors and the particles after one step as .npy, so that the
// Python side can run the identical step and check it.
#include <chrono>
#include <iostream>
#include <string>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "esvgd/core/npy.h"
#include "esvgd/data/dw4_data.h"
#include "esvgd/kernel/invariant_feature.h"
#include "esvgd/kernel/particle_orbit.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/sampler/svgd.h"

int main(int argc, char** argv) {
  using namespace esvgd;
  std::string kind = "regular", dump;
  int threads = 1, reps = 2000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "dw4_step_time: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--kernel") kind = next();
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "--dump") dump = next();
    else {
      std::cerr << "dw4_step_time: unknown option " << a << "\n";
      return 2;
    }
  }
  if ((kind != "regular" && kind != "canonical" && kind != "pair-distances" && kind != "orbit-matrix") || threads < 1 ||
      reps < 1) {
    std::cerr << "dw4_step_time: need --kernel regular|canonical|pair-distances|orbit-matrix, threads, reps >= 1\n";
    return 2;
  }
  at::set_num_threads(threads);
  auto gen = at::detail::createCPUGenerator(0);
  auto data = data::read_configurations(data::shipped_data_path("dw4/jaini2021_fixed_DW4.npy"), 8);
  auto anchors = data.index_select(0, torch::randperm(data.size(0), gen, torch::kLong).narrow(0, 0, 64)).to(torch::kFloat32);
  auto chains = (-5 + 10 * torch::rand({64, 8}, gen, torch::kFloat64)).to(torch::kFloat32);
  torch::manual_seed(0);
  const auto o = model::EnergyModelOptions().dim(8).hidden({64, 64}).symmetry(
      kind == "regular"     ? model::Symmetry::kNone
      : kind == "canonical" ? model::Symmetry::kCanonical
                            : model::Symmetry::kPairDistances);
  model::EnergyModel m(o);
  std::shared_ptr<kernel::Kernel> k;
  double T = 2.0;
  if (kind == "regular") k = std::make_shared<kernel::RbfKernel>(0.1);
  else if (kind == "orbit-matrix") k = std::make_shared<kernel::ParticleOrbitKernel>(4, 0.001), T = 1.0;
  else
    k = std::make_shared<kernel::InvariantFeatureKernel>(
        std::make_shared<kernel::ParticleMap>(*m->particle_invariant()), 0.001, kernel::RepulsionForm::kReference);
  auto so = sampler::SvgdOptions()
                .optimizer(sampler::OptimizerOptions().step_size(0.1))
                .temperature(T)
                .max_steps(1);
  auto score = m->frozen_score();
  if (!dump.empty()) {
    const auto& layers = m->network()->layers();
    for (size_t l = 0; l < layers.size(); ++l) {
      core::write_npy(dump + "/W" + std::to_string(l) + ".npy", layers[l]->weight.detach());
      core::write_npy(dump + "/b" + std::to_string(l) + ".npy", layers[l]->bias.detach());
    }
    core::write_npy(dump + "/chains.npy", chains);
    core::write_npy(dump + "/anchors.npy", anchors);
    sampler::Svgd one(score, k, so);
    core::write_npy(dump + "/one_step.npy", one.run(chains, anchors).particles);
  }
  so.max_steps(reps);
  sampler::Svgd svgd(score, k, so);
  svgd.run(chains, anchors);  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  auto result = svgd.run(chains, anchors);
  const double us = 1e6 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
  std::cout << nlohmann::json{{"kernel", kind}, {"threads", threads}, {"us_per_step", us}, {"reps", reps},
                              {"steps", result.steps}}
                   .dump()
            << std::endl;
  return 0;
}
