#pragma once
/// The effective sample size of MCMC draws (docs/method.md, "HMC and MALA"): for M chains of S
/// draws, the multi-chain autocorrelation ρ_t = 1 − (W − mean_m γ_m(t)) / var⁺ (W the mean
/// within-chain variance, γ_m the chain's autocovariance, var⁺ = (S−1)/S·W + B/S with B/S the
/// variance of the chain means), summed by Geyer's initial monotone sequence: τ = −1 + 2 Σ_k P_k with
/// P_k = ρ_{2k} + ρ_{2k+1} kept while positive and made non-increasing; ESS = M·S/τ (Vehtari et al.
/// 2021 without the rank normalisation). Independent draws give about M·S.
#include <torch/types.h>

namespace esvgd::metric {

/// ESS of every coordinate of samples [S >= 4, M >= 1, D] (states × chains × coordinates): [D] float64.
torch::Tensor effective_sample_size(const torch::Tensor& samples);

}  // namespace esvgd::metric
