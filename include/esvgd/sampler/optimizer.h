#pragma once
/// Particle optimisers: turn the Stein direction φ (an ascent direction) into a displacement Δx.
///   sgd:     Δx = ε φ                                                  (the paper)
///   adagrad: v ← α v + (1 − α) φ² (v = φ² at the first step), Δx = ε φ / (fudge + √v)  (Liu & Wang's code)
///   adam:    Kingma & Ba with bias correction, on −φ as the gradient.
#include <memory>
#include <string>

#include <torch/types.h>

namespace esvgd::sampler {

struct OptimizerOptions {
  std::string kind = "sgd";  ///< "sgd", "adagrad" or "adam"
  double step_size = 0.02;   ///< ε
  double adagrad_alpha = 0.9;   ///< decay of Liu's running mean of φ²
  double adagrad_fudge = 1e-6;  ///< added to √v
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_eps = 1e-8;
};

class ParticleOptimizer {
 public:
  virtual ~ParticleOptimizer() = default;
  /// Displacement for this step's Stein direction φ [N, D].
  virtual torch::Tensor displacement(const torch::Tensor& phi) = 0;
  /// Clears the optimiser's state (moments), e.g. when chains are reset.
  virtual void reset() = 0;
};

/// Builds the optimiser; unknown kinds and non-positive step sizes are esvgd::Error(kConfig).
std::unique_ptr<ParticleOptimizer> make_optimizer(const OptimizerOptions& options);

}  // namespace esvgd::sampler
