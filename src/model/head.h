#pragma once
// The last of an energy model's three stages (model/energy_model.h): the energy from the network
// outputs o [C] (averaged over the input map's copies), in tensor ops for autograd and its
// derivative dE/do as a loop for the frozen score.
#include <torch/types.h>

#include "esvgd/model/energy_model.h"

namespace esvgd::model {

/// E [N] from outputs O [N, C]; label >= 0 selects E(x|y) = −o_y (jem).
torch::Tensor head_energy(Head head, const torch::Tensor& O, int64_t label);

/// dE/do [C] into g at one point's outputs o [C].
void head_gradient(Head head, const float* o, int64_t C, int64_t label, float* g);

}  // namespace esvgd::model
