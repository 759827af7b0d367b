#pragma once
/// Unadjusted Langevin dynamics in the form the EBM papers use (JEM, IGEBM), with the step ε and the
/// noise scale σ set separately:
///
///   x ← x + clip_c((ε/2) s(x)) + σ √ε ξ,    ξ ~ N(0, I),   s = ∇ log π = −∇E,
///
/// where clip_c shortens a sample's drift to norm c when it is longer (c = 0: no clipping), and,
/// when a box [low, high] is set, each coordinate is clamped into it after the step (projected
/// Langevin, the practice of image EBMs, whose pixels live in [0, 1]). σ = 1 is
/// the discretised Langevin diffusion, whose law tends to π as ε → 0; σ < 1 samples a colder
/// density (π^{1/σ²}, the practice of short-run EBM training). The noise law is isotropic, so for
/// a G-invariant π with orthogonal G the chain law stays G-invariant (the drift is equivariant).
///
/// Like SVGD (svgd.h), a run is a value, LangevinState, made by init() and advanced by step();
/// run() is the loop over step() up to max_steps. The class Langevin bundles a score and options.
#include <cmath>
#include <cstdint>
#include <limits>

#include <torch/types.h>

#include "esvgd/core/arg.h"
#include "esvgd/core/score_fn.h"
#include "esvgd/sampler/chain_sampler.h"

namespace esvgd::sampler {

struct LangevinOptions {
  ESVGD_ARG(int64_t, max_steps) = 100;                                ///< steps of a run
  ESVGD_ARG(double, step_size) = 0.01;                                ///< ε
  ESVGD_ARG(double, noise) = 1.0;                                     ///< σ
  ESVGD_ARG(double, clip) = 0.0;                                      ///< c: largest drift norm per sample (0 = off)
  ESVGD_ARG(double, low) = -std::numeric_limits<double>::infinity();  ///< box [low, high] clamped into after
  ESVGD_ARG(double, high) = std::numeric_limits<double>::infinity();  ///< each step (both infinite: none)

  bool bounded() const { return std::isfinite(low()) || std::isfinite(high()); }
};

/// Throws esvgd::Error(kInvalidArgument) naming a bad option ("LangevinOptions::step_size", ...).
void check_langevin(const LangevinOptions& options);

/// Everything a run changes. Copying a state shares its tensor and generator.
struct LangevinState {
  torch::Tensor particles;  ///< [N, D]
  int64_t step = 0;         ///< steps taken
  at::Generator noise;      ///< ξ, drawn on the CPU (the same stream on every device)
};

/// The state at step 0 from X0 [N >= 1, D], drawing the noise from `noise` (shared with the caller).
LangevinState init(const torch::Tensor& X0, const LangevinOptions& options, at::Generator noise);
/// One step; non-finite particles are esvgd::Error(kNumerical) naming the step.
StepInfo step(LangevinState& state, const ScoreFn& score, const LangevinOptions& options);
/// Steps until state.step == max_steps.
ChainResult run(LangevinState& state, const ScoreFn& score, const LangevinOptions& options,
                core::Progress* progress = nullptr);

class Langevin : public ChainSampler {
 public:
  Langevin(ScoreFn score, LangevinOptions options);

  /// The deterministic part of one step, clip_c((ε/2) s(X)): [N, D].
  torch::Tensor drift(const torch::Tensor& X) const;
  /// One step with the given standard normal noise xi [N, D], clamped into the box if one is set.
  torch::Tensor step(const torch::Tensor& X, const torch::Tensor& xi) const;
  /// init + run from X0; anchors are ignored.
  ChainResult run(const torch::Tensor& X0, const torch::Tensor& anchors, at::Generator& gen,
                  core::Progress* progress = nullptr) override;

  const LangevinOptions& options() const { return options_; }

 private:
  ScoreFn score_;
  LangevinOptions options_;
};

}  // namespace esvgd::sampler
