#include "esvgd/target/target.h"

#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"

namespace esvgd::target {

torch::Tensor Target::score(const torch::Tensor& X) const {
  torch::AutoGradMode grad_on(true);
  auto x = X.detach().requires_grad_(true);
  auto lp = log_prob(x).sum();
  return torch::autograd::grad({lp}, {x})[0].detach();
}

torch::Tensor Target::sample(int64_t n, at::Generator& gen) const {
  throw Error(ErrorKind::kInvalidArgument, name(), "this target has no exact sampler");
}

ScoreFn score_fn(const Target& target) {
  return [&target](const torch::Tensor& X) { return target.score(X); };
}

}  // namespace esvgd::target
