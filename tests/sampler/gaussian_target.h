#pragma once
// The Gaussian target N(kMean, diag(kVar)) whose stationary moments the sampler tests check.
#include <torch/types.h>

#include "esvgd/core/score_fn.h"

namespace esvgd::test {

inline const torch::Tensor kMean = torch::tensor({1.0, -2.0}, torch::kFloat64);
inline const torch::Tensor kVar = torch::tensor({1.0, 0.25}, torch::kFloat64);

/// The score of N(mean, diag(var)).
inline ScoreFn gaussian_score(torch::Tensor mean, torch::Tensor var) {
  return [mean, var](const torch::Tensor& X) { return -(X - mean) / var; };
}

}  // namespace esvgd::test
