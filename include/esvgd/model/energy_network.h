#pragma once
/// What contrastive-divergence training needs from an energy: outputs o(x) with autograd, the head
/// E(o), and a frozen score −∇_x E for the sampler. EnergyModel (an Mlp behind a symmetry) and
/// EgnnEnergy (an E(3)-equivariant graph network over atoms) implement it. A noise-conditional
/// energy (EgnnOptions::noise_conditional) also gives E(x, σ) for denoising score matching and
/// annealed sampling (sampler/noise_ladder.h).
#include <torch/nn/module.h>
#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/core/score_fn.h"

namespace esvgd::model {

class EnergyNetwork : public torch::nn::Module {
 public:
  /// Network outputs o(X) [N, C] (logits for a jem head), float32, with autograd.
  virtual torch::Tensor outputs(const torch::Tensor& X) = 0;
  /// E [N] from outputs O [N, C]; label >= 0 selects a class-conditional energy where the head has one.
  virtual torch::Tensor energy_from_outputs(const torch::Tensor& O, int64_t label = -1) const = 0;
  /// −∇_x E with the current weights frozen, in the input's dtype; build one per SVGD run (it does
  /// not see later weight updates).
  virtual ScoreFn frozen_score(int64_t label = -1) const = 0;
  /// E_θ(x) [N] = energy_from_outputs(outputs(X), label).
  torch::Tensor energy(const torch::Tensor& X, int64_t label = -1) { return energy_from_outputs(outputs(X), label); }

  /// Whether noise_energy and frozen_noise_score exist.
  virtual bool noise_conditional() const { return false; }
  /// E(x, σ) [N] with one noise level per row (sigma [N], > 0), with autograd.
  virtual torch::Tensor noise_energy(const torch::Tensor& /*X*/, const torch::Tensor& /*sigma*/) {
    throw Error(ErrorKind::kInvalidArgument, "noise_energy", "this energy is not noise-conditional");
  }
  /// −∇_x E(x, σ) at one level σ with the current weights frozen, in the input's dtype.
  virtual ScoreFn frozen_noise_score(double /*sigma*/) const {
    throw Error(ErrorKind::kInvalidArgument, "frozen_noise_score", "this energy is not noise-conditional");
  }
};

}  // namespace esvgd::model
