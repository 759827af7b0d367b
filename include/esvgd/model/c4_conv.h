#pragma once
/// C4 regular-representation convolutions on square images (Cohen & Welling 2016; Weiler & Cesa
/// 2019; docs/method.md, "FashionMNIST"). A regular feature map has 4 group channels per field,
/// laid out field-major: channel c·4 + g holds field c at rotation g. Rotating the input by r·90°
/// rotates every map and shifts its group channels: f_{c,g} → ρ_r f_{c,g−r}.
///
///   lifting      out_{o,g} = Σ_i (ρ_g ψ_{o,i}) ⋆ x_i                 (trivial → regular)
///   group conv   out_{o,g} = Σ_{i,s} (ρ_g ψ_{o,i,s−g}) ⋆ f_{i,s}      (regular → regular)
///
/// Both are assembled once into an ordinary conv2d weight (4 rotated, shifted copies of ψ), so a
/// layer costs one standard convolution. With odd filters and symmetric "same" padding a 90°
/// rotation is an exact pixel permutation and the layers are equivariant up to float rounding.
/// ρ is torch::rot90(·, 1, {H, W}) (counter-clockwise) for filters and images alike.
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace esvgd::model {

/// ψ [O, I, k, k] → conv weight [4·O, I, k, k], row o·4 + g = ρ_g ψ_o.
torch::Tensor lifting_filters(const torch::Tensor& psi);
/// ψ [O, I, 4, k, k] → conv weight [4·O, 4·I, k, k], block (o·4 + g, i·4 + s) = ρ_g ψ_{o,i,(s−g) mod 4}.
torch::Tensor group_filters(const torch::Tensor& psi);
/// How a rotation by r·90° acts on a regular map [N, 4·C, H, W]: rotate, shift the group channels.
torch::Tensor rotate_regular(const torch::Tensor& f, int64_t r);
/// Group pooling: the maximum over the 4 group channels of each field, [N, 4·C, H, W] → [N, C, H, W].
/// The result rotates with the input and has no group index.
torch::Tensor group_max_pool(const torch::Tensor& f);

/// One convolution layer of the image energy: a C4 lifting or group convolution (equivariant), or
/// a plain convolution with the same input and output channel counts (the regular baseline). The
/// bias of an equivariant layer is shared by the 4 group channels of a field.
class C4ConvImpl : public torch::nn::Module {
 public:
  /// in_fields: input channels (lifting) or fields (4 channels each); out_fields: output fields.
  C4ConvImpl(int64_t in_fields, int64_t out_fields, int64_t kernel_size, bool lifting, bool equivariant);
  /// The conv2d weight and bias [4·O] this layer applies (rebuilt from ψ, with autograd).
  std::pair<torch::Tensor, torch::Tensor> weights() const;
  torch::Tensor forward(const torch::Tensor& x) const;

  bool lifting() const { return lifting_; }
  bool equivariant() const { return equivariant_; }
  int64_t kernel_size() const { return k_; }

 private:
  int64_t k_;
  bool lifting_, equivariant_;
  torch::Tensor psi_, bias_;
};
TORCH_MODULE(C4Conv);

}  // namespace esvgd::model
