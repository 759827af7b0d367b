#include "esvgd/model/image_energy.h"

#include <algorithm>

#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"

namespace esvgd::model {

ImageEnergyImpl::ImageEnergyImpl(ImageEnergyOptions o) : options_(std::move(o)) {
  const auto& f = options_.fields();
  const int64_t L = static_cast<int64_t>(f.size());
  if (L < 1) throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::fields", "needs at least one layer");
  for (auto c : f)
    if (c < 1)
      throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::fields",
                  "every layer needs >= 1 field, got " + std::to_string(c));
  if (options_.kernel_size() < 1 || options_.kernel_size() % 2 == 0)
    throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::kernel_size",
                "must be odd (a 90° rotation then maps each filter's grid onto itself), got " +
                    std::to_string(options_.kernel_size()));
  if (options_.side() < 1) throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::side", "must be >= 1");
  if (options_.head_hidden() < 1)
    throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::head_hidden",
                "must be >= 1");
  if (options_.classes() < 2)
    throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::classes",
                "a JEM head needs >= 2 classes");
  auto pools = options_.pool_after();
  std::sort(pools.begin(), pools.end());
  int64_t size = options_.side();
  for (size_t i = 0; i < pools.size(); ++i) {
    if (pools[i] < 1 || pools[i] > L || (i > 0 && pools[i] == pools[i - 1]))
      throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::pool_after",
                  "layer " + std::to_string(pools[i]) + " is not one of 1.." + std::to_string(L) + " or is repeated");
    if (size % 2 != 0)
      throw Error(ErrorKind::kInvalidArgument, "ImageEnergyOptions::pool_after",
                  "2x2 pooling of a " + std::to_string(size) + "-pixel map does not commute with rotations (odd size)");
    size /= 2;
  }
  for (int64_t l = 0; l < L; ++l)
    convs_.push_back(register_module("conv" + std::to_string(l + 1),
                                     C4Conv(l == 0 ? 1 : f[l - 1], f[l], options_.kernel_size(), l == 0, options_.equivariant())));
  fc1_ = register_module("fc1", torch::nn::Linear(f.back(), options_.head_hidden()));
  fc2_ = register_module("fc2", torch::nn::Linear(options_.head_hidden(), options_.classes()));
}

ImageEnergyImpl::Weights ImageEnergyImpl::weights() const {
  Weights w;
  for (const auto& c : convs_) w.conv.push_back(c->weights());
  w.w1 = fc1_->weight, w.b1 = fc1_->bias, w.w2 = fc2_->weight, w.b2 = fc2_->bias;
  return w;
}

torch::Tensor ImageEnergyImpl::as_images(const torch::Tensor& X) const {
  const int64_t S = options_.side();
  const auto& p = fc1_->weight;
  if (X.dim() == 2 && X.size(1) == S * S) return X.to(p.device(), p.scalar_type()).view({X.size(0), 1, S, S});
  ESVGD_CHECK(X.dim() == 4 && X.size(1) == 1 && X.size(2) == S && X.size(3) == S, "the image energy expects [N, ",
              S * S, "] or [N, 1, ", S, ", ", S, "], got ", X.sizes());
  return X.to(p.device(), p.scalar_type());
}

torch::Tensor ImageEnergyImpl::hidden(const torch::Tensor& images, const Weights& w, std::vector<torch::Tensor>* maps) const {
  const auto& pools = options_.pool_after();
  auto h = images;
  for (size_t l = 0; l < w.conv.size(); ++l) {
    h = torch::silu(torch::conv2d(h, w.conv[l].first, w.conv[l].second, 1, options_.kernel_size() / 2));
    if (maps) maps->push_back(h);
    if (std::find(pools.begin(), pools.end(), static_cast<int64_t>(l + 1)) != pools.end()) h = torch::avg_pool2d(h, 2);
  }
  auto pooled = group_max_pool(h).mean({2, 3});  // [N, fields]: invariant for the C4 network
  return torch::silu(torch::linear(pooled, w.w1, w.b1));
}

torch::Tensor ImageEnergyImpl::run(const torch::Tensor& images, const Weights& w) const {
  return torch::linear(hidden(images, w), w.w2, w.b2);
}

torch::Tensor ImageEnergyImpl::outputs(const torch::Tensor& X) { return run(as_images(X), weights()); }

torch::Tensor ImageEnergyImpl::penultimate(const torch::Tensor& X) { return hidden(as_images(X), weights()); }

std::vector<torch::Tensor> ImageEnergyImpl::feature_maps(const torch::Tensor& X) {
  std::vector<torch::Tensor> maps;
  hidden(as_images(X), weights(), &maps);
  return maps;
}

torch::Tensor ImageEnergyImpl::energy_from_outputs(const torch::Tensor& O, int64_t label) const {
  ESVGD_CHECK(label < O.size(1), "class ", label, " is out of range for ", O.size(1), " classes");
  return label < 0 ? -torch::logsumexp(O, 1) : -O.select(1, label);
}

ScoreFn ImageEnergyImpl::frozen_score(int64_t label) const {
  ESVGD_CHECK(label < options_.classes(), "class ", label, " is out of range for ", options_.classes(), " classes");
  Weights w;
  {
    torch::NoGradGuard no_grad;  // expand the filters once per SVGD run, detached from training
    w = weights();
    for (auto& [cw, cb] : w.conv) cw = cw.detach().clone(), cb = cb.detach().clone();
    for (auto* t : {&w.w1, &w.b1, &w.w2, &w.b2}) *t = t->detach().clone();
  }
  auto self = std::static_pointer_cast<const ImageEnergyImpl>(shared_from_this());
  return [self, w, label](const torch::Tensor& X) {
    torch::AutoGradMode enable(true);
    auto x = self->as_images(X.detach()).requires_grad_(true);
    auto E = self->energy_from_outputs(self->run(x, w), label);
    auto grad = torch::autograd::grad({E.sum()}, {x})[0];
    return (-grad).reshape(X.sizes()).to(X.device(), X.scalar_type());
  };
}

}  // namespace esvgd::model
