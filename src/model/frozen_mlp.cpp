#include "model/frozen_mlp.h"

#include <algorithm>
#include <iterator>

#include <ATen/Parallel.h>
#include <torch/types.h>

#if defined(__AVX512F__) || (defined(__AVX2__) && defined(__FMA__))
#include <immintrin.h>
#endif

#include "esvgd/core/error.h"

namespace esvgd::model {

namespace {

constexpr int64_t kBlock = FrozenMlp::kBlock;
// Waking a second thread and joining it costs microseconds (a DW-4 step, 64 rows through 8-64-64-1,
// took 8-11 us longer on two threads than on one; docs/results.md): a thread gets at least 2^20
// multiply-adds, 15-20 us of work.
constexpr int64_t kMinMacsPerThread = int64_t{1} << 20;

/// What happens to an output value on its way from the accumulator to memory: nothing, the ReLU,
/// or (backward pass) zeroing where the forward ReLU was inactive (mask[j][n] <= 0).
enum class Epilogue { kNone, kRelu, kMask };

/// Register blocks of W's rows, widest first: the widest holds enough accumulators to keep both FMA
/// units busy through their latency. AVX-512: 16 accumulators of 16 rows; AVX2: 6 × 2 of 8 rows,
/// which with the block's two input vectors and a broadcast fills 15 of the 16 registers.
#if defined(__AVX512F__)
constexpr int kRowBlocks[] = {16, 8, 2, 1};
#else
constexpr int kRowBlocks[] = {6, 2, 1};
#endif

/// Rows of W go through the register blocks in the order of kRowBlocks, each as often as it fits.
template <typename F>
void for_each_row_block(int64_t J, const F& f) {
  int64_t j = 0;
  for (const int jb : kRowBlocks)
    for (; j + jb <= J; j += jb) f(j, jb);
}

/// W [J][K] repacked block by block as [k][jj]: the JB weights a step of k broadcasts are adjacent.
std::vector<float> pack(const float* W, int64_t J, int64_t K) {
  std::vector<float> p;
  p.reserve(static_cast<size_t>(J * K));
  for_each_row_block(J, [&](int64_t j, int64_t jb) {
    for (int64_t k = 0; k < K; ++k)
      for (int64_t jj = 0; jj < jb; ++jj) p.push_back(W[(j + jj) * K + k]);
  });
  return p;
}

/// out[j + jj][n] = epilogue(b[j + jj] + Σ_k W[j + jj][k] in[k][n]) for jj < JB and the columns
/// [n0, n0 + kBlock) of buffers with row stride `stride`; Wp is the block's packed weights, b may
/// be null. The accumulators stay in registers while each input row is loaded once per JB rows; each
/// output sums over k in order with FMAs, so the AVX-512 and AVX2 loops give the same bits.
#if defined(__AVX512F__)
template <int JB, Epilogue E>
inline void dense_block(const float* Wp, const float* b, const float* in, float* out, const float* mask, int64_t j,
                        int64_t K, int64_t stride, int64_t n0) {
  static_assert(kBlock == 16, "one 16-float vector per block");
  __m512 acc[JB];
#pragma GCC unroll 16
  for (int jj = 0; jj < JB; ++jj) acc[jj] = _mm512_set1_ps(b ? b[j + jj] : 0.f);
  for (int64_t k = 0; k < K; ++k) {
    const __m512 x = _mm512_loadu_ps(in + k * stride + n0);
#pragma GCC unroll 16
    for (int jj = 0; jj < JB; ++jj) acc[jj] = _mm512_fmadd_ps(_mm512_set1_ps(Wp[k * JB + jj]), x, acc[jj]);
  }
  const __m512 zero = _mm512_setzero_ps();
#pragma GCC unroll 16
  for (int jj = 0; jj < JB; ++jj) {
    __m512 v = acc[jj];
    // max(v, 0) as a masked move: GCC 12's _mm512_max_ps warns about its own undefined operand.
    if constexpr (E == Epilogue::kRelu) v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), v);
    if constexpr (E == Epilogue::kMask)
      v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_loadu_ps(mask + (j + jj) * stride + n0), zero, _CMP_GT_OQ), v);
    _mm512_storeu_ps(out + (j + jj) * stride + n0, v);
  }
}
#elif defined(__AVX2__) && defined(__FMA__)
template <int JB, Epilogue E>
inline void dense_block(const float* Wp, const float* b, const float* in, float* out, const float* mask, int64_t j,
                        int64_t K, int64_t stride, int64_t n0) {
  __m256 acc[JB][2];
#pragma GCC unroll 8
  for (int jj = 0; jj < JB; ++jj) acc[jj][0] = acc[jj][1] = _mm256_set1_ps(b ? b[j + jj] : 0.f);
  for (int64_t k = 0; k < K; ++k) {
    const float* x = in + k * stride + n0;
    const __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
#pragma GCC unroll 8
    for (int jj = 0; jj < JB; ++jj) {
      const __m256 w = _mm256_broadcast_ss(Wp + k * JB + jj);
      acc[jj][0] = _mm256_fmadd_ps(w, x0, acc[jj][0]);
      acc[jj][1] = _mm256_fmadd_ps(w, x1, acc[jj][1]);
    }
  }
  const __m256 zero = _mm256_setzero_ps();
#pragma GCC unroll 8
  for (int jj = 0; jj < JB; ++jj) {
    for (int h = 0; h < 2; ++h) {
      __m256 v = acc[jj][h];
      if constexpr (E == Epilogue::kRelu) v = _mm256_max_ps(v, zero);
      if constexpr (E == Epilogue::kMask)
        v = _mm256_and_ps(v, _mm256_cmp_ps(_mm256_loadu_ps(mask + (j + jj) * stride + n0 + 8 * h), zero, _CMP_GT_OQ));
      _mm256_storeu_ps(out + (j + jj) * stride + n0 + 8 * h, v);
    }
  }
}
#else
template <int JB, Epilogue E>
inline void dense_block(const float* Wp, const float* b, const float* in, float* out, const float* mask, int64_t j,
                        int64_t K, int64_t stride, int64_t n0) {
  for (int jj = 0; jj < JB; ++jj) {
    float acc[kBlock];
    for (int64_t n = 0; n < kBlock; ++n) acc[n] = b ? b[j + jj] : 0.f;
    for (int64_t k = 0; k < K; ++k) {
      const float w = Wp[k * JB + jj];
      const float* x = in + k * stride + n0;
      for (int64_t n = 0; n < kBlock; ++n) acc[n] += w * x[n];
    }
    float* o = out + (j + jj) * stride + n0;
    for (int64_t n = 0; n < kBlock; ++n) {
      float v = acc[n];
      if (E == Epilogue::kRelu) v = std::max(v, 0.f);
      if (E == Epilogue::kMask && !(mask[(j + jj) * stride + n0 + n] > 0.f)) v = 0.f;
      o[n] = v;
    }
  }
}
#endif

/// dense_block for the register block jb, one of kRowBlocks.
template <Epilogue E, size_t I = 0>
inline void dense_rows(int jb, const float* Wp, const float* b, const float* in, float* out, const float* mask,
                       int64_t j, int64_t K, int64_t stride, int64_t n0) {
  constexpr int kWidth = kRowBlocks[I];
  if constexpr (I + 1 == std::size(kRowBlocks)) dense_block<kWidth, E>(Wp, b, in, out, mask, j, K, stride, n0);
  else if (jb == kWidth) dense_block<kWidth, E>(Wp, b, in, out, mask, j, K, stride, n0);
  else dense_rows<E, I + 1>(jb, Wp, b, in, out, mask, j, K, stride, n0);
}

template <Epilogue E>
void dense(const float* Wp, const float* b, const float* in, float* out, const float* mask, int64_t J, int64_t K,
           int64_t stride, int64_t n0) {
  for_each_row_block(J, [&](int64_t j, int64_t jb) {
    const float* w = Wp + j * K;  // blocks are packed in row order, each JB·K floats
    dense_rows<E>(jb, w, b, in, out, mask, j, K, stride, n0);
  });
}

/// Runs body(n0) for every column block, blocks spread over the intra-op threads, at least `grain`
/// blocks per thread.
template <typename Body>
void for_each_block(int64_t n_pad, int64_t grain, const Body& body) {
  at::parallel_for(0, n_pad / kBlock, grain, [&](int64_t begin, int64_t end) {
    for (int64_t blk = begin; blk < end; ++blk) body(blk * kBlock);
  });
}

}  // namespace

FrozenMlp::FrozenMlp(const MlpImpl& mlp) : widths_(mlp.widths()) {
  for (const auto& layer : mlp.layers()) {
    auto W = layer->weight.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    auto Wt = W.t().contiguous();
    auto b = layer->bias.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    weight_.push_back(pack(W.data_ptr<float>(), W.size(0), W.size(1)));
    weight_t_.push_back(pack(Wt.data_ptr<float>(), Wt.size(0), Wt.size(1)));
    bias_.emplace_back(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  }
  act_.resize(widths_.size());
  grad_.resize(widths_.size());
  int64_t macs_per_row = 0;
  for (size_t l = 0; l + 1 < widths_.size(); ++l) macs_per_row += widths_[l] * widths_[l + 1];
  blocks_per_thread_ = std::max<int64_t>(1, kMinMacsPerThread / std::max<int64_t>(1, macs_per_row * kBlock));
}

void FrozenMlp::resize(int64_t n) {
  ESVGD_CHECK(n >= 1, "FrozenMlp needs at least one row, got ", n);
  const int64_t n_pad = (n + kBlock - 1) / kBlock * kBlock;
  if (n_pad != n_pad_) {
    for (size_t l = 0; l < widths_.size(); ++l) {
      act_[l].assign(static_cast<size_t>(widths_[l] * n_pad), 0.f);
      grad_[l].assign(static_cast<size_t>(widths_[l] * n_pad), 0.f);
    }
    n_pad_ = n_pad;
  }
  if (n != n_) {  // padding rows stay zero, so they remain finite whatever the weights
    const int64_t F = widths_.front(), C = widths_.back();
    for (int64_t r = n; r < n_pad_; ++r) {
      for (int64_t f = 0; f < F; ++f) act_.front()[offset(f, r, F)] = 0.f;
      for (int64_t c = 0; c < C; ++c) grad_.back()[offset(c, r, C)] = 0.f;
    }
    n_ = n;
  }
}

void FrozenMlp::forward_buffers() {
  const int64_t L = static_cast<int64_t>(weight_.size());
  for_each_block(n_pad_, blocks_per_thread_, [&](int64_t n0) {
    const int64_t blk = n0 / kBlock;
    for (int64_t l = 0; l < L; ++l) {
      const int64_t J = widths_[l + 1], K = widths_[l];
      const float* in = act_[l].data() + blk * K * kBlock;
      float* out = act_[l + 1].data() + blk * J * kBlock;
      if (l + 1 < L)
        dense<Epilogue::kRelu>(weight_[l].data(), bias_[l].data(), in, out, nullptr, J, K, kBlock, 0);
      else
        dense<Epilogue::kNone>(weight_[l].data(), bias_[l].data(), in, out, nullptr, J, K, kBlock, 0);
    }
  });
}

void FrozenMlp::backward_buffers() {
  const int64_t L = static_cast<int64_t>(weight_.size());
  for_each_block(n_pad_, blocks_per_thread_, [&](int64_t n0) {
    const int64_t blk = n0 / kBlock;
    for (int64_t l = L - 1; l >= 0; --l) {
      const int64_t J = widths_[l], K = widths_[l + 1];
      const float* in = grad_[l + 1].data() + blk * K * kBlock;
      float* out = grad_[l].data() + blk * J * kBlock;
      if (l > 0)  // through the ReLU that produced act_[l]
        dense<Epilogue::kMask>(weight_t_[l].data(), nullptr, in, out, act_[l].data() + blk * J * kBlock, J, K, kBlock, 0);
      else
        dense<Epilogue::kNone>(weight_t_[l].data(), nullptr, in, out, nullptr, J, K, kBlock, 0);
    }
  });
}

torch::Tensor FrozenMlp::forward(const torch::Tensor& Z) {
  const int64_t F = widths_.front(), C = widths_.back();
  ESVGD_CHECK(Z.dim() == 2 && Z.size(1) == F && Z.size(0) >= 1, "MLP input must be [N >= 1, ", F, "], got ", Z.sizes());
  ESVGD_CHECK(Z.device().is_cpu(), "FrozenMlp runs on the CPU; got a tensor on ", Z.device());
  resize(Z.size(0));
  auto Zc = Z.detach().to(torch::kFloat32).contiguous();
  const float* z = Zc.data_ptr<float>();
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t f = 0; f < F; ++f) act_[0][offset(f, n, F)] = z[n * F + f];
  forward_buffers();
  auto O = torch::empty({n_, C}, torch::kFloat32);
  auto* o = O.data_ptr<float>();
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t c = 0; c < C; ++c) o[n * C + c] = act_.back()[offset(c, n, C)];
  return O;
}

torch::Tensor FrozenMlp::input_gradient(const torch::Tensor& G) {
  const int64_t F = widths_.front(), C = widths_.back();
  ESVGD_CHECK(n_ > 0, "FrozenMlp::input_gradient needs a forward() first");
  ESVGD_CHECK(G.dim() == 2 && G.size(0) == n_ && G.size(1) == C, "output gradient must be [", n_, ", ", C,
              "] (the last forward's rows), got ", G.sizes());
  auto Gc = G.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const float* g = Gc.data_ptr<float>();
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t c = 0; c < C; ++c) grad_.back()[offset(c, n, C)] = g[n * C + c];
  backward_buffers();
  auto dZ = torch::empty({n_, F}, torch::kFloat32);
  auto* d = dZ.data_ptr<float>();
  for (int64_t n = 0; n < n_; ++n)
    for (int64_t f = 0; f < F; ++f) d[n * F + f] = grad_[0][offset(f, n, F)];
  return dZ;
}

}  // namespace esvgd::model
