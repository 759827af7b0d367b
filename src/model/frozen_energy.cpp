#include "model/frozen_energy.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

#include "esvgd/core/error.h"

namespace esvgd::model {

FrozenEnergy::FrozenEnergy(const EnergyModelImpl& model, int64_t label)
    : options_(model.options()), label_(label), mlp_(*model.network()), mean_out_(static_cast<size_t>(options_.outputs)) {
  if (options_.symmetry == Symmetry::kCyclic) {
    auto R = model.rotations().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    rotations_.assign(R.data_ptr<float>(), R.data_ptr<float>() + R.numel());
  }
  if (model.particle_invariant()) {
    invariant_ = std::make_shared<group::ParticleInvariant>(*model.particle_invariant());
    feat_.resize(static_cast<size_t>(invariant_->feature_dim()));
    grad_.resize(static_cast<size_t>(options_.dim));
  }
}

torch::Tensor FrozenEnergy::score(const torch::Tensor& X) {
  const int64_t D = options_.dim;
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == D && X.size(0) >= 1, "energy model input must be [N >= 1, ", D, "], got ",
              X.sizes());
  ESVGD_CHECK(X.device().is_cpu(), "the frozen score runs on the CPU; got a tensor on ", X.device());
  auto Xc = X.contiguous();
  if (Xc.scalar_type() != torch::kFloat64) Xc = Xc.to(torch::kFloat32);
  auto out = torch::empty_like(Xc);
  if (Xc.scalar_type() == torch::kFloat64) run(Xc.data_ptr<double>(), out.data_ptr<double>(), Xc.size(0));
  else run(Xc.data_ptr<float>(), out.data_ptr<float>(), Xc.size(0));
  return out.to(X.dtype());
}

template <typename T>
void FrozenEnergy::run(const T* x, T* out, int64_t N) {
  const int64_t D = options_.dim, C = options_.outputs;
  const int64_t copies = options_.symmetry == Symmetry::kCyclic ? options_.cyclic_order : 1;
  mlp_.resize(copies * N);
  const int64_t F = options_.symmetry == Symmetry::kRadius ? 1 : invariant_ ? invariant_->feature_dim() : D;
  const int64_t stride = invariant_ ? invariant_->scratch_size() + D : 0;  // per row of rows_
  if (invariant_) rows_.resize(static_cast<size_t>(N * stride));
  auto at = [](int64_t f, int64_t col, int64_t width) { return FrozenMlp::offset(f, col, width); };
  float* z = mlp_.input();
  // Network inputs: batch row m·N + n holds copy m of point n.
  switch (options_.symmetry) {
    case Symmetry::kNone:
      for (int64_t n = 0; n < N; ++n)
        for (int64_t f = 0; f < D; ++f) z[at(f, n, F)] = static_cast<float>(x[n * D + f]);
      break;
    case Symmetry::kCyclic:  // z = R_m x
      for (int64_t m = 0; m < copies; ++m) {
        const float* R = rotations_.data() + m * D * D;
        for (int64_t n = 0; n < N; ++n)
          for (int64_t f = 0; f < D; ++f) {
            float acc = 0.f;
            for (int64_t k = 0; k < D; ++k) acc += R[f * D + k] * static_cast<float>(x[n * D + k]);
            z[at(f, m * N + n, F)] = acc;
          }
      }
      break;
    case Symmetry::kRadius:
      for (int64_t n = 0; n < N; ++n) {
        double r2 = 0;
        for (int64_t k = 0; k < D; ++k) r2 += static_cast<double>(x[n * D + k]) * static_cast<double>(x[n * D + k]);
        z[at(0, n, 1)] = static_cast<float>(std::sqrt(r2));
      }
      break;
    case Symmetry::kCanonical:
    case Symmetry::kPairDistances:  // z = m(x); the map's scratch is kept for the backward pass
      for (int64_t n = 0; n < N; ++n) {
        double* scratch = rows_.data() + n * stride;
        double* xd = scratch + invariant_->scratch_size();
        for (int64_t k = 0; k < D; ++k) xd[k] = static_cast<double>(x[n * D + k]);
        invariant_->forward(xd, feat_.data(), scratch);
        for (int64_t f = 0; f < F; ++f) z[at(f, n, F)] = static_cast<float>(feat_[static_cast<size_t>(f)]);
      }
      break;
  }
  mlp_.forward_buffers();
  // dE/do per row from the head, at the outputs averaged over the copies; each copy gets 1/copies.
  const float* o = mlp_.output();
  float* g = mlp_.output_grad();
  const float share = 1.0f / static_cast<float>(copies);
  for (int64_t n = 0; n < N; ++n) {
    for (int64_t c = 0; c < C; ++c) {
      float s = 0.f;
      for (int64_t m = 0; m < copies; ++m) s += o[at(c, m * N + n, C)];
      mean_out_[c] = s * share;
    }
    if (label_ >= 0) {
      for (int64_t c = 0; c < C; ++c) mean_out_[c] = c == label_ ? -1.f : 0.f;
    } else if (options_.head == Head::kJem) {  // E = −logsumexp o: dE/do = −softmax(o)
      const float mx = *std::max_element(mean_out_.begin(), mean_out_.end());
      float total = 0.f;
      for (auto& v : mean_out_) total += (v = std::exp(v - mx));
      for (auto& v : mean_out_) v = -v / total;
    } else if (options_.head == Head::kLog1pSquare) {  // E = log(1 + o²): dE/do = 2o / (1 + o²)
      mean_out_[0] = 2 * mean_out_[0] / (1 + mean_out_[0] * mean_out_[0]);
    } else {
      mean_out_[0] = 1.f;
    }
    for (int64_t c = 0; c < C; ++c)
      for (int64_t m = 0; m < copies; ++m) g[at(c, m * N + n, C)] = mean_out_[c] * share;
  }
  mlp_.backward_buffers();
  // Chain rule back to x; the score is −dE/dx.
  const float* dz = mlp_.input_grad();
  switch (options_.symmetry) {
    case Symmetry::kNone:
      for (int64_t n = 0; n < N; ++n)
        for (int64_t f = 0; f < D; ++f) out[n * D + f] = -static_cast<T>(dz[at(f, n, F)]);
      break;
    case Symmetry::kCyclic:  // z_m = R_m x  =>  dE/dx = Σ_m R_mᵀ dE/dz_m
      for (int64_t n = 0; n < N; ++n)
        for (int64_t k = 0; k < D; ++k) {
          float acc = 0.f;
          for (int64_t m = 0; m < copies; ++m) {
            const float* R = rotations_.data() + m * D * D;
            for (int64_t f = 0; f < D; ++f) acc += R[f * D + k] * dz[at(f, m * N + n, F)];
          }
          out[n * D + k] = -static_cast<T>(acc);
        }
      break;
    case Symmetry::kRadius:  // d|x|/dx = x/|x|, taken as 0 at the origin
      for (int64_t n = 0; n < N; ++n) {
        const double r = static_cast<double>(z[at(0, n, 1)]);
        const double f = r > 0 ? static_cast<double>(dz[at(0, n, 1)]) / r : 0.0;
        for (int64_t k = 0; k < D; ++k) out[n * D + k] = static_cast<T>(-f * static_cast<double>(x[n * D + k]));
      }
      break;
    case Symmetry::kCanonical:
    case Symmetry::kPairDistances:  // dE/dx = J_m(x)ᵀ dE/dz
      for (int64_t n = 0; n < N; ++n) {
        const double* scratch = rows_.data() + n * stride;
        for (int64_t f = 0; f < F; ++f) feat_[static_cast<size_t>(f)] = static_cast<double>(dz[at(f, n, F)]);
        invariant_->backward(scratch + invariant_->scratch_size(), feat_.data(), scratch, grad_.data());
        for (int64_t k = 0; k < D; ++k) out[n * D + k] = static_cast<T>(-grad_[static_cast<size_t>(k)]);
      }
      break;
  }
}

}  // namespace esvgd::model
