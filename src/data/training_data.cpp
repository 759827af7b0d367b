#include "esvgd/data/training_data.h"

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::data {

void check_training_data(const TrainingData& d, int64_t dim, int64_t classes, const std::string& source) {
  auto fail = [&](const std::string& what) { throw Error(ErrorKind::kFormat, source, what); };
  if (!d.x.defined() || d.x.dim() != 2 || d.x.size(1) != dim)
    fail("training points must be [N, " + std::to_string(dim) + "]");
  if (!d.x.is_floating_point()) fail("training points must be floating point");
  if (d.x.size(0) == 0) fail("no training points");
  if (!torch::isfinite(d.x).all().item<bool>()) fail("training points contain NaN or inf");
  const int64_t n = d.x.size(0);
  if (d.labels.defined()) {
    if (d.labels.dim() != 1 || d.labels.size(0) != n) fail("labels must be [N] with N = " + std::to_string(n));
    if (d.labels.is_floating_point()) fail("labels must be integers");
    if (d.labels.min().item<int64_t>() < 0 || d.labels.max().item<int64_t>() >= classes)
      fail("labels must lie in [0, " + std::to_string(classes) + ")");
  }
  if (d.energies.defined()) {
    if (d.energies.dim() != 1 || d.energies.size(0) != n) fail("energies must be [N] with N = " + std::to_string(n));
    if (!torch::isfinite(d.energies).all().item<bool>()) fail("energies contain NaN or inf");
  }
}

}  // namespace esvgd::data
