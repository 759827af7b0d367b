#pragma once
/// Plain supervised training of a classifier's logits (the reference rows of the JEM experiments:
/// the same network without the generative term): Adam on cross-entropy, batches reshuffled every
/// epoch from a seeded generator, the last partial batch dropped.
#include <cstdint>
#include <vector>

#include "esvgd/core/arg.h"
#include "esvgd/model/energy_network.h"
#include "esvgd/train/cd_trainer.h"

namespace esvgd::core {
class Progress;
}

namespace esvgd::train {

struct SupervisedOptions {
  ESVGD_ARG(int64_t, epochs) = 1;
  ESVGD_ARG(int64_t, batch_size) = 64;
  ESVGD_ARG(double, learning_rate) = 1e-3;
};

struct SupervisedEpoch {
  int64_t epoch = 0;       ///< 0-based
  double loss = 0;         ///< mean cross-entropy over the epoch's batches
  double accuracy = 0;     ///< training accuracy over the same batches
  double seconds = 0;
};

/// Trains on data.x / data.labels (on the model's device); errors name the options
/// (SupervisedOptions::batch_size, ...) or the epoch and batch of a non-finite loss.
std::vector<SupervisedEpoch> fit_classifier(model::EnergyNetwork& model, const data::TrainingData& data,
                                            const SupervisedOptions& options, uint64_t seed,
                                            core::Progress* progress = nullptr);

}  // namespace esvgd::train
