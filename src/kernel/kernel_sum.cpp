// Fused, tiled RBF kernel-matrix products. Compiled with -O3 -march=native -fno-trapping-math
// (CMakeLists.txt; without -fno-trapping-math GCC does not if-convert the underflow clamp and the
// exp loop stays scalar). One tile engine serves three modes:
//   rectangular  out = K V                          every pair (i, j) once
//   symmetric    out = K V, K = Kᵀ                   pairs j ≥ i only: half the exponentials
//   pair         (K V_B, Kᵀ V_A)                    one exponential serves both products
#include "kernel/kernel_sum.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "esvgd/core/error.h"

namespace esvgd::kernel {

namespace {

// Tile side (rows and columns): tile data stays in L1/L2, and a tile is enough work for one task.
constexpr int64_t kTile = 256;
// From this many features on, distances cost more than the exponential and a GEMM (BLAS) computes
// them faster than the pair loop (bench/compare: D = 64 ran 2-4x slower in the pair loop).
constexpr int64_t kGemmFeatures = 16;

template <typename T>
struct ExpConst;

template <>
struct ExpConst<double> {
  using Int = int64_t;
  static constexpr double kMin = -708.0;  // exp below this underflows to denormals: return 0
  static constexpr double kLog2e = 1.4426950408889634;
  static constexpr double kLn2Hi = 0.6931471803691238;
  static constexpr double kLn2Lo = 1.9082149292705877e-10;
  static constexpr int kMantissa = 52;
  static constexpr double kBias = 1023.0;
  static constexpr double kShifter = 4503599627370496.0;  // 2^52: n + bias lands in the low mantissa bits
  static constexpr double kRound = 6755399441055744.0;    // 1.5·2^52
};

template <>
struct ExpConst<float> {
  using Int = int32_t;
  static constexpr float kMin = -87.0f;
  static constexpr float kLog2e = 1.44269504f;
  static constexpr float kLn2Hi = 0.693359375f;
  static constexpr float kLn2Lo = -2.12194440e-4f;
  static constexpr int kMantissa = 23;
  static constexpr float kBias = 127.0f;
  static constexpr float kShifter = 8388608.0f;  // 2^23
  static constexpr float kRound = 12582912.0f;   // 1.5·2^23
};

/// exp(x), x ≤ 0: x = n ln2 + r with |r| ≤ ln2/2, e^r by a Taylor polynomial in Estrin's scheme (short
/// dependency chains), 2^n from the exponent bits. Branch-free bit tricks only, so that `omp simd`
/// loops over it vectorise on AVX2 (which has no 64-bit float→int conversion).
template <typename T>
inline T exp_np(T x) {
  using C = ExpConst<T>;
  using Int = typename C::Int;
  const bool underflow = x < C::kMin;
  x = underflow ? C::kMin : x;
  // Round to nearest by adding and subtracting 1.5·2^52 (2^23 for float).
  const T n = (x * C::kLog2e + C::kRound) - C::kRound;
  const T r = (x - n * C::kLn2Hi) - n * C::kLn2Lo;
  const T r2 = r * r, r4 = r2 * r2;
  T p;
  if constexpr (sizeof(T) == 8) {
    // Degree 12: remainder r^13/13! < 2e-16 on |r| ≤ 0.347.
    const T r8 = r4 * r4;
    const T a01 = 1.0 + r, a23 = 0.5 + r * (1.0 / 6), a45 = 1.0 / 24 + r * (1.0 / 120);
    const T a67 = 1.0 / 720 + r * (1.0 / 5040), a89 = 1.0 / 40320 + r * (1.0 / 362880);
    const T a1011 = 1.0 / 3628800 + r * (1.0 / 39916800), a12 = 1.0 / 479001600;
    p = ((a01 + r2 * a23) + r4 * (a45 + r2 * a67)) + r8 * ((a89 + r2 * a1011) + r4 * a12);
  } else {
    // Degree 7: remainder r^8/8! < 5e-9 on |r| ≤ 0.347.
    const T a01 = 1.0f + r, a23 = 0.5f + r * (1.0f / 6), a45 = 1.0f / 24 + r * (1.0f / 120);
    const T a67 = 1.0f / 720 + r * (1.0f / 5040);
    p = (a01 + r2 * a23) + r4 * (a45 + r2 * a67);
  }
  // 2^n: n + bias + 2^52 holds n + bias in its low mantissa bits; shift them into the exponent.
  const T shifted = n + (C::kBias + C::kShifter);
  Int bits;
  std::memcpy(&bits, &shifted, sizeof(T));
  bits <<= C::kMantissa;
  T scale;
  std::memcpy(&scale, &bits, sizeof(T));
  return underflow ? T(0) : p * scale;
}

enum class Mode { kRectangular, kSymmetric, kPair };

/// Inputs of the tile engine. Transposed layouts keep every j loop contiguous.
template <typename T>
struct Problem {
  const T* A;    // [N][F]
  const T* Bt;   // [F][M]
  const T* VBt;  // [CB][M]: out_A[i] += Σ_j k_ij V_B[j]
  const T* VA;   // [N][CA]: out_B[j] += Σ_i k_ij V_A[i] (pair and symmetric modes)
  int64_t N, M, F, CB, CA;
  T scale;  // 1/(2h²)
  Mode mode;
};

/// Thread-local accumulators: outA [N][CB] and outBt [CA][M].
template <typename T>
struct Accumulators {
  std::vector<T> outA, outBt;
};

/// k_j = exp(−‖a − b_j‖² scale) for j < n into k, with the b_j given transposed: feature f of b_j at
/// Bt[f * stride + j]. d2 is scratch of n values. Both the tiled engine and the direct loops use it.
template <typename T>
inline void kernel_row(const T* a, const T* Bt, int64_t stride, int64_t n, int64_t F, T scale, T* d2, T* k) {
  {
    const T a0 = a[0];
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) {
      const T d = a0 - Bt[j];
      d2[j] = d * d;
    }
  }
  for (int64_t f = 1; f < F; ++f) {
    const T af = a[f];
    const T* b = Bt + f * stride;
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) {
      const T d = af - b[j];
      d2[j] += d * d;
    }
  }
#pragma omp simd
  for (int64_t j = 0; j < n; ++j) k[j] = exp_np<T>(-scale * d2[j]);
}

/// Adds the contributions of the tile rows [i0, i1) × columns [j0, j1). In symmetric mode on a
/// diagonal tile only j ≥ i is visited (j = i into out_A only).
template <typename T>
void tile(const Problem<T>& p, Accumulators<T>& acc, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  alignas(64) T d2[kTile];
  alignas(64) T k[kTile];
  const bool diagonal = p.mode == Mode::kSymmetric && i0 == j0;
  const bool transpose = p.mode != Mode::kRectangular;
  for (int64_t i = i0; i < i1; ++i) {
    const int64_t js = diagonal ? i : j0;  // first column of this row
    const int64_t nj = j1 - js;
    if (nj <= 0) continue;
    kernel_row(p.A + i * p.F, p.Bt + js, p.M, nj, p.F, p.scale, d2, k);
    T* oa = acc.outA.data() + i * p.CB;
    for (int64_t c = 0; c < p.CB; ++c) {
      const T* v = p.VBt + c * p.M + js;
      T s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t jj = 0; jj < nj; ++jj) s += k[jj] * v[jj];
      oa[c] += s;
    }
    if (transpose) {
      if (diagonal) k[0] = 0;  // the (i, i) pair is already counted in out_A
      for (int64_t c = 0; c < p.CA; ++c) {
        const T va = p.VA[i * p.CA + c];
        T* ob = acc.outBt.data() + c * p.M + js;
#pragma omp simd
        for (int64_t jj = 0; jj < nj; ++jj) ob[jj] += k[jj] * va;
      }
    }
  }
}

/// Runs every tile of the problem over the intra-op threads, each into its own accumulators, and
/// sums them: returns {out_A [N, CB], out_B [M, CA] (empty in rectangular mode)}.
template <typename T>
std::pair<torch::Tensor, torch::Tensor> run_tiles(const Problem<T>& p, const torch::TensorOptions& options) {
  const int64_t row_blocks = (p.N + kTile - 1) / kTile, col_blocks = (p.M + kTile - 1) / kTile;
  std::vector<std::pair<int64_t, int64_t>> tiles;
  for (int64_t ib = 0; ib < row_blocks; ++ib)
    for (int64_t jb = p.mode == Mode::kSymmetric ? ib : 0; jb < col_blocks; ++jb) tiles.emplace_back(ib, jb);
  const bool transpose = p.mode != Mode::kRectangular;
  const int threads = std::max(1, at::get_num_threads());
  std::vector<Accumulators<T>> acc(threads);
  at::parallel_for(0, static_cast<int64_t>(tiles.size()), 1, [&](int64_t t0, int64_t t1) {
    auto& a = acc[std::min(at::get_thread_num(), threads - 1)];
    if (a.outA.empty()) {
      a.outA.assign(p.N * p.CB, T(0));
      if (transpose) a.outBt.assign(p.CA * p.M, T(0));
    }
    for (int64_t t = t0; t < t1; ++t) {
      const auto [ib, jb] = tiles[t];
      tile(p, a, ib * kTile, std::min(p.N, (ib + 1) * kTile), jb * kTile, std::min(p.M, (jb + 1) * kTile));
    }
  });
  auto outA = torch::zeros({p.N, p.CB}, options);
  auto outBt = torch::zeros({p.CA, p.M}, options);
  T* oa = outA.template data_ptr<T>();
  T* ob = outBt.template data_ptr<T>();
  for (const auto& a : acc) {
    if (a.outA.empty()) continue;
    for (size_t e = 0; e < a.outA.size(); ++e) oa[e] += a.outA[e];
    for (size_t e = 0; e < a.outBt.size(); ++e) ob[e] += a.outBt[e];
  }
  return {outA, transpose ? outBt.t().contiguous() : torch::Tensor()};
}

template <typename T>
std::pair<torch::Tensor, torch::Tensor> fused_cpu(const torch::Tensor& A, const torch::Tensor& B,
                                                  const torch::Tensor& VB, const torch::Tensor& VA, double h,
                                                  Mode mode) {
  auto Ac = A.contiguous();
  auto Bt = B.t().contiguous();
  auto VBt = VB.t().contiguous();
  auto VAc = VA.defined() ? VA.contiguous() : torch::Tensor();
  Problem<T> p{Ac.data_ptr<T>(), Bt.data_ptr<T>(), VBt.data_ptr<T>(), VAc.defined() ? VAc.data_ptr<T>() : nullptr,
               A.size(0), B.size(0), A.size(1), VB.size(1), VAc.defined() ? VAc.size(1) : 0,
               static_cast<T>(1.0 / (2.0 * h * h)), mode};
  return run_tiles(p, A.options());
}

std::pair<torch::Tensor, torch::Tensor> dispatch(const torch::Tensor& A, const torch::Tensor& B,
                                                 const torch::Tensor& VB, const torch::Tensor& VA, double h,
                                                 Mode mode) {
  if (A.scalar_type() == torch::kFloat64) return fused_cpu<double>(A, B, VB, VA, h, mode);
  if (A.scalar_type() == torch::kFloat32) return fused_cpu<float>(A, B, VB, VA, h, mode);
  throw Error(ErrorKind::kInvalidArgument, "", "the fused kernel sum supports float64 and float32 only");
}

/// K in row chunks of bounded memory (distances by GEMM inside cdist), then matrix products: the path
/// for large feature dimensions and for non-CPU devices.
std::pair<torch::Tensor, torch::Tensor> chunked_ops(const torch::Tensor& A, const torch::Tensor& B,
                                                    const torch::Tensor& VB, const torch::Tensor& VA, double h) {
  constexpr int64_t kMaxChunkElems = int64_t(1) << 24;  // 16M kernel entries per chunk
  const int64_t rows = std::max<int64_t>(1, kMaxChunkElems / std::max<int64_t>(1, B.size(0)));
  std::vector<torch::Tensor> parts;
  torch::Tensor outB = VA.defined() ? torch::zeros({B.size(0), VA.size(1)}, VA.options()) : torch::Tensor();
  for (int64_t i = 0; i < A.size(0); i += rows) {
    const int64_t n = std::min(rows, A.size(0) - i);
    auto K = torch::exp(-torch::cdist(A.narrow(0, i, n), B).pow(2) / (2 * h * h));
    parts.push_back(torch::matmul(K, VB));
    if (VA.defined()) outB += torch::matmul(K.t(), VA.narrow(0, i, n));
  }
  return {torch::cat(parts), outB};
}

/// Below this many pairs the tiled engine's setup (transposes, per-thread accumulators, thread
/// start) costs more than the pairs themselves: one thread, one pass, no temporaries but a row of k.
constexpr int64_t kDirectPairs = 1 << 14;

bool direct_ok(const torch::Tensor& A, const torch::Tensor& B) {
  return A.device().is_cpu() && A.size(0) * B.size(0) <= kDirectPairs &&
         (A.scalar_type() == torch::kFloat64 || A.scalar_type() == torch::kFloat32);
}

template <typename T>
std::vector<T> transposed(const torch::Tensor& X) {  // [R, C] -> [C][R]
  auto Xc = X.contiguous();
  const T* x = Xc.template data_ptr<T>();
  const int64_t R = X.size(0), C = X.size(1);
  std::vector<T> t(static_cast<size_t>(R * C));
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) t[c * R + r] = x[r * C + c];
  return t;
}

template <typename T>
torch::Tensor direct_matmul(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V, double h) {
  const int64_t N = A.size(0), M = B.size(0), F = A.size(1), C = V.size(1);
  auto Ac = A.contiguous();
  const auto Bt = transposed<T>(B), Vt = transposed<T>(V);
  std::vector<T> d2(static_cast<size_t>(M)), k(static_cast<size_t>(M));
  auto out = torch::empty({N, C}, A.options());
  T* o = out.template data_ptr<T>();
  const T scale = static_cast<T>(1.0 / (2.0 * h * h));
  for (int64_t i = 0; i < N; ++i) {
    kernel_row(Ac.template data_ptr<T>() + i * F, Bt.data(), M, M, F, scale, d2.data(), k.data());
    for (int64_t c = 0; c < C; ++c) {
      const T* v = Vt.data() + c * M;
      T s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < M; ++j) s += k[j] * v[j];
      o[i * C + c] = s;
    }
  }
  return out;
}

template <typename T>
torch::Tensor direct_stein(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S, double temperature,
                           double h) {
  const int64_t N = X.size(0), M = Y.size(0), D = X.size(1);
  auto Xc = X.contiguous();
  const auto Yt = transposed<T>(Y), St = transposed<T>(S);
  std::vector<T> d2(static_cast<size_t>(M)), k(static_cast<size_t>(M));
  auto out = torch::empty({N, D}, X.options());
  T* o = out.template data_ptr<T>();
  const T* x = Xc.template data_ptr<T>();
  const T scale = static_cast<T>(1.0 / (2.0 * h * h)), rep = static_cast<T>(temperature / (h * h));
  const T inv_m = static_cast<T>(1.0 / static_cast<double>(M));
  for (int64_t i = 0; i < N; ++i) {
    kernel_row(x + i * D, Yt.data(), M, M, D, scale, d2.data(), k.data());
    T k1 = 0;
#pragma omp simd reduction(+ : k1)
    for (int64_t j = 0; j < M; ++j) k1 += k[j];
    for (int64_t f = 0; f < D; ++f) {
      const T* s = St.data() + f * M;
      const T* y = Yt.data() + f * M;
      T ks = 0, ky = 0;
#pragma omp simd reduction(+ : ks, ky)
      for (int64_t j = 0; j < M; ++j) {
        ks += k[j] * s[j];
        ky += k[j] * y[j];
      }
      o[i * D + f] = (ks + rep * (x[i * D + f] * k1 - ky)) * inv_m;
    }
  }
  return out;
}

void check_common(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V, double h) {
  ESVGD_CHECK(h > 0 && std::isfinite(h), "kernel bandwidth h must be a positive finite number, got ", h);
  ESVGD_CHECK(A.dim() == 2 && B.dim() == 2 && V.dim() == 2, "the kernel sum needs 2-D A, B, V; got ", A.sizes(),
              ", ", B.sizes(), ", ", V.sizes());
  ESVGD_CHECK(A.size(1) == B.size(1), "A and B must have the same feature dimension, got ", A.sizes(), " and ",
              B.sizes());
  ESVGD_CHECK(A.size(1) >= 1, "points need at least one feature");
  ESVGD_CHECK(V.size(0) == B.size(0), "V must have one row per row of B, got ", V.sizes(), " for B ", B.sizes());
  ESVGD_CHECK(A.scalar_type() == B.scalar_type() && A.scalar_type() == V.scalar_type(),
              "A, B and V must share a dtype");
}

}  // namespace

double exp_nonpositive(double x) { return exp_np<double>(x); }
float exp_nonpositive(float x) { return exp_np<float>(x); }

bool rbf_stein_direct_applies(const torch::Tensor& X, const torch::Tensor& Y) {
  return direct_ok(X, Y) && X.size(1) < kGemmFeatures;
}

torch::Tensor rbf_stein_direct(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                               double temperature, double h) {
  ESVGD_CHECK(rbf_stein_direct_applies(X, Y) && Y.sizes() == S.sizes() && X.size(1) == Y.size(1) &&
                  X.scalar_type() == Y.scalar_type() && X.scalar_type() == S.scalar_type(),
              "rbf_stein_direct: small CPU float problems with matching shapes and dtypes only");
  return X.scalar_type() == torch::kFloat64 ? direct_stein<double>(X, Y, S, temperature, h)
                                            : direct_stein<float>(X, Y, S, temperature, h);
}

void feature_stein_sums(const double* f, const double* fT, const double* s, const double* J, int64_t N, int64_t M,
                        int64_t F, int64_t D, double h, double c, double* out, double* sums) {
  const double inv2h2 = 1.0 / (2 * h * h), cutoff = 745.0;  // e^{−745} underflows to 0
  std::vector<double> d2(static_cast<size_t>(M));
  std::vector<int64_t> live(static_cast<size_t>(M));
  for (int64_t i = 0; i < N; ++i) {
    const double* fi = f + i * F;
    double* o = out + i * D;
    double* acc = sums + i * F;
    double* dp = d2.data();
    {
      const double a0 = fi[0];
#pragma omp simd
      for (int64_t j = 0; j < M; ++j) dp[j] = (a0 - fT[j]) * (a0 - fT[j]);
    }
    for (int64_t k = 1; k < F; ++k) {
      const double ak = fi[k];
      const double* col = fT + k * M;
#pragma omp simd
      for (int64_t j = 0; j < M; ++j) dp[j] += (ak - col[j]) * (ak - col[j]);
    }
    int64_t n = 0;  // the pairs whose weight does not underflow
    for (int64_t j = 0; j < M; ++j) {
      live[static_cast<size_t>(n)] = j;
      n += dp[j] * inv2h2 <= cutoff;
    }
    for (int64_t q = 0; q < n; ++q) {
      const int64_t j = live[static_cast<size_t>(q)];
      const double* fj = f + j * F;
      const double w = std::exp(-dp[j] * inv2h2);
      for (int64_t a = 0; a < D; ++a) o[a] += w * s[j * D + a];
      if (J == nullptr) {
        for (int64_t k = 0; k < F; ++k) acc[k] += w * (fi[k] - fj[k]);
      } else {
        const double* Jj = J + j * F * D;
        for (int64_t k = 0; k < F; ++k) {
          const double g = c * w * (fi[k] - fj[k]);
          for (int64_t a = 0; a < D; ++a) o[a] += g * Jj[k * D + a];
        }
      }
    }
  }
}

torch::Tensor rbf_kernel_matmul(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V, double h) {
  check_common(A, B, V, h);
  if (A.size(0) == 0 || B.size(0) == 0) return torch::zeros({A.size(0), V.size(1)}, V.options());
  if (!A.device().is_cpu() || A.size(1) >= kGemmFeatures) return chunked_ops(A, B, V, {}, h).first;
  if (direct_ok(A, B))
    return A.scalar_type() == torch::kFloat64 ? direct_matmul<double>(A, B, V, h) : direct_matmul<float>(A, B, V, h);
  return dispatch(A, B, V, {}, h, Mode::kRectangular).first;
}

torch::Tensor rbf_kernel_matmul_symmetric(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V,
                                          double h) {
  check_common(A, B, V, h);
  ESVGD_CHECK(A.size(0) == B.size(0), "a symmetric kernel matrix needs as many rows in A as in B, got ", A.sizes(),
              " and ", B.sizes());
  if (A.size(0) == 0) return torch::zeros({0, V.size(1)}, V.options());
  if (!A.device().is_cpu() || A.size(1) >= kGemmFeatures) return chunked_ops(A, B, V, {}, h).first;
  if (direct_ok(A, B))  // small: every pair once in one thread beats half the pairs with setup costs
    return A.scalar_type() == torch::kFloat64 ? direct_matmul<double>(A, B, V, h) : direct_matmul<float>(A, B, V, h);
  auto [outA, outB] = dispatch(A, B, V, V, h, Mode::kSymmetric);
  return outA + outB;
}

std::pair<torch::Tensor, torch::Tensor> rbf_kernel_matmul_pair(const torch::Tensor& A, const torch::Tensor& B,
                                                               const torch::Tensor& VB, const torch::Tensor& VA,
                                                               double h) {
  check_common(A, B, VB, h);
  ESVGD_CHECK(VA.dim() == 2 && VA.size(0) == A.size(0) && VA.scalar_type() == A.scalar_type(),
              "V_A must be [rows of A, C] with A's dtype, got ", VA.sizes());
  if (A.size(0) == 0 || B.size(0) == 0)
    return {torch::zeros({A.size(0), VB.size(1)}, VB.options()), torch::zeros({B.size(0), VA.size(1)}, VA.options())};
  if (!A.device().is_cpu() || A.size(1) >= kGemmFeatures) return chunked_ops(A, B, VB, VA, h);
  return dispatch(A, B, VB, VA, h, Mode::kPair);
}

}  // namespace esvgd::kernel
