#include "esvgd/model/mlp.h"

#include <string>

#include <torch/types.h>
#include <torch/nn/modules/linear.h>

#include "esvgd/core/error.h"

namespace esvgd::model {

MlpImpl::MlpImpl(std::vector<int64_t> widths) : widths_(std::move(widths)) {
  ESVGD_CHECK(widths_.size() >= 2, "an MLP needs at least an input and an output width, got ", widths_.size(),
              " widths");
  for (size_t i = 0; i < widths_.size(); ++i)
    ESVGD_CHECK(widths_[i] >= 1, "MLP width ", i, " must be >= 1, got ", widths_[i]);
  for (size_t l = 0; l + 1 < widths_.size(); ++l)
    layers_.push_back(register_module("linear" + std::to_string(l),
                                      torch::nn::Linear(widths_[l], widths_[l + 1])));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& Z) {
  ESVGD_CHECK(Z.dim() == 2 && Z.size(1) == widths_.front(), "MLP input must be [N, ", widths_.front(), "], got ",
              Z.sizes());
  auto h = Z;
  for (size_t l = 0; l < layers_.size(); ++l) {
    h = layers_[l]->forward(h);
    if (l + 1 < layers_.size()) h = torch::relu(h);
  }
  return h;
}

}  // namespace esvgd::model
