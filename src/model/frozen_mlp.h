#pragma once
/// The sampler's fast path through an Mlp: a frozen float32 copy of its weights with a hand-written
/// forward pass and input gradient (vector-Jacobian product dE/dZ = J(Z)ᵀ dE/dO).
///
/// During one SVGD run the energy network does not change, yet its input gradient is needed at
/// every step. Autograd would record a graph, allocate every intermediate and run ~25 small ops;
/// here activations live in preallocated buffers, each layer is one register-blocked loop (AVX-512 or
/// AVX2/FMA where compiled for it) with the ReLU (forward) or its mask (backward) applied as values
/// are stored, and the weights are packed in the order the loop broadcasts them. Rows are
/// independent, so blocks of rows run on separate threads. Not thread-safe: one FrozenMlp per
/// concurrent caller.
///
/// Buffers are block-major: the batch's rows in blocks of kBlock, each block holding [width][kBlock]
/// contiguously. A block's activations then stay in L1 through all layers, and no two feature rows
/// lie a multiple of 4 KiB apart (feature-major rows of 1024 floats would alias in the cache).
///
/// Two interfaces: tensors in and out (forward, input_gradient), or the buffers themselves
/// (resize, input, forward_buffers, output, output_grad, backward_buffers, input_grad) for callers
/// that build inputs and read gradients in their own loops without any tensor op.
#include <vector>

#include <torch/types.h>

#include "esvgd/model/mlp.h"

namespace esvgd::model {

class FrozenMlp {
 public:
  /// Copies the current weights of `mlp` (CPU or not; the copy is CPU float32).
  explicit FrozenMlp(const MlpImpl& mlp);

  /// Outputs [N, C] float32 for inputs Z [N, F] (CPU, any floating dtype); keeps the activations.
  torch::Tensor forward(const torch::Tensor& Z);
  /// dE/dZ [N, F] float32 for G = dE/dO [N, C] at the rows of the last forward().
  torch::Tensor input_gradient(const torch::Tensor& G);

  /// Rows per register block (one AVX-512 or two AVX2 vectors).
  static constexpr int64_t kBlock = 16;
  /// Position of (feature f, row n) in a buffer of `width` features.
  static int64_t offset(int64_t f, int64_t n, int64_t width) {
    return (n / kBlock) * width * kBlock + f * kBlock + n % kBlock;
  }

  /// Prepares buffers for a batch of n rows (reallocates only when the padded size changes).
  void resize(int64_t n);
  int64_t rows() const { return n_; }
  /// Input buffer: write Z[n][f] at input()[offset(f, n, F)] for n < rows().
  float* input() { return act_.front().data(); }
  /// Runs the network on input(); outputs land in output() (width C).
  void forward_buffers();
  const float* output() const { return act_.back().data(); }
  /// dE/dO buffer (width C) to fill before backward_buffers().
  float* output_grad() { return grad_.back().data(); }
  /// Back-propagates output_grad() to input_grad() (width F).
  void backward_buffers();
  const float* input_grad() const { return grad_.front().data(); }

  const std::vector<int64_t>& widths() const { return widths_; }

 private:
  std::vector<int64_t> widths_;
  std::vector<std::vector<float>> weight_;    ///< per layer W [out][in], packed by register block
  std::vector<std::vector<float>> weight_t_;  ///< per layer Wᵀ [in][out] (the backward pass's), packed
  std::vector<std::vector<float>> bias_;
  std::vector<std::vector<float>> act_;   ///< act_[0] = inputs, act_[l+1] = output of layer l; block-major
  std::vector<std::vector<float>> grad_;  ///< dE/d act_[l], same layout
  int64_t n_ = 0, n_pad_ = 0;
  int64_t blocks_per_thread_ = 1;  ///< the fewest row blocks worth a thread of their own
};

}  // namespace esvgd::model
