#include "esvgd/train/schedule.h"

#include <cmath>

#include "esvgd/core/error.h"

namespace esvgd::train {

Schedule::Schedule(double value) : values_{value} {}

Schedule::Schedule(std::vector<double> values, std::vector<int64_t> milestones, const std::string& key)
    : values_(std::move(values)), milestones_(std::move(milestones)) {
  if (values_.size() != milestones_.size() + 1)
    throw Error(ErrorKind::kConfig, key,
                "needs one more value than milestones, got " + std::to_string(values_.size()) + " values and " +
                    std::to_string(milestones_.size()) + " milestones");
  for (double v : values_)
    if (!(v > 0) || !std::isfinite(v)) throw Error(ErrorKind::kConfig, key, "values must be finite and > 0");
  for (size_t i = 0; i < milestones_.size(); ++i)
    if (milestones_[i] < 1 || (i > 0 && milestones_[i] <= milestones_[i - 1]))
      throw Error(ErrorKind::kConfig, key, "milestones must be >= 1 and strictly increasing");
}

double Schedule::at(int64_t epoch) const {
  size_t i = 0;
  while (i < milestones_.size() && epoch >= milestones_[i]) ++i;
  return values_[i];
}

}  // namespace esvgd::train
