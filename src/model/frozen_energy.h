#pragma once
/// −∇_x E_θ(x) of an energy model with frozen weights, computed without any tensor op between the
/// input copy and the output: the symmetry's input map, the FrozenMlp passes, the head's derivative
/// and the chain rule back to x all run as loops over FrozenMlp's buffers. This is the score an
/// SVGD run inside contrastive divergence calls at every step (EnergyModelImpl::frozen_score).
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
  /// −∇_x E at the rows of X [N, D] (CPU, float32 or float64), in X's dtype.
  torch::Tensor score(const torch::Tensor& X);

 private:
  template <typename T>
  void run(const T* x, T* out, int64_t N);
  EnergyModelOptions options_;
  int64_t label_;
  FrozenMlp mlp_;
  std::vector<float> rotations_;  ///< [n][D][D] for the cyclic symmetry
  std::vector<float> mean_out_;   ///< [C] scratch
  std::shared_ptr<const group::ParticleInvariant> invariant_;  ///< canonical / pair-distances
  std::vector<double> rows_;      ///< per row: the map's scratch, then x as double
  std::vector<double> feat_, grad_;  ///< [F] and [D] scratch of the map's passes
};

}  // namespace esvgd::model
