#include "esvgd/data/toy_data.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"
#include "esvgd/core/npy.h"

namespace esvgd::data {

ClassMixture::ClassMixture(std::vector<std::shared_ptr<target::Target>> classes) : classes_(std::move(classes)) {
  ESVGD_CHECK(!classes_.empty(), "a class mixture needs at least one class");
  for (const auto& c : classes_) {
    ESVGD_CHECK(c != nullptr && c->has_sampler(), "every class of a mixture needs an exact sampler");
    ESVGD_CHECK(c->dim() == classes_.front()->dim(), "classes of a mixture must share one dimension");
  }
}

torch::Tensor ClassMixture::log_prob(const torch::Tensor& X) const {
  std::vector<torch::Tensor> parts;
  for (const auto& c : classes_) parts.push_back(c->log_prob(X));
  return torch::logsumexp(torch::stack(parts, 1), 1) - std::log(static_cast<double>(classes_.size()));
}

TrainingData ClassMixture::sample(int64_t per_class, at::Generator& gen) const {
  ESVGD_CHECK(per_class >= 1, "points per class must be >= 1, got ", per_class);
  std::vector<torch::Tensor> xs, ys;
  for (size_t y = 0; y < classes_.size(); ++y) {
    xs.push_back(classes_[y]->sample(per_class, gen).to(torch::kFloat64));
    ys.push_back(torch::full({per_class}, static_cast<int64_t>(y), torch::kLong));
  }
  return {torch::cat(xs), torch::cat(ys), {}};
}

TrainingData sample_with_energies(const target::Target& target, int64_t n,
                                   const std::function<torch::Tensor(const torch::Tensor&)>& energy_of,
                                   at::Generator& gen) {
  ESVGD_CHECK(n >= 1, "number of points must be >= 1, got ", n);
  auto x = target.sample(n, gen).to(torch::kFloat64);
  return {x, {}, energy_of(x).to(torch::kFloat64)};
}

TrainingData read_toy_data(const std::string& path, int64_t dim, const std::string& column) {
  ESVGD_ASSERT(column == "label" || column == "energy");
  auto a = core::read_npy(path);
  auto fail = [&](const std::string& what) { throw Error(ErrorKind::kFormat, path, what); };
  if (a.dim() != 2 || a.size(1) != dim + 1)
    fail("expected a 2-D array [N, " + std::to_string(dim + 1) + "] (" + std::to_string(dim) +
         " coordinates, then the " + column + "), got shape " + c10::str(a.sizes()));
  if (a.scalar_type() != torch::kFloat64) fail("expected float64 values");
  if (a.size(0) == 0) fail("the array has no rows");
  if (!torch::isfinite(a).all().item<bool>()) fail("the array contains NaN or inf");
  TrainingData d;
  d.x = a.narrow(1, 0, dim).contiguous();
  auto last = a.select(1, dim).contiguous();
  if (column == "label") {
    if (!torch::equal(last, torch::round(last)) || last.min().item<double>() < 0)
      fail("the label column must hold non-negative integers");
    d.labels = last.to(torch::kLong);
  } else {
    d.energies = last;
  }
  return d;
}

}  // namespace esvgd::data
