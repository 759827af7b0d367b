#include "model/frozen_energy.h"

#include <torch/types.h>

#include "core/reused_tensor.h"
#include "esvgd/core/error.h"
#include "model/head.h"
#include "model/input_map.h"

namespace esvgd::model {

FrozenEnergy::FrozenEnergy(const EnergyModelImpl& model, int64_t label)
    : options_(model.options()),
      label_(label),
      input_(model.input_map().clone()),
      mlp_(*model.network()) {}

FrozenEnergy::~FrozenEnergy() = default;

torch::Tensor FrozenEnergy::score(const torch::Tensor& X) {
  const int64_t D = options_.dim();
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == D && X.size(0) >= 1, "energy model input must be [N >= 1, ", D, "], got ",
              X.sizes());
  ESVGD_CHECK(X.device().is_cpu(), "the frozen score runs on the CPU; got a tensor on ", X.device());
  auto Xc = X.contiguous();
  if (Xc.scalar_type() != torch::kFloat64 && Xc.scalar_type() != torch::kFloat32) Xc = Xc.to(torch::kFloat32);
  auto out = core::reused_or_empty(out_, Xc.sizes(), Xc.options());
  if (Xc.scalar_type() == torch::kFloat64) run(Xc.data_ptr<double>(), out.data_ptr<double>(), Xc.size(0));
  else run(Xc.data_ptr<float>(), out.data_ptr<float>(), Xc.size(0));
  return out.scalar_type() == X.scalar_type() ? out : out.to(X.dtype());
}

template <typename T>
void FrozenEnergy::run(const T* x, T* out, int64_t N) {
  const int64_t D = options_.dim(), C = options_.outputs(), copies = input_->copies();
  x_.assign(x, x + N * D);
  grad_x_.resize(static_cast<size_t>(N * D));
  // Input map: batch row m·N + n holds copy m of point n.
  mlp_.resize(copies * N);
  input_->forward(x_.data(), N, mlp_.input());
  mlp_.forward_buffers();
  // Head: dE/do at the outputs averaged over the copies; each copy gets 1/copies of it.
  auto at = [](int64_t f, int64_t row, int64_t width) { return FrozenMlp::offset(f, row, width); };
  const float* o = mlp_.output();
  float* g = mlp_.output_grad();
  const float share = 1.0f / static_cast<float>(copies);
  mean_out_.resize(static_cast<size_t>(N * C));
  grad_out_.resize(static_cast<size_t>(N * C));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      float s = 0.f;
      for (int64_t m = 0; m < copies; ++m) s += o[at(c, m * N + n, C)];
      mean_out_[n * C + c] = s * share;
    }
  head_gradient(options_.head(), mean_out_.data(), N, C, label_, grad_out_.data());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t m = 0; m < copies; ++m) g[at(c, m * N + n, C)] = grad_out_[n * C + c] * share;
  // Back through the network and the input map; the score is −dE/dx.
  mlp_.backward_buffers();
  input_->backward(x_.data(), N, mlp_.input_grad(), grad_x_.data());
  for (int64_t i = 0; i < N * D; ++i) out[i] = -static_cast<T>(grad_x_[static_cast<size_t>(i)]);
}

}  // namespace esvgd::model
