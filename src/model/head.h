#pragma once
// The last of an energy model's three stages (model/energy_model.h): the energy from the network
// outputs o [C] (averaged over the input map's copies), in tensor ops for autograd and its
// derivative dE/do as a loop for the frozen score.
#include <vector>

#include <torch/types.h>

#include "esvgd/model/energy_model.h"

namespace esvgd::model {

/// One head, registered once: E(o) in tensor ops and dE/do as a loop over one point's outputs.
struct HeadEntry {
  Head value;
  const char* name;
  const char* doc;
  torch::Tensor (*energy)(const torch::Tensor& O);         ///< E [N] from O [N, C]
  void (*gradient)(const float* o, int64_t C, float* g);  ///< dE/do [C] at o [C]
};
const std::vector<HeadEntry>& head_registry();

/// E [N] from outputs O [N, C]; label >= 0 selects E(x|y) = −o_y (jem).
torch::Tensor head_energy(Head head, const torch::Tensor& O, int64_t label);

/// dE/do [rows, C] into g at the outputs o [rows, C] of `rows` points.
void head_gradient(Head head, const float* o, int64_t rows, int64_t C, int64_t label, float* g);

}  // namespace esvgd::model
