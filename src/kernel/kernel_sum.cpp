// Fused, tiled RBF kernel-matrix products. Compiled with -O3 -fno-trapping-math (CMakeLists.txt;
// without -fno-trapping-math GCC does not if-convert the underflow clamp and the exp loop stays
// scalar); the hot loops are compiled for AVX-512, AVX2 and baseline x86-64 and picked at load time.
// One tile engine serves three modes:
//   rectangular  out = K V                          every pair (i, j) once
//   symmetric    out = K V, K = Kᵀ                   pairs j ≥ i only: half the exponentials
//   pair         (K V_B, Kᵀ V_A)                    one exponential serves both products
// Below 16 features a tile is one pass over its pairs; from 16 on it is three GEMMs around the
// exponential.
#include "kernel/kernel_sum.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/types.h>

#include "core/all_finite.h"
#include "core/reused_tensor.h"
#include "core/simd.h"
#include "esvgd/core/error.h"

namespace esvgd::kernel {

namespace {

// Tile side (rows and columns): tile data stays in L1/L2, and a tile is enough work for one task.
constexpr int64_t kTile = 256;
enum class Mode { kRectangular, kSymmetric, kPair };

/// Inputs of the pair loop. Transposed layouts keep every j loop contiguous.
template <typename T>
struct Problem {
  const T* A;    // [N][F]
  const T* Bt;   // [F][M]
  const T* VBt;  // [CB][M]: out_A[i] += Σ_j k_ij V_B[j]
  const T* VA;   // [N][CA]: out_B[j] += Σ_i k_ij V_A[i] (pair and symmetric modes)
  int64_t N, M, F, CB, CA;
  T scale;  // 1/(2h²)
  Mode mode;
  // V_B holds only finite values, so that a column whose weights all underflow to 0 adds exactly
  // nothing (0 · v = 0; with an inf or NaN in V_B it adds NaN, which must show).
  bool vb_finite = false;
};

template <typename T>
bool all_finite(const std::vector<T>& v) {
  return core::all_finite(v.data(), static_cast<int64_t>(v.size()));
}

/// Where the pair loop adds its sums: out_A [N][CB] and out_Bᵀ [CA][M] (null in rectangular mode).
template <typename T>
struct Sums {
  T* A;
  T* Bt;
};

/// The pairs (i, j), j ∈ [j0, j0 + n), n ≤ L: the distances and exponentials in registers, k_ij V_B[j]
/// into the L-lane sums of row i, k_ij V_A[i] into out_Bᵀ. F > 0 and C > 0 are the feature and V_B
/// column counts known at compile time (0: read p.F, p.CB); with C known the lane sums live in
/// registers (in memory, each block's sum would wait for the previous block's store).
template <typename T, int F, int C, int64_t L>
ESVGD_INLINE void pair_block(const Problem<T>& p, const T* a, int64_t i, int64_t j0, int64_t n, bool transpose, T* k,
                             T* lanes, T* outBt) {
  const int64_t nf = F > 0 ? F : p.F, nc = C > 0 ? C : p.CB;
#pragma omp simd
  for (int64_t w = 0; w < n; ++w) {
    T d2 = 0;
    for (int64_t f = 0; f < nf; ++f) {
      const T d = a[f] - p.Bt[f * p.M + j0 + w];
      d2 += d * d;
    }
    k[w] = simd::exp_nonpositive<T>(-p.scale * d2);
  }
  for (int64_t c = 0; c < nc; ++c) {
    const T* v = p.VBt + c * p.M + j0;
    T* s = lanes + c * L;
#pragma omp simd
    for (int64_t w = 0; w < n; ++w) s[w] += k[w] * v[w];
  }
  if (!transpose) return;
  for (int64_t c = 0; c < p.CA; ++c) {
    const T va = p.VA[i * p.CA + c];
    T* ob = outBt + c * p.M + j0;
#pragma omp simd
    for (int64_t w = 0; w < n; ++w) ob[w] += k[w] * va;
  }
}

/// Rows in lanes (below): the exponent −‖a_w − b‖²/(2h²) of the row in lane w against the point b.
template <typename T, int F, int64_t L>
ESVGD_INLINE T lane_exponent(const Problem<T>& p, const T (&a)[F][L], const T (&b)[F], int64_t w) {
  T d2 = 0;
  for (int f = 0; f < F; ++f) {
    const T d = a[f][w] - b[f];
    d2 += d * d;
  }
  return -p.scale * d2;
}

/// Rows in lanes: the columns [j0, j1) into the lane sums acc of the rows in a, each column's
/// distances, exponentials and products in one loop.
template <typename T, int F, int C, int64_t L>
ESVGD_INLINE void all_columns(const Problem<T>& p, const T (&a)[F][L], T (&acc)[C][L], int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; ++j) {
    T b[F], v[C];
    for (int f = 0; f < F; ++f) b[f] = p.Bt[f * p.M + j];
    for (int c = 0; c < C; ++c) v[c] = p.VBt[c * p.M + j];
#pragma omp simd
    for (int64_t w = 0; w < L; ++w) {
      const T k = simd::exp_nonpositive<T>(lane_exponent(p, a, b, w));
      for (int c = 0; c < C; ++c) acc[c][w] += k * v[c];
    }
  }
}

/// As all_columns, but in chunks: first every column's exponents and whether any lane's weight is
/// above underflow (a NaN counts as live), then the exponentials and products of the live columns
/// only. A dead column would add exactly 0 · v, so skipping it changes no bit while V_B is finite.
/// Returns the number of live columns.
template <typename T, int F, int C, int64_t L>
ESVGD_INLINE int64_t live_columns(const Problem<T>& p, const T (&a)[F][L], T (&acc)[C][L], int64_t j0, int64_t j1) {
  constexpr int64_t kChunk = 128;
  int64_t total = 0;
  for (int64_t c0 = j0; c0 < j1; c0 += kChunk) {
    alignas(64) T e[kChunk][L];
    int64_t live[kChunk], count = 0;
    for (int64_t j = c0; j < std::min(c0 + kChunk, j1); ++j) {
      T b[F];
      for (int f = 0; f < F; ++f) b[f] = p.Bt[f * p.M + j];
      T* ej = e[j - c0];
      int above = 0;
#pragma omp simd reduction(| : above)
      for (int64_t w = 0; w < L; ++w) {
        ej[w] = lane_exponent(p, a, b, w);
        above |= !(ej[w] < simd::ExpConst<T>::kMin);
      }
      if (above) live[count++] = j;
    }
    for (int64_t q = 0; q < count; ++q) {
      const T* ej = e[live[q] - c0];
      T v[C];
      for (int c = 0; c < C; ++c) v[c] = p.VBt[c * p.M + live[q]];
#pragma omp simd
      for (int64_t w = 0; w < L; ++w) {
        const T k = simd::exp_nonpositive<T>(ej[w]);
        for (int c = 0; c < C; ++c) acc[c][w] += k * v[c];
      }
    }
    total += count;
  }
  return total;
}

/// Rectangular mode with C known: the pairs of rows [i0, i1) × columns [j0, j1), one 64-byte vector
/// of rows at a time (row i in lane i − i0), one column per step. Every lane of a step reads the same
/// b_j and V_B[j] (broadcasts), so a row's sums stay in its lane: no per-row reduction or zeroing,
/// which cost as much as the pairs when M is small (the DW-4 step: 128 columns per row). Dead columns
/// (all weights underflow) are skipped by live_columns where that pays: at the paper's bandwidths
/// almost every column of a DW-4 row block is dead (docs/results.md). Once most columns of a row
/// block are live, the tile's remaining blocks take all_columns, whose sums stay in registers
/// (live_columns everywhere made the RBF N = 50 step, where every column is live, 23 % slower).
template <typename T, int F, int C>
ESVGD_INLINE void tile_rows_by_lane(const Problem<T>& p, Sums<T> out, int64_t i0, int64_t i1, int64_t j0,
                                    int64_t j1) {
  constexpr int64_t L = 64 / sizeof(T);
  bool skip = p.vb_finite;
  for (int64_t ib = i0; ib < i1; ib += L) {
    const int64_t n = std::min(L, i1 - ib);
    alignas(64) T a[F][L] = {};  // lanes past n stay 0: finite sums, never stored
    alignas(64) T acc[C][L] = {};
    for (int64_t w = 0; w < n; ++w)
      for (int f = 0; f < F; ++f) a[f][w] = p.A[(ib + w) * F + f];
    if (skip) skip = 2 * live_columns<T, F, C, L>(p, a, acc, j0, j1) < j1 - j0;
    else all_columns<T, F, C, L>(p, a, acc, j0, j1);
    for (int64_t w = 0; w < n; ++w)
      for (int c = 0; c < C; ++c) out.A[(ib + w) * C + c] += acc[c][w];
  }
}

/// Adds the pairs of rows [i0, i1) × columns [j0, j1) to the sums, one pass per row, one 64-byte
/// vector of columns at a time. In symmetric mode on a diagonal tile only j ≥ i is visited, and the
/// pair (i, i) only into out_A.
template <typename T, int F, int C>
ESVGD_INLINE void tile_rows(const Problem<T>& p, Sums<T> out, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  if constexpr (C > 0)
    if (p.mode == Mode::kRectangular) return tile_rows_by_lane<T, F, C>(p, out, i0, i1, j0, j1);
  constexpr int64_t L = 64 / sizeof(T);
  const int64_t nc = C > 0 ? C : p.CB;
  alignas(64) T k[L];
  alignas(64) T fixed[C > 0 ? C : 1][L];
  std::vector<T> dynamic(C > 0 ? 0 : static_cast<size_t>(nc * L));
  T* lanes = C > 0 ? &fixed[0][0] : dynamic.data();
  const bool diagonal = p.mode == Mode::kSymmetric && i0 == j0;
  const bool transpose = p.mode != Mode::kRectangular;
  for (int64_t i = i0; i < i1; ++i) {
    const T* a = p.A + i * p.F;
    for (int64_t e = 0; e < nc * L; ++e) lanes[e] = 0;
    int64_t j = j0;
    if (diagonal) {
      pair_block<T, F, C, L>(p, a, i, i, 1, false, k, lanes, out.Bt);
      j = i + 1;
    }
    for (; j + L <= j1; j += L) pair_block<T, F, C, L>(p, a, i, j, L, transpose, k, lanes, out.Bt);
    if (j < j1) pair_block<T, F, C, L>(p, a, i, j, j1 - j, transpose, k, lanes, out.Bt);
    // The lanes summed pairwise (log2 L vector steps, not L dependent scalar adds per column).
    for (int64_t half = L / 2; half >= 1; half /= 2)
      for (int64_t c = 0; c < nc; ++c)
#pragma omp simd
        for (int64_t w = 0; w < half; ++w) lanes[c * L + w] += lanes[c * L + w + half];
    T* oa = out.A + i * p.CB;
    for (int64_t c = 0; c < nc; ++c) oa[c] += lanes[c * L];
  }
}

/// The feature count as a compile-time constant for the common small ones (the distance loop then
/// unrolls), and with it the column count of the Stein sums, F + 1 ([S − cY | 1]).
template <typename T, int F>
ESVGD_INLINE void tile_f(const Problem<T>& p, Sums<T> out, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  if constexpr (F > 0)
    if (p.CB == F + 1) return tile_rows<T, F, F + 1>(p, out, i0, i1, j0, j1);
  tile_rows<T, F, 0>(p, out, i0, i1, j0, j1);
}
template <typename T>
ESVGD_INLINE void tile_any(const Problem<T>& p, Sums<T> out, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  switch (p.F) {
    case 1: return tile_f<T, 1>(p, out, i0, i1, j0, j1);
    case 2: return tile_f<T, 2>(p, out, i0, i1, j0, j1);
    case 3: return tile_f<T, 3>(p, out, i0, i1, j0, j1);
    case 4: return tile_f<T, 4>(p, out, i0, i1, j0, j1);
    case 6: return tile_f<T, 6>(p, out, i0, i1, j0, j1);
    case 8: return tile_f<T, 8>(p, out, i0, i1, j0, j1);
    default: return tile_f<T, 0>(p, out, i0, i1, j0, j1);
  }
}

ESVGD_SIMD_CLONES void tile(const Problem<double>& p, Sums<double> out, int64_t i0, int64_t i1, int64_t j0,
                            int64_t j1) {
  tile_any(p, out, i0, i1, j0, j1);
}
ESVGD_SIMD_CLONES void tile(const Problem<float>& p, Sums<float> out, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  tile_any(p, out, i0, i1, j0, j1);
}

/// K ← exp(−max(‖a_i‖² + ‖b_j‖² − 2K, 0) · scale) in place, for K [n][m] holding the products a_i·b_j.
template <typename T>
ESVGD_INLINE void exp_of_products(T* K, const T* na, const T* nb, int64_t n, int64_t m, T scale) {
  for (int64_t i = 0; i < n; ++i) {
    T* row = K + i * m;
    const T ai = na[i];
#pragma omp simd
    for (int64_t j = 0; j < m; ++j)
      row[j] = simd::exp_nonpositive<T>(-scale * std::max(ai + nb[j] - 2 * row[j], T(0)));
  }
}
ESVGD_SIMD_CLONES void exp_products(double* K, const double* na, const double* nb, int64_t n, int64_t m,
                                    double scale) {
  exp_of_products(K, na, nb, n, m, scale);
}
ESVGD_SIMD_CLONES void exp_products(float* K, const float* na, const float* nb, int64_t n, int64_t m, float scale) {
  exp_of_products(K, na, nb, n, m, scale);
}

/// How many tiles of side `side` an N × M problem has: all of them, or those on and above the
/// diagonal (symmetric mode, N = M).
int64_t tile_count(int64_t N, int64_t M, Mode mode, int64_t side = kTile) {
  const int64_t rows = (N + side - 1) / side, cols = (M + side - 1) / side;
  return mode == Mode::kSymmetric ? rows * (rows + 1) / 2 : rows * cols;
}

/// A tile: its row and column block and how many pairs it holds (half of a square one on the diagonal
/// in symmetric mode).
struct Tile {
  int64_t ib, jb;
  double pairs;
};

/// The tiles that tile_count counts.
std::vector<Tile> tile_list(int64_t N, int64_t M, Mode mode, int64_t side = kTile) {
  std::vector<Tile> tiles;
  tiles.reserve(static_cast<size_t>(tile_count(N, M, mode, side)));
  for (int64_t ib = 0; ib * side < N; ++ib) {
    const auto rows = static_cast<double>(std::min(side, N - ib * side));
    for (int64_t jb = mode == Mode::kSymmetric ? ib : 0; jb * side < M; ++jb) {
      const auto cols = static_cast<double>(std::min(side, M - jb * side));
      tiles.push_back({ib, jb, mode == Mode::kSymmetric && ib == jb ? rows * (rows + 1) / 2 : rows * cols});
    }
  }
  return tiles;
}

/// Where each of `parts` consecutive runs of tiles begins (and, last, the end), the runs holding about
/// equal numbers of pairs. Split evenly by count, the first of two threads would get 5.7 % more than
/// half the pairs of the symmetric N = 2000 problem (its first rows of tiles are the longest).
std::vector<size_t> balanced_runs(const std::vector<Tile>& tiles, int64_t parts) {
  double total = 0;
  for (const auto& t : tiles) total += t.pairs;
  std::vector<size_t> starts{0};
  double before = 0;  // pairs in tiles [0, t)
  for (size_t t = 0; t < tiles.size() && static_cast<int64_t>(starts.size()) < parts; ++t) {
    const double target = total * static_cast<double>(starts.size()) / static_cast<double>(parts);
    // Cut before tile t when that lands nearer the target than cutting after it.
    if (t > starts.back() && before + tiles[t].pairs - target > target - before) starts.push_back(t);
    before += tiles[t].pairs;
  }
  while (static_cast<int64_t>(starts.size()) < parts) starts.push_back(tiles.size());
  starts.push_back(tiles.size());
  return starts;
}

/// The calling thread's own `Buffers`, living as long as the thread (intra-op threads are a pool), so
/// that a step reuses the last step's allocations.
template <typename Buffers>
Buffers& per_thread() {
  thread_local Buffers buffers;
  return buffers;
}

/// A thread's scratch in the tiled loops: the sums of its tiles and a kernel tile, so that a step
/// allocates nothing of size N or N·M again.
template <typename T>
struct Workspace {
  std::vector<T> sumsA, sumsB, k;
};

/// Runs `work(workspace, tile row block, tile column block)` for every tile over the intra-op threads,
/// one run of tiles with about equal pairs per thread (balanced_runs), each thread adding into its
/// own zeroed sums of sizes nA and nB; then adds them up in thread order (the result depends on the
/// thread count only through rounding, and never between runs).
template <typename T, typename Work>
void over_tiles(const std::vector<Tile>& tiles, size_t nA, size_t nB, T* outA, T* outB, const Work& work) {
  const int threads = std::max(1, at::get_num_threads());
  std::vector<Workspace<T>*> used(static_cast<size_t>(threads), nullptr);
  const int64_t parts = std::min<int64_t>(threads, static_cast<int64_t>(tiles.size()));
  const auto starts = balanced_runs(tiles, parts);
  at::parallel_for(0, parts, 1, [&](int64_t p0, int64_t p1) {
    auto& ws = per_thread<Workspace<T>>();
    auto& slot = used[static_cast<size_t>(std::min(at::get_thread_num(), threads - 1))];
    if (slot == nullptr) {
      ws.sumsA.assign(nA, T(0));
      ws.sumsB.assign(nB, T(0));
      slot = &ws;
    }
    for (size_t t = starts[p0]; t < starts[p1]; ++t) work(ws, tiles[t].ib, tiles[t].jb);
  });
  for (const auto* ws : used) {
    if (ws == nullptr) continue;
    for (size_t e = 0; e < nA; ++e) outA[e] += ws->sumsA[e];
    for (size_t e = 0; e < nB; ++e) outB[e] += ws->sumsB[e];
  }
}

/// The pair loop over all tiles: returns {out_A [N, CB], out_B [M, CA] (empty in rectangular mode)}.
template <typename T>
std::pair<torch::Tensor, torch::Tensor> run_tiles(const Problem<T>& p, const torch::TensorOptions& options) {
  const bool transpose = p.mode != Mode::kRectangular;
  auto outA = torch::zeros({p.N, p.CB}, options);
  auto outBt = torch::zeros({transpose ? p.CA : 0, p.M}, options);
  over_tiles<T>(tile_list(p.N, p.M, p.mode), outA.numel(), outBt.numel(), outA.template data_ptr<T>(),
                outBt.template data_ptr<T>(), [&](Workspace<T>& ws, int64_t ib, int64_t jb) {
                  tile(p, Sums<T>{ws.sumsA.data(), ws.sumsB.data()}, ib * kTile, std::min(p.N, (ib + 1) * kTile),
                       jb * kTile, std::min(p.M, (jb + 1) * kTile));
                });
  return {outA, transpose ? outBt.t().contiguous() : torch::Tensor()};
}

template <typename T>
void transpose_into(const torch::Tensor& X, std::vector<T>& t) {  // [R, C] -> [C][R]
  auto Xc = X.contiguous();
  const T* x = Xc.template data_ptr<T>();
  const int64_t R = X.size(0), C = X.size(1);
  t.resize(static_cast<size_t>(R * C));
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) t[c * R + r] = x[r * C + c];
}

template <typename T>
std::vector<T> transposed(const torch::Tensor& X) {
  std::vector<T> t;
  transpose_into(X, t);
  return t;
}

template <typename T>
std::pair<torch::Tensor, torch::Tensor> fused_cpu(const torch::Tensor& A, const torch::Tensor& B,
                                                  const torch::Tensor& VB, const torch::Tensor& VA, double h,
                                                  Mode mode) {
  auto Ac = A.contiguous();
  const auto Bt = transposed<T>(B), VBt = transposed<T>(VB);
  auto VAc = VA.defined() ? VA.contiguous() : torch::Tensor();
  Problem<T> p{Ac.data_ptr<T>(), Bt.data(), VBt.data(), VAc.defined() ? VAc.data_ptr<T>() : nullptr,
               A.size(0), B.size(0), A.size(1), VB.size(1), VAc.defined() ? VAc.size(1) : 0,
               static_cast<T>(1.0 / (2.0 * h * h)), mode, all_finite(VBt)};
  return run_tiles(p, A.options());
}

/// ‖a_i‖² for the rows of a contiguous [N, F] tensor (no [N, F] temporary of squares), summed in
/// double: F may be in the hundreds (images), where a float32 running sum would lose digits.
template <typename T>
std::vector<T> squared_norms(const torch::Tensor& A) {
  const int64_t N = A.size(0), F = A.size(1);
  const T* a = A.template data_ptr<T>();
  std::vector<T> n(static_cast<size_t>(N));
  for (int64_t i = 0; i < N; ++i) {
    double s = 0;
    for (int64_t f = 0; f < F; ++f) s += static_cast<double>(a[i * F + f]) * a[i * F + f];
    n[static_cast<size_t>(i)] = static_cast<T>(s);
  }
  return n;
}

/// Many features (F ≥ 16): per tile, the products a_i·b_j by one GEMM, the exponential in place, then
/// K V_B (and Kᵀ V_A) by GEMM into the thread's sums; in symmetric mode only the tiles on and above
/// the diagonal. The kernel tile and the sums are the thread's reused workspace; BLAS runs
/// single-threaded inside the parallel region (OpenBLAS's OpenMP build does so by itself).
template <typename T>
std::pair<torch::Tensor, torch::Tensor> gemm_tiles(const torch::Tensor& A, const torch::Tensor& B,
                                                   const torch::Tensor& VB, const torch::Tensor& VA, double h,
                                                   Mode mode) {
  auto Ac = A.contiguous(), Bc = B.contiguous(), VBc = VB.contiguous();
  auto VAc = VA.defined() ? VA.contiguous() : torch::Tensor();
  const int64_t N = A.size(0), M = B.size(0), CB = VB.size(1), CA = VAc.defined() ? VAc.size(1) : 0;
  const bool transpose = mode != Mode::kRectangular;
  const auto na = squared_norms<T>(Ac), nb = squared_norms<T>(Bc);
  auto outA = torch::zeros({N, CB}, A.options());
  auto outB = torch::zeros({transpose ? M : 0, CA}, A.options());
  const T scale = static_cast<T>(1.0 / (2.0 * h * h));
  // Half-size tiles when the full-size ones are too few to share out evenly over the threads (smaller
  // GEMMs run less efficiently, so only then).
  const int64_t threads = std::max(1, at::get_num_threads());
  const bool few = threads > 1 && tile_count(N, M, mode) < 4 * threads;
  const int64_t side = few ? kTile / 2 : kTile;
  auto view = [&](std::vector<T>& v, int64_t rows, int64_t cols) {
    return torch::from_blob(v.data(), {rows, cols}, A.options());
  };
  over_tiles<T>(tile_list(N, M, mode, side), outA.numel(), outB.numel(), outA.template data_ptr<T>(),
                outB.template data_ptr<T>(), [&](Workspace<T>& ws, int64_t ib, int64_t jb) {
                  const int64_t i0 = ib * side, ni = std::min(N - i0, side);
                  const int64_t j0 = jb * side, nj = std::min(M - j0, side);
                  ws.k.resize(static_cast<size_t>(side * side));
                  auto K = view(ws.k, ni, nj);
                  at::mm_out(K, Ac.narrow(0, i0, ni), Bc.narrow(0, j0, nj).t());
                  exp_products(ws.k.data(), na.data() + i0, nb.data() + j0, ni, nj, scale);
                  view(ws.sumsA, N, CB).narrow(0, i0, ni).addmm_(K, VBc.narrow(0, j0, nj));
                  if (transpose && !(mode == Mode::kSymmetric && ib == jb))  // a diagonal tile holds both halves
                    view(ws.sumsB, M, CA).narrow(0, j0, nj).addmm_(K.t(), VAc.narrow(0, i0, ni));
                });
  return {outA, transpose ? outB : torch::Tensor()};
}

std::pair<torch::Tensor, torch::Tensor> dispatch(const torch::Tensor& A, const torch::Tensor& B,
                                                 const torch::Tensor& VB, const torch::Tensor& VA, double h,
                                                 Mode mode) {
  const bool gemm = A.size(1) >= kGemmFeatures;
  if (A.scalar_type() == torch::kFloat64)
    return gemm ? gemm_tiles<double>(A, B, VB, VA, h, mode) : fused_cpu<double>(A, B, VB, VA, h, mode);
  if (A.scalar_type() == torch::kFloat32)
    return gemm ? gemm_tiles<float>(A, B, VB, VA, h, mode) : fused_cpu<float>(A, B, VB, VA, h, mode);
  throw Error(ErrorKind::kInvalidArgument, "", "the fused kernel sum supports float64 and float32 only");
}

/// K in row chunks of bounded memory (distances by GEMM inside cdist), then matrix products: the path
/// for non-CPU devices and for inputs that autograd differentiates through.
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

/// Below this many pairs the threads' setup costs more than the pairs themselves: one thread, the
/// whole problem as one tile, no per-thread sums.
constexpr int64_t kDirectPairs = 1 << 14;

bool direct_ok(const torch::Tensor& A, const torch::Tensor& B) {
  return A.device().is_cpu() && A.size(0) * B.size(0) <= kDirectPairs && A.size(1) < kGemmFeatures &&
         (A.scalar_type() == torch::kFloat64 || A.scalar_type() == torch::kFloat32);
}

template <typename T>
torch::Tensor direct_matmul(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V, double h) {
  auto Ac = A.contiguous();
  const auto Bt = transposed<T>(B), Vt = transposed<T>(V);
  Problem<T> p{Ac.template data_ptr<T>(), Bt.data(), Vt.data(), nullptr, A.size(0), B.size(0), A.size(1), V.size(1),
               0, static_cast<T>(1.0 / (2.0 * h * h)), Mode::kRectangular, all_finite(Vt)};
  auto out = torch::zeros({p.N, p.CB}, A.options());
  tile(p, Sums<T>{out.template data_ptr<T>(), nullptr}, 0, p.N, 0, p.M);
  return out;
}

/// direct_stein's buffers (Yᵀ, Vᵀ, the sums), kept per thread (per_thread): a CD loop calls it at
/// every step, and three allocations cost a tenth of its 64 × 128 pair loop.
template <typename T>
struct DirectBuffers {
  std::vector<T> yt, vt, sums;
  torch::Tensor out;  // the last φ, filled again if no one kept it
};

/// φ_i = (1/M) [Σ_j k_ij (s_j − c y_j) + c x_i Σ_j k_ij], c = T/h²: one pair loop with V = [S − cY | 1].
template <typename T>
torch::Tensor direct_stein(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S, double temperature,
                           double h) {
  const int64_t N = X.size(0), M = Y.size(0), D = X.size(1);
  auto Xc = X.contiguous();
  const T* x = Xc.template data_ptr<T>();
  auto& [Yt, Vt, sums, kept] = per_thread<DirectBuffers<T>>();
  transpose_into<T>(Y, Yt);
  auto Sc = S.contiguous();
  const T* s = Sc.template data_ptr<T>();
  const T c = static_cast<T>(temperature / (h * h)), inv_m = static_cast<T>(1.0 / static_cast<double>(M));
  Vt.assign(static_cast<size_t>((D + 1) * M), T(1));  // [S − cY | 1]ᵀ
  for (int64_t f = 0; f < D; ++f)  // feature-major, so that the writes and Yᵀ's reads are contiguous
    for (int64_t j = 0; j < M; ++j) Vt[f * M + j] = s[j * D + f] - c * Yt[f * M + j];
  Problem<T> p{x, Yt.data(), Vt.data(), nullptr, N, M, D, D + 1, 0, static_cast<T>(1.0 / (2.0 * h * h)),
               Mode::kRectangular, all_finite(Vt)};
  sums.assign(static_cast<size_t>(N * (D + 1)), T(0));
  tile(p, Sums<T>{sums.data(), nullptr}, 0, N, 0, M);
  auto out = core::reused_or_empty(kept, {N, D}, X.options());
  T* o = out.template data_ptr<T>();
  for (int64_t i = 0; i < N; ++i) {
    const T k1 = sums[i * (D + 1) + D];
    for (int64_t f = 0; f < D; ++f) o[i * D + f] = (sums[i * (D + 1) + f] + c * x[i * D + f] * k1) * inv_m;
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

bool needs_tensor_ops(std::initializer_list<torch::Tensor> inputs) {
  const bool grad = torch::GradMode::is_enabled();
  return std::any_of(inputs.begin(), inputs.end(),
                     [&](const torch::Tensor& t) { return !t.device().is_cpu() || (grad && t.requires_grad()); });
}

double exp_nonpositive(double x) { return simd::exp_nonpositive<double>(x); }
float exp_nonpositive(float x) { return simd::exp_nonpositive<float>(x); }

template <typename T>
ESVGD_INLINE void exp_array(const T* x, T* y, int64_t n) {
#pragma omp simd
  for (int64_t e = 0; e < n; ++e) y[e] = simd::exp_nonpositive<T>(x[e]);
}
ESVGD_SIMD_CLONES void exp_nonpositive(const double* x, double* y, int64_t n) { exp_array(x, y, n); }
ESVGD_SIMD_CLONES void exp_nonpositive(const float* x, float* y, int64_t n) { exp_array(x, y, n); }

bool rbf_stein_direct_applies(const torch::Tensor& X, const torch::Tensor& Y) { return direct_ok(X, Y); }

torch::Tensor rbf_stein_direct(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                               double temperature, double h) {
  ESVGD_CHECK(rbf_stein_direct_applies(X, Y) && Y.sizes() == S.sizes() && X.size(1) == Y.size(1) &&
                  X.scalar_type() == Y.scalar_type() && X.scalar_type() == S.scalar_type(),
              "rbf_stein_direct: small CPU float problems with matching shapes and dtypes only");
  return X.scalar_type() == torch::kFloat64 ? direct_stein<double>(X, Y, S, temperature, h)
                                            : direct_stein<float>(X, Y, S, temperature, h);
}

ESVGD_SIMD_CLONES void feature_stein_sums(const double* fx, const double* fy, const double* s, const double* J,
                                          int64_t N, int64_t M, int64_t F, int64_t D, double h, double c, double* out,
                                          double* sums) {
  const double inv2h2 = 1.0 / (2 * h * h), reach = 745.0 * 2 * h * h;  // e^{−745} underflows to 0
  // The first feature alone bounds a pair's distance from below, so one vectorised pass over it
  // marks the pairs that may live (one byte each, tested 8 at a time); the full distance is taken
  // for those only. With the paper's bandwidths a row keeps about one pair (itself).
  constexpr int64_t kBlock = 8;
  std::vector<double> first(static_cast<size_t>(M));
  std::vector<unsigned char> near(static_cast<size_t>((M + kBlock - 1) / kBlock * kBlock), 0);
  for (int64_t j = 0; j < M; ++j) first[j] = fy[j * F];
  const double* f0 = first.data();
  unsigned char* nb = near.data();
  for (int64_t i = 0; i < N; ++i) {
    const double* fi = fx + i * F;
    double* o = out + i * D;
    double* acc = sums + i * F;
    const double a0 = fi[0];
#pragma omp simd
    for (int64_t j = 0; j < M; ++j) nb[j] = (a0 - f0[j]) * (a0 - f0[j]) <= reach;
    for (int64_t j0 = 0; j0 < M; j0 += kBlock) {
      uint64_t any;
      std::memcpy(&any, nb + j0, sizeof any);
      if (any == 0) continue;
      for (int64_t j = j0; j < std::min(j0 + kBlock, M); ++j) {
        if (!nb[j]) continue;
        const double* fj = fy + j * F;
        double d2 = 0;
        for (int64_t k = 0; k < F; ++k) d2 += (fi[k] - fj[k]) * (fi[k] - fj[k]);
        if (!(d2 <= reach)) continue;
        const double w = std::exp(-d2 * inv2h2);
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
}

torch::Tensor rbf_kernel_matmul(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V, double h) {
  check_common(A, B, V, h);
  if (A.size(0) == 0 || B.size(0) == 0) return torch::zeros({A.size(0), V.size(1)}, V.options());
  if (needs_tensor_ops({A, B, V})) return chunked_ops(A, B, V, {}, h).first;
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
  if (needs_tensor_ops({A, B, V})) return chunked_ops(A, B, V, {}, h).first;
  if (direct_ok(A, B))  // small: every pair once in one thread beats half the pairs with setup costs
    return A.scalar_type() == torch::kFloat64 ? direct_matmul<double>(A, B, V, h) : direct_matmul<float>(A, B, V, h);
  auto [outA, outB] = dispatch(A, B, V, V, h, Mode::kSymmetric);
  return outA.add_(outB);
}

std::pair<torch::Tensor, torch::Tensor> rbf_kernel_matmul_pair(const torch::Tensor& A, const torch::Tensor& B,
                                                               const torch::Tensor& VB, const torch::Tensor& VA,
                                                               double h) {
  check_common(A, B, VB, h);
  ESVGD_CHECK(VA.dim() == 2 && VA.size(0) == A.size(0) && VA.scalar_type() == A.scalar_type(),
              "V_A must be [rows of A, C] with A's dtype, got ", VA.sizes());
  if (A.size(0) == 0 || B.size(0) == 0)
    return {torch::zeros({A.size(0), VB.size(1)}, VB.options()), torch::zeros({B.size(0), VA.size(1)}, VA.options())};
  if (needs_tensor_ops({A, B, VB, VA})) return chunked_ops(A, B, VB, VA, h);
  return dispatch(A, B, VB, VA, h, Mode::kPair);
}

}  // namespace esvgd::kernel
