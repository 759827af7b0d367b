#pragma once
// What the training tests share: a small MLP energy, a Gaussian blob of data, parameter copies.
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

#include "esvgd/data/training_data.h"
#include "esvgd/model/energy_model.h"
#include "test_support.h"

namespace esvgd::test {

/// A 2-16-16 MLP energy, the same weights at every call.
inline model::EnergyModel small_model(model::Head head = model::Head::kLog1pSquare, int64_t outputs = 1) {
  torch::manual_seed(3);
  auto o = model::EnergyModelOptions().hidden({16, 16}).head(head).outputs(outputs);
  return model::EnergyModel(o);
}

/// n points of N((2, 2), 0.25 I).
inline data::TrainingData blob(int64_t n, uint64_t seed) {
  auto gen = make_gen(seed);
  return {torch::tensor({2.0, 2.0}, torch::kFloat64) + 0.5 * torch::randn({n, 2}, gen, torch::kFloat64), {}, {}};
}

/// Copies of a module's parameters, detached.
inline std::vector<torch::Tensor> parameters(torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

}  // namespace esvgd::test
