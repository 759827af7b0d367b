#pragma once
/// Training sets of the toy EBM experiments (Section 4, Appendix D): labelled points drawn from a
/// class mixture (JEM), points with their true energies (regression), and .npy files with either.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "esvgd/data/training_data.h"
#include "esvgd/target/target.h"

namespace esvgd::data {

/// π(x, y) = π(x | y) / C with C equally likely classes, each an exactly sampled target.
class ClassMixture {
 public:
  /// Every class needs an exact sampler and the same dimension.
  explicit ClassMixture(std::vector<std::shared_ptr<target::Target>> classes);
  int64_t classes() const { return static_cast<int64_t>(classes_.size()); }
  int64_t dim() const { return classes_.front()->dim(); }
  const target::Target& conditional(int64_t y) const { return *classes_.at(static_cast<size_t>(y)); }
  /// log π(x) = logsumexp_y log π(x | y) − log C for normalised class densities: [N].
  torch::Tensor log_prob(const torch::Tensor& X) const;
  /// per_class points of every class (class-major order): x [C·per_class, D] float64, labels int64.
  TrainingData sample(int64_t per_class, at::Generator& gen) const;

 private:
  std::vector<std::shared_ptr<target::Target>> classes_;
};

/// n points of `target` with regression targets e = −log π_e(x), where π_e is `energy_of` (the
/// circles EBM uses the normalised radius density: docs/method.md, "Energy-based models").
TrainingData sample_with_energies(const target::Target& target, int64_t n,
                                   const std::function<torch::Tensor(const torch::Tensor&)>& energy_of,
                                   at::Generator& gen);

/// Reads a training set from an .npy array [N, D + 1] (float64): D coordinates, then the label
/// (column = "label", integral values) or the target energy (column = "energy"). Errors name the
/// file and what is wrong.
TrainingData read_toy_data(const std::string& path, int64_t dim, const std::string& column);

}  // namespace esvgd::data
