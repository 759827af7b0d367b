// MCMC on the pulled-back density (esvgd/flow/neutra.h).
#include "esvgd/flow/neutra.h"

#include <torch/torch.h>

namespace esvgd::flow {

sampler::LogDensityFn pulled_back(Flow& flow, LogProbFn log_prob) {
  return [&flow, log_prob = std::move(log_prob)](const torch::Tensor& z) {
    torch::AutoGradMode enabled(true);
    const auto input = z.detach().requires_grad_(true);
    const auto t = flow.forward(input);
    const auto log_p = log_prob(t.value) + t.log_det;
    const auto grad = torch::autograd::grad({log_p.sum()}, {input})[0];
    return sampler::LogDensityAndGradient{log_p.detach(), grad.detach()};
  };
}

torch::Tensor push_forward(Flow& flow, const torch::Tensor& samples) {
  torch::NoGradGuard no_grad;
  const auto rows = samples.reshape({-1, samples.size(-1)});
  return flow.forward(rows).value.reshape(samples.sizes());
}

}  // namespace esvgd::flow
