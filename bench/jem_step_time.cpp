// Times one SVGD step inside the jem-c4 training loop (32 chains + 32 data anchors, the
// 2-32-64-64-64-32-2 JEM MLP, RBF h = 0.1, T = 2, step 0.9) for bench/jem_compare, and prints one
// JSON line. Modes differ only in how the score -grad_x E is computed:
//   fast       FrozenMlp: hand-written forward/backward, preallocated buffers (what esvgd runs)
//   torch-ops  the same backward written with torch ops under NoGradGuard (no graph, no intrinsics)
//   autograd   torch::autograd::grad through the module (a graph built and freed every step)
//   jem_step_time --mode fast|torch-ops|autograd --model regular|equivariant --threads T --reps R [--dump DIR]
// --dump writes the weights, chains, anchors and the particles after one step (fast mode) as .npy,
// so that the Python side can run the identical step and check it.
#include <chrono>
#include <iostream>
#include <string>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "esvgd/core/npy.h"
#include "esvgd/data/toy_data.h"
#include "esvgd/kernel/rbf.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/sampler/svgd.h"
#include "esvgd/target/gaussian_mixture.h"

namespace {

constexpr int64_t kChains = 32;
constexpr double kBandwidth = 0.1, kStepSize = 0.9, kTemperature = 2.0;

/// −∇_x E for the JEM joint energy through the plain MLP, written with torch ops (no autograd).
esvgd::ScoreFn torch_ops_score(esvgd::model::EnergyModel& m) {
  std::vector<torch::Tensor> W, b;
  for (const auto& l : m->network()->layers()) {
    W.push_back(l->weight.detach().clone());
    b.push_back(l->bias.detach().clone());
  }
  return [W, b](const torch::Tensor& X) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> acts{X.to(torch::kFloat32)};
    for (size_t l = 0; l < W.size(); ++l) {
      auto h = torch::addmm(b[l], acts.back(), W[l].t());
      acts.push_back(l + 1 < W.size() ? torch::relu(h) : h);
    }
    auto g = -torch::softmax(acts.back(), 1);  // dE/do for E = −logsumexp(o)
    for (size_t l = W.size(); l-- > 0;) {
      g = torch::mm(g, W[l]);
      if (l > 0) g = g * (acts[l] > 0);
    }
    return (-g).to(X.dtype());
  };
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "fast", model_kind = "regular", dump;
  int threads = 1, reps = 2000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "jem_step_time: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--mode") mode = next();
    else if (a == "--model") model_kind = next();
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--reps") reps = std::stoi(next());
    else if (a == "--dump") dump = next();
    else {
      std::cerr << "jem_step_time: unknown option " << a << "\n";
      return 2;
    }
  }
  if ((mode != "fast" && mode != "torch-ops" && mode != "autograd") ||
      (model_kind != "regular" && model_kind != "equivariant") || threads < 1 || reps < 1 ||
      (mode == "torch-ops" && model_kind != "regular")) {
    std::cerr << "jem_step_time: need --mode fast|torch-ops|autograd (torch-ops: regular model only), "
                 "--model regular|equivariant, threads, reps >= 1\n";
    return 2;
  }
  at::set_num_threads(threads);
  // The jem-c4 problem: anchors are a data batch, chains start on another one.
  auto gen = at::detail::createCPUGenerator(0);
  esvgd::data::ClassMixture mixture(
      {std::make_shared<esvgd::target::GaussianMixture>(esvgd::target::cn_gaussian_mixture(4, 7, 1, 0.25)),
       std::make_shared<esvgd::target::GaussianMixture>(esvgd::target::cn_gaussian_mixture(4, 15, 1, 2))});
  auto anchors = mixture.sample(kChains / 2, gen).x.to(torch::kFloat32);
  auto chains = mixture.sample(kChains / 2, gen).x.to(torch::kFloat32);
  torch::manual_seed(0);
  auto o = esvgd::model::EnergyModelOptions()
               .hidden({32, 64, 64, 64, 32})
               .head(esvgd::model::Head::kJem)
               .outputs(2)
               .symmetry(model_kind == "regular" ? esvgd::model::Symmetry::kNone : esvgd::model::Symmetry::kCyclic);
  esvgd::model::EnergyModel model(o);
  esvgd::ScoreFn score = mode == "fast"        ? model->frozen_score()
                                 : mode == "torch-ops" ? torch_ops_score(model)
                                                       : [model](const torch::Tensor& X) mutable {
                                                           return model->score_autograd(X);
                                                         };
  auto so = esvgd::sampler::SvgdOptions()
                .optimizer(esvgd::sampler::OptimizerOptions().step_size(kStepSize))
                .temperature(kTemperature)
                .max_steps(1);
  auto kernel = std::make_shared<esvgd::kernel::RbfKernel>(kBandwidth);
  if (!dump.empty()) {
    const auto& layers = model->network()->layers();
    for (size_t l = 0; l < layers.size(); ++l) {
      esvgd::core::write_npy(dump + "/W" + std::to_string(l) + ".npy", layers[l]->weight.detach());
      esvgd::core::write_npy(dump + "/b" + std::to_string(l) + ".npy", layers[l]->bias.detach());
    }
    esvgd::core::write_npy(dump + "/chains.npy", chains);
    esvgd::core::write_npy(dump + "/anchors.npy", anchors);
    esvgd::sampler::Svgd one(score, kernel, so);
    esvgd::core::write_npy(dump + "/one_step.npy", one.run(chains, anchors).particles);
  }
  so.max_steps(reps);
  esvgd::sampler::Svgd svgd(score, kernel, so);
  svgd.run(chains, anchors);  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  auto result = svgd.run(chains, anchors);
  const double us = 1e6 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
  std::cout << nlohmann::json{{"mode", mode},       {"model", model_kind}, {"threads", threads},
                              {"us_per_step", us}, {"reps", reps},        {"steps", result.steps}}
                   .dump()
            << std::endl;
  return 0;
}
