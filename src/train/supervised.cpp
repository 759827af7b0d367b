#include "train/supervised.h"

#include <chrono>
#include <cmath>
#include <sstream>

#include <torch/types.h>
#include <torch/optim/adam.h>

#include "esvgd/core/error.h"
#include "esvgd/core/progress.h"

namespace esvgd::train {

std::vector<SupervisedEpoch> fit_classifier(model::EnergyNetwork& model, const data::TrainingData& data,
                                            const SupervisedOptions& o, uint64_t seed, core::Progress* progress) {
  if (o.epochs() < 0) throw Error(ErrorKind::kInvalidArgument, "SupervisedOptions::epochs", "must be >= 0");
  if (o.batch_size() < 1) throw Error(ErrorKind::kInvalidArgument, "SupervisedOptions::batch_size", "must be >= 1");
  if (!(o.learning_rate() > 0))
    throw Error(ErrorKind::kInvalidArgument, "SupervisedOptions::learning_rate",
                "must be > 0");
  ESVGD_CHECK(data.labels.defined(), "supervised training needs labels");
  const int64_t n = data.x.size(0), batches = n / o.batch_size();
  if (batches < 1)
    throw Error(ErrorKind::kInvalidArgument, "SupervisedOptions::batch_size",
                "is larger than the training set (" + std::to_string(n) + " points)");
  torch::optim::Adam adam(model.parameters(), torch::optim::AdamOptions(o.learning_rate()));
  at::Generator gen = at::detail::createCPUGenerator(seed);
  std::vector<SupervisedEpoch> history;
  for (int64_t epoch = 0; epoch < o.epochs(); ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto perm = torch::randperm(n, gen, torch::kLong);
    SupervisedEpoch rec;
    rec.epoch = epoch;
    for (int64_t b = 0; b < batches; ++b) {
      const auto idx = perm.narrow(0, b * o.batch_size(), o.batch_size()).to(data.x.device());
      const auto logits = model.outputs(data.x.index_select(0, idx));
      const auto y = data.labels.index_select(0, idx).to(logits.device());
      auto loss = torch::cross_entropy_loss(logits, y);
      const double value = loss.item<double>();
      if (!std::isfinite(value))
        throw Error(ErrorKind::kNumerical, "epoch " + std::to_string(epoch + 1) + ", batch " + std::to_string(b + 1),
                    "the cross-entropy became NaN or inf; try a smaller SupervisedOptions::learning_rate");
      adam.zero_grad();
      loss.backward();
      adam.step();
      rec.loss += value / batches;
      rec.accuracy += (logits.argmax(1) == y).to(torch::kFloat64).mean().item<double>() / batches;
    }
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    history.push_back(rec);
    if (progress) {
      std::ostringstream extra;
      extra << "loss " << rec.loss << ", train accuracy " << rec.accuracy;
      progress->update(epoch + 1, extra.str());
    }
  }
  return history;
}

}  // namespace esvgd::train
