#pragma once
/// A multilayer perceptron: Linear layers with ReLU between them and none after the last, as a
/// torch::nn module (float32 parameters, trained with autograd).
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace esvgd::model {

class MlpImpl : public torch::nn::Module {
 public:
  /// widths = {input, hidden..., output}, at least two entries, all >= 1 (errors name the bad entry).
  explicit MlpImpl(std::vector<int64_t> widths);
  /// Z [N, widths.front()] -> [N, widths.back()].
  torch::Tensor forward(const torch::Tensor& Z);
  const std::vector<int64_t>& widths() const { return widths_; }
  /// The Linear layers in order (what FrozenMlp copies).
  const std::vector<torch::nn::Linear>& layers() const { return layers_; }

 private:
  std::vector<int64_t> widths_;
  std::vector<torch::nn::Linear> layers_;
};
TORCH_MODULE(Mlp);

}  // namespace esvgd::model
