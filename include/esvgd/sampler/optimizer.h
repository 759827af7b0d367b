#pragma once
/// Particle optimisers: turn the Stein direction φ (an ascent direction) into a displacement Δx.
///   sgd:     Δx = ε φ                                                  (the paper)
///   adagrad: v ← α v + (1 − α) φ² (v = φ² at the first step), Δx = ε φ / (fudge + √v)  (Liu & Wang's code)
///   adam:    Kingma & Ba with bias correction, on −φ as the gradient.
/// The options are constant for a run; the moments live in OptimizerState, a value that the
/// sampler's state holds (and a checkpoint can store).
#include <cstdint>
#include <string>

#include <torch/types.h>

#include "esvgd/core/arg.h"

namespace esvgd::sampler {

enum class OptimizerKind { kSgd, kAdagrad, kAdam };

/// "sgd", "adagrad", "adam"; anything else is esvgd::Error(kConfig) listing the names.
OptimizerKind parse_optimizer_kind(const std::string& name);
std::string to_string(OptimizerKind kind);

struct OptimizerOptions {
  ESVGD_ARG(OptimizerKind, kind) = OptimizerKind::kSgd;
  ESVGD_ARG(double, step_size) = 0.02;      ///< ε
  ESVGD_ARG(double, adagrad_alpha) = 0.9;   ///< decay of Liu's running mean of φ²
  ESVGD_ARG(double, adagrad_fudge) = 1e-6;  ///< added to √v
  ESVGD_ARG(double, adam_beta1) = 0.9;
  ESVGD_ARG(double, adam_beta2) = 0.999;
  ESVGD_ARG(double, adam_eps) = 1e-8;
};

/// The moments of adagrad (v) and adam (m, v, t); undefined tensors before the first step (and
/// always for sgd). A default-constructed state is the state of a fresh run.
struct OptimizerState {
  torch::Tensor m, v;
  int64_t t = 0;
};

/// Throws esvgd::Error(kInvalidArgument) naming OptimizerOptions::step_size when it is not positive and finite.
void check_optimizer(const OptimizerOptions& options);

/// Displacement for this step's Stein direction φ [N, D]; updates the moments in state.
torch::Tensor displacement(const OptimizerOptions& options, OptimizerState& state, const torch::Tensor& phi);

/// The displacement as scale · direction: sgd's is φ itself with its step size, for a caller that
/// applies the scale as it adds (the SVGD step: no tensor for ε·φ); the others' have scale 1.
struct ScaledDisplacement {
  torch::Tensor direction;
  double scale;
};
ScaledDisplacement scaled_displacement(const OptimizerOptions& options, OptimizerState& state,
                                       const torch::Tensor& phi);

}  // namespace esvgd::sampler
