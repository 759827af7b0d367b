#pragma once
/// A training set for energy models: points, optionally with class labels (JEM) and true energies
/// (regression), as contrastive divergence (train/cd_trainer.h) and the supervised baselines use it.
#include <cstdint>
#include <string>

#include <torch/types.h>

namespace esvgd::data {

struct TrainingData {
  torch::Tensor x;         ///< [N, D]
  torch::Tensor labels;    ///< [N] int64 in [0, C), or undefined
  torch::Tensor energies;  ///< [N] finite targets for the MSE term, or undefined
};

/// Checks shapes, dtypes, finiteness and label range; errors name `source` and what is wrong.
void check_training_data(const TrainingData& data, int64_t dim, int64_t classes, const std::string& source);

}  // namespace esvgd::data
