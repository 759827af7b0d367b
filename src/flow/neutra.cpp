// MCMC on the pulled-back density (esvgd/flow/neutra.h).
#include "esvgd/flow/neutra.h"

#include <torch/types.h>
#include <torch/utils.h>

namespace esvgd::flow {

sampler::LogDensityFn pulled_back(Flow& flow, LogProbFn log_prob) {
  return sampler::with_autograd([&flow, log_prob = std::move(log_prob)](const torch::Tensor& z) {
    const auto t = flow.forward(z);
    return log_prob(t.value) + t.log_det;
  });
}

torch::Tensor push_forward(Flow& flow, const torch::Tensor& samples) {
  torch::NoGradGuard no_grad;
  const auto rows = samples.reshape({-1, samples.size(-1)});
  return flow.forward(rows).value.reshape(samples.sizes());
}

}  // namespace esvgd::flow
