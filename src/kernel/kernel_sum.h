#pragma once
/// The fused pair sum that every kernel in esvgd reduces to:
///
///   out[i, c] = Σ_j exp(−‖a_i − b_j‖² / (2h²)) · V[j, c]
///
/// computed tile by tile (rows of A split over threads, columns of B in tiles that stay in L1), so
/// that the N×M kernel matrix is never stored: memory is O((N + M)·C), whatever N and M. An SVGD step
/// with the RBF kernel is one call with V = [S − cY | 1] (see stein_from_sums).
#include <initializer_list>
#include <utility>

#include <torch/types.h>

namespace esvgd::kernel {

/// From this many features on, distances cost more than the exponential: the sums below compute
/// them by GEMM (BLAS) instead of the pair loop.
constexpr int64_t kGemmFeatures = 16;

/// Whether the sums must use tensor ops instead of the fused loops: some input is on another device,
/// or autograd must differentiate through it.
bool needs_tensor_ops(std::initializer_list<torch::Tensor> inputs);

/// A [N, F], B [M, F], V [M, C], all float64 or all float32 (CPU or any device); returns [N, C].
/// On CPU with F < 16 the fused loop runs; for F ≥ 16 (distances are then GEMM-bound) each tile's
/// products come from GEMMs around the fused exponential, in per-thread scratch reused across calls.
/// On other devices, and for inputs that autograd must differentiate through, the same sum is
/// formed with tensor ops in row chunks of bounded memory.
torch::Tensor rbf_kernel_matmul(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V, double h);

/// Symmetric case: K = Kᵀ, i.e. ‖a_i − b_j‖ = ‖a_j − b_i‖ for all i, j (B = A, B = −A, or B = R A with
/// R a symmetric orthogonal matrix); A and B have the same number of rows. Returns K V computing
/// each pair's exponential once (half the work of rbf_kernel_matmul).
torch::Tensor rbf_kernel_matmul_symmetric(const torch::Tensor& A, const torch::Tensor& B, const torch::Tensor& V,
                                          double h);

/// Both products of one kernel matrix K_ij = exp(−‖a_i − b_j‖²/(2h²)) from one exponential per pair:
/// returns {K V_B [N, CB], Kᵀ V_A [M, CA]} for V_B [M, CB], V_A [N, CA].
std::pair<torch::Tensor, torch::Tensor> rbf_kernel_matmul_pair(const torch::Tensor& A, const torch::Tensor& B,
                                                               const torch::Tensor& VB, const torch::Tensor& VA,
                                                               double h);

/// Small problems (N·M ≤ 2^14 pairs, CPU, float32/float64, D < 16) skip the threads in every
/// function above (rbf_kernel_matmul_pair excepted): one thread, one tile. For those, the whole RBF
/// Stein direction
///   φ_i = (1/M) Σ_j k(x_i, y_j) [s_j + T (x_i − y_j)/h²] = (1/M) [Σ_j k_ij (s_j − c y_j) + c x_i Σ_j k_ij]
/// (c = T/h²) is one pass too, without tensor ops (rbf_stein_direction uses it when
/// rbf_stein_direct_applies).
bool rbf_stein_direct_applies(const torch::Tensor& X, const torch::Tensor& Y);
torch::Tensor rbf_stein_direct(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                               double temperature, double h);

/// The Stein direction from its sums: given sums = Σ_j k_ij [s_j − c y_j | 1] ([N, D + 1], the images
/// of an orbit kernel counted as points), (sums[:, :D] + c x_i sums[:, D]) / count.
torch::Tensor stein_from_sums(const torch::Tensor& sums, const torch::Tensor& X, double c, int64_t count);

/// The pair sums of the Stein direction of an RBF kernel on features (the invariant-feature
/// kernels' small-problem path), in double, one pass over the pairs, skipping pairs whose weight
/// underflows (the tiny bandwidths of the paper leave only i = j): for i < N, j < M, with f_i the
/// moving rows' features fx [N, F] and f_j the interacting points' fy [M, F],
///   out_i  += Σ_j k_ij s_j                         out [N, D]
///   sums_i += Σ_j k_ij (f_i − f_j)                 sums [N, F]   (J == nullptr: the reference form)
///   out_i  += c Σ_j k_ij J_jᵀ (f_i − f_j)          (J [M, F, D] given: the textbook form)
/// s [M, D], all row-major.
void feature_stein_sums(const double* fx, const double* fy, const double* s, const double* J, int64_t N, int64_t M,
                        int64_t F, int64_t D, double h, double c, double* out, double* sums);

/// exp(x) for x ≤ 0 as used by the fused loop (polynomial, vectorisable; relative error < 5e-16 in
/// float64, < 2e-7 in float32; exactly 0 below −708 (float: −87)). Exposed for tests.
double exp_nonpositive(double x);
float exp_nonpositive(float x);
/// y[e] = exp(x[e]) for e < n, x ≤ 0, vectorised as in the pair loop (the benchmarks' exp floor).
void exp_nonpositive(const double* x, double* y, int64_t n);
void exp_nonpositive(const float* x, float* y, int64_t n);

}  // namespace esvgd::kernel
