#pragma once
/// Neural-transport MCMC (docs/method.md, "Equivariant neural transport"): MCMC on the pulled-back
/// density p̃(z) = π(T(z)) |det T'(z)| in Z, whose geometry is close to N(0, I) when the flow fits π,
/// and the draws pushed to X through T. With T equivariant and π invariant, p̃ is invariant too.
#include <torch/types.h>

#include "esvgd/flow/flow.h"
#include "esvgd/flow/reverse_kl.h"
#include "esvgd/sampler/hmc.h"

namespace esvgd::flow {

/// log p̃(z) = log π(T(z)) + log|det T'(z)| and its gradient (autograd through the flow and log π).
/// The flow must outlive the function; its parameters are not differentiated.
sampler::LogDensityFn pulled_back(Flow& flow, LogProbFn log_prob);

/// T applied to every draw of samples [S, M, D] (no gradients).
torch::Tensor push_forward(Flow& flow, const torch::Tensor& samples);

}  // namespace esvgd::flow
