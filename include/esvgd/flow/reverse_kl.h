#pragma once
/// Training a flow by the reverse KL to a target known up to a constant (docs/method.md,
/// "Equivariant neural transport"):
///
///   KL(q ‖ π) + log Z = E_{z ~ N(0, I)} [ log q(T(z)) − log π(T(z)) ]
///                     = E_z [ log N(z) − log|det T'(z)| − log π(T(z)) ],
///
/// estimated on a fresh batch of z every step and minimised with Adam. The loss needs only log π
/// (differentiable by autograd), never samples of π. The reverse KL is mode-seeking: a flow that has
/// settled on one of two separated modes is never pushed towards the other. Annealing helps: with
/// anneal_steps > 0 the target is π^β, β rising linearly from anneal_start to 1 over those steps
/// (the loss is E[log q − β log π]), so that early on the modes are wide and overlap. Checkpoints
/// hold the flow, Adam, the generator and the loss history; a resumed run continues bit-identically.
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "esvgd/core/arg.h"
#include "esvgd/flow/flow.h"

namespace esvgd::core {
class Progress;
}

namespace esvgd::flow {

/// log π of every row [N] of X [N, D], built from torch ops (autograd differentiates it).
using LogProbFn = std::function<torch::Tensor(const torch::Tensor&)>;

struct ReverseKlOptions {
  ESVGD_ARG(int64_t, steps) = 2000;
  ESVGD_ARG(int64_t, batch) = 256;
  ESVGD_ARG(double, learning_rate) = 5e-3;
  ESVGD_ARG(double, clip_norm) = 10.0;         ///< gradient-norm clipping (0: none)
  ESVGD_ARG(int64_t, anneal_steps) = 0;        ///< steps over which β rises to 1 (0: β = 1 throughout)
  ESVGD_ARG(double, anneal_start) = 0.1;       ///< β at step 0 when annealing
  ESVGD_ARG(std::string, checkpoint_path);     ///< empty: no checkpoints
  ESVGD_ARG(int64_t, checkpoint_every) = 500;  ///< steps between checkpoints (the last step always)
  ESVGD_ARG(std::string, fingerprint);         ///< a resume refuses a checkpoint with another one
};

/// Throws esvgd::Error(kInvalidArgument) naming a bad option.
void check_reverse_kl(const ReverseKlOptions& options);

struct ReverseKlResult {
  std::vector<double> loss;  ///< every step's batch estimate of KL(q ‖ π^β) + log Z_β (β = 1 after annealing)
  double seconds = 0;        ///< training time of this process (a resumed run: since the resume)
  bool resumed = false;
};

/// Trains `flow` for options.steps() steps (continuing from options.checkpoint_path() when `resume`
/// and the file exists). A non-finite loss is esvgd::Error(kNumerical) naming the step.
ReverseKlResult train_reverse_kl(Flow& flow, const LogProbFn& log_prob, const ReverseKlOptions& options,
                                 at::Generator gen, bool resume = false, core::Progress* progress = nullptr);

}  // namespace esvgd::flow
