#pragma once
/// The FashionMNIST energy (seed App. E.3): eight convolution layers, group pooling, a fully
/// connected head to class logits, trained as a joint energy model (JEM):
///
///   x [N, 1, S, S] → 8 × (conv → SiLU), 2×2 average pooling after the layers in pool_after
///     → group max pooling → spatial mean → Linear → SiLU → Linear → logits o [N, C]
///   E(x) = −logsumexp_y o_y,   E(x|y) = −o_y,   p(y|x) = softmax(o)
///
/// equivariant: the convolutions are C4 lifting/group convolutions (model/c4_conv.h), so every
/// layer is C4-equivariant and the logits are invariant to 90° rotations of the input, exactly up
/// to float rounding. 2×2 pooling of an even-sized map commutes with rot90 (the blocks tile the grid
/// symmetrically), so sizes must stay even until the last pooling (28 → 14 → 7).
/// Otherwise (the regular baseline) the same layers with plain convolutions of the same channel
/// counts: the same shapes and cost, four times the parameters, no symmetry.
/// SiLU, not ReLU: the sampler follows −∇ₓE, and a ReLU network's input gradient is piecewise
/// constant.
#include <vector>

#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "esvgd/core/arg.h"
#include "esvgd/model/c4_conv.h"
#include "esvgd/model/energy_network.h"

namespace esvgd::model {

struct ImageEnergyOptions {
  ESVGD_ARG(bool, equivariant) = true;
  ESVGD_ARG(int64_t, side) = 28;                                             ///< S: images are S × S, one channel
  ESVGD_ARG(std::vector<int64_t>, fields) = {8, 8, 16, 16, 16, 16, 32, 32};  ///< fields per layer (4 channels each)
  ESVGD_ARG(int64_t, kernel_size) = 3;                                       ///< odd
  ESVGD_ARG(std::vector<int64_t>, pool_after) = {2, 4};                      ///< 1-based layers followed by 2×2 pooling
  ESVGD_ARG(int64_t, head_hidden) = 64;
  ESVGD_ARG(int64_t, classes) = 10;
};

class ImageEnergyImpl : public EnergyNetwork {
 public:
  /// Errors name the option: no layers, an even filter, pooling an odd-sized map, a bad layer index.
  explicit ImageEnergyImpl(ImageEnergyOptions options);

  const ImageEnergyOptions& options() const { return options_; }
  int64_t dim() const { return options_.side() * options_.side(); }

  /// Logits [N, C] for X [N, S·S] (SVGD particles as rows) or [N, 1, S, S].
  torch::Tensor outputs(const torch::Tensor& X) override;
  /// −logsumexp o (label −1) or −o_label.
  torch::Tensor energy_from_outputs(const torch::Tensor& O, int64_t label = -1) const override;
  /// The head's hidden layer SiLU(fc1(pooled)) [N, head_hidden], the features that the logits are a
  /// linear function of (for Fréchet distances; C4-invariant for the equivariant network).
  torch::Tensor penultimate(const torch::Tensor& X);
  /// The layers' regular (or plain) feature maps after each convolution's SiLU, for tests.
  std::vector<torch::Tensor> feature_maps(const torch::Tensor& X);
  /// −∇ₓE(x|label) by autograd with the filters expanded once (they are frozen), in X's dtype and
  /// device.
  ScoreFn frozen_score(int64_t label = -1) const override;

 private:
  struct Weights {
    std::vector<std::pair<torch::Tensor, torch::Tensor>> conv;  ///< expanded conv2d weight, bias
    torch::Tensor w1, b1, w2, b2;                                ///< the head
  };
  Weights weights() const;
  /// The network up to the head's hidden layer on images [N, 1, S, S]; `maps` collects the feature maps.
  torch::Tensor hidden(const torch::Tensor& images, const Weights& w, std::vector<torch::Tensor>* maps = nullptr) const;
  /// The logits: a linear map of hidden().
  torch::Tensor run(const torch::Tensor& images, const Weights& w) const;
  torch::Tensor as_images(const torch::Tensor& X) const;

  ImageEnergyOptions options_;
  std::vector<C4Conv> convs_;
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(ImageEnergy);

}  // namespace esvgd::model
