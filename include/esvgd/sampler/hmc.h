#pragma once
/// Hamiltonian Monte Carlo for N independent chains (docs/method.md, "HMC and MALA"): from x with
/// momentum p ~ N(0, I), L leapfrog steps of size ε on H(x, p) = −log π(x) + ½‖p‖², then the
/// Metropolis test accepts the end point with probability min(1, exp(H(x, p) − H(x', p'))) per chain.
/// L = 1 is MALA (the Metropolis-adjusted Langevin algorithm). With warm-up steps, ε is adapted by
/// dual averaging (Hoffman & Gelman 2014, NUTS paper, Algorithm 5) so that the chains' mean acceptance
/// probability approaches a target; after warm-up ε is fixed at the averaged value, so that the chain
/// is exact for π again.
///
/// As for SVGD and Langevin (svgd.h, langevin.h), a run is a value, HmcState, made by init() and
/// advanced by step(); run() is the loop. Momenta and uniforms are drawn on the CPU from the state's
/// generator (the same stream on every device).
#include <cstdint>
#include <functional>

#include <torch/types.h>

#include "esvgd/core/arg.h"

namespace esvgd::core {
class Progress;
}

namespace esvgd::sampler {

/// log π of every row [N] and its gradient ∇ log π [N, D], at X [N, D].
struct LogDensityAndGradient {
  torch::Tensor log_prob;
  torch::Tensor grad;
};
using LogDensityFn = std::function<LogDensityAndGradient(const torch::Tensor&)>;

/// A LogDensityFn from log π alone, its gradient by autograd (log_prob must be built from torch ops).
LogDensityFn with_autograd(std::function<torch::Tensor(const torch::Tensor&)> log_prob);

struct HmcOptions {
  ESVGD_ARG(double, step_size) = 0.1;           ///< ε (the first value when adapting)
  ESVGD_ARG(int64_t, leapfrog_steps) = 10;      ///< L (1: MALA)
  ESVGD_ARG(int64_t, max_steps) = 1000;         ///< transitions of a run, warm-up included
  ESVGD_ARG(int64_t, warmup) = 0;               ///< first transitions that adapt ε (0: ε fixed)
  ESVGD_ARG(double, target_acceptance) = 0.8;   ///< δ, the mean acceptance probability sought
};

/// Throws esvgd::Error(kInvalidArgument) naming a bad option ("HmcOptions::step_size", ...).
void check_hmc(const HmcOptions& options);

/// Dual averaging of log ε (Hoffman & Gelman's constants γ = 0.05, t0 = 10, κ = 0.75, μ = log 10ε₀).
struct StepSizeAdaptation {
  double mu = 0, log_step = 0, log_step_avg = 0, h_avg = 0;
  int64_t count = 0;
};

/// Everything a run changes. Copying a state shares its tensors and generator.
struct HmcState {
  torch::Tensor particles;  ///< [N, D]
  torch::Tensor log_prob;   ///< log π at the particles [N]
  torch::Tensor grad;       ///< ∇ log π at the particles [N, D]
  double step_size = 0;     ///< ε of the next transition
  int64_t step = 0;         ///< transitions made
  StepSizeAdaptation adaptation;
  at::Generator gen;        ///< momenta and acceptance uniforms
};

/// What one transition did.
struct HmcStepInfo {
  int64_t step = 0;                 ///< 0-based index of the transition just made
  double acceptance = 0;            ///< mean over chains of min(1, exp(−ΔH)) (0 where ΔH is not finite)
  double accepted_fraction = 0;     ///< chains that moved
  double step_size = 0;             ///< ε used
};

/// The state at step 0 from X0 [N >= 1, D]; draws from `gen` (shared with the caller).
HmcState init(const torch::Tensor& X0, const LogDensityFn& density, const HmcOptions& options, at::Generator gen);
/// One transition; during warm-up it also adapts ε (the last warm-up transition fixes the average).
/// A non-finite log π at the start is esvgd::Error(kNumerical); a non-finite proposal is rejected.
HmcStepInfo step(HmcState& state, const LogDensityFn& density, const HmcOptions& options);

struct HmcResult {
  torch::Tensor particles;   ///< [N, D] at the end
  torch::Tensor samples;     ///< [S, N, D]: the particles after every post-warm-up transition
  double acceptance_rate = 0;  ///< accepted / proposed over this run's post-warm-up transitions (0: none)
  double step_size = 0;        ///< ε after warm-up
};

/// Transitions until state.step == max_steps, keeping every post-warm-up state.
HmcResult run(HmcState& state, const LogDensityFn& density, const HmcOptions& options,
              core::Progress* progress = nullptr);

}  // namespace esvgd::sampler
