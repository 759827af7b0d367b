#pragma once
/// −∇_x E_θ(x) of an energy model with frozen weights, computed without any tensor op between the
/// input copy and the output: the model's three stages (input map, FrozenMlp, head) run forward as
/// loops over FrozenMlp's buffers, then their vector–Jacobian products back to x. This is the score
/// an SVGD run inside contrastive divergence calls at every step (EnergyModelImpl::frozen_score).
#include <memory>
#include <vector>

#include <torch/types.h>

#include "esvgd/model/energy_model.h"
#include "model/frozen_mlp.h"

namespace esvgd::model {

class FrozenEnergy {
 public:
  /// Snapshots the model's current weights (CPU float32); label >= 0 selects E(x|y) (jem).
  FrozenEnergy(const EnergyModelImpl& model, int64_t label);
  ~FrozenEnergy();
  /// −∇_x E at the rows of X [N, D] (CPU, float32 or float64), in X's dtype.
  torch::Tensor score(const torch::Tensor& X);

 private:
  template <typename T>
  void run(const T* x, T* out, int64_t N);
  EnergyModelOptions options_;
  int64_t label_;
  std::unique_ptr<InputMap> input_;  ///< this score's own copy (it keeps per-row scratch)
  FrozenMlp mlp_;
  std::vector<float> mean_out_, grad_out_;  ///< [N, C] scratch: averaged outputs and dE/do
  std::vector<double> x_, grad_x_;          ///< [N, D] scratch: x in double and dE/dx
  torch::Tensor out_;                        ///< the last score, filled again if no one kept it
};

}  // namespace esvgd::model
