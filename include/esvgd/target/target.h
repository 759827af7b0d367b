#pragma once
/// Target densities π known up to a constant: log π(X) [N], the score ∇log π(X) [N, D], and, where
/// known, an exact sampler used as ground truth by the metrics.
#include <memory>
#include <string>

#include <torch/types.h>

#include "esvgd/core/score_fn.h"

namespace esvgd::target {

class Target {
 public:
  virtual ~Target() = default;
  virtual std::string name() const = 0;
  virtual int64_t dim() const = 0;
  /// Unnormalised log density of every row of X [N, D]; returns [N].
  virtual torch::Tensor log_prob(const torch::Tensor& X) const = 0;
  /// ∇_x log π for every row, [N, D]. The default differentiates log_prob with autograd.
  virtual torch::Tensor score(const torch::Tensor& X) const;
  /// True when sample() draws exact samples.
  virtual bool has_sampler() const { return false; }
  /// n exact samples [n, D] float64. The default throws.
  virtual torch::Tensor sample(int64_t n, at::Generator& gen) const;
};

/// Wraps a target's score() as a ScoreFn (the target must outlive it).
ScoreFn score_fn(const Target& target);

}  // namespace esvgd::target
