#pragma once
/// The sampler's score through an EgnnEnergy with frozen weights on the CPU: the forward pass and
/// its input gradient written out by hand over a float32 copy of the weights (docs/method.md, "QM9:
/// molecules"). One molecule at a time, so that its P(P − 1) edges stay in cache from the forward pass
/// to the backward one; each SiLU's sigmoid is kept for its derivative; every loop runs over the
/// hidden units, compiled for AVX-512, AVX2 and baseline x86-64 (core/simd.h). Molecules are split
/// over the intra-op threads. Holds no per-call state (thread-safe).
#include <memory>

#include <torch/types.h>

#include "esvgd/model/egnn_energy.h"

namespace esvgd::model {

struct FrozenEgnnWeights;

class FrozenEgnn {
 public:
  /// Snapshots the network's current weights (float32 copies). A noise-conditional network is
  /// frozen at the level sigma > 0: log σ is folded into the atoms' first features and 1/σ into the
  /// last layer (the head is linear), so the loops are those of any other network.
  explicit FrozenEgnn(const EgnnEnergyImpl& net, double sigma = 0);
  ~FrozenEgnn();
  /// −∇_x E at the rows of X [N, 3P] (CPU), in X's dtype.
  torch::Tensor score(const torch::Tensor& X) const;

 private:
  std::unique_ptr<const FrozenEgnnWeights> w_;
};

}  // namespace esvgd::model
