#include "esvgd/metric/effective_sample_size.h"

#include <algorithm>

#include <torch/types.h>
#include <torch/fft.h>

#include "esvgd/core/error.h"

namespace esvgd::metric {

namespace {

/// Autocovariances γ_m(t), t = 0..S−1, of every chain and coordinate of x [S, M, D] (means removed),
/// by FFT with zero padding to 2S (no wrap-around): [S, M, D].
torch::Tensor autocovariance(const torch::Tensor& x) {
  const int64_t S = x.size(0);
  const auto centred = x - x.mean(0, true);
  const auto f = torch::fft::rfft(centred, 2 * S, 0);
  return torch::fft::irfft(f * f.conj(), 2 * S, 0).narrow(0, 0, S) / static_cast<double>(S);
}

/// Geyer's initial monotone sequence estimate of τ from ρ_0..ρ_{S−1} of one coordinate.
double integrated_time(const double* rho, int64_t S) {
  double tau = -1, last = 2;  // P_0 = ρ_0 + ρ_1 ≤ 2
  for (int64_t t = 0; t + 1 < S; t += 2) {
    double pair = rho[t] + rho[t + 1];
    if (!(pair > 0)) break;
    pair = std::min(pair, last);  // non-increasing
    tau += 2 * pair;
    last = pair;
  }
  return std::max(tau, 1.0 / std::log10(static_cast<double>(S)));  // Stan's floor against antithetic chains
}

}  // namespace

torch::Tensor effective_sample_size(const torch::Tensor& samples) {
  ESVGD_CHECK(samples.dim() == 3 && samples.size(0) >= 4 && samples.size(1) >= 1,
              "effective_sample_size needs samples [S >= 4, M >= 1, D], got ", samples.sizes());
  const auto x = samples.detach().to(torch::kCPU, torch::kFloat64);
  const int64_t S = x.size(0), M = x.size(1), D = x.size(2);
  const auto acov = autocovariance(x);                                               // [S, M, D]
  const auto W = (acov[0] * (static_cast<double>(S) / (S - 1))).mean(0);            // [D]
  const auto B_over_S = M > 1 ? x.mean(0).var(0) : torch::zeros({D}, torch::kFloat64);  // [D]
  const auto var_plus = (static_cast<double>(S - 1) / S) * W + B_over_S;
  const auto rho = (1 - (W - acov.mean(1)) / var_plus).contiguous();                 // [S, D]
  auto ess = torch::empty({D}, torch::kFloat64);
  const auto r = rho.t().contiguous();
  for (int64_t d = 0; d < D; ++d)
    ess[d] = static_cast<double>(M * S) / integrated_time(r[d].data_ptr<double>(), S);
  return ess;
}

}  // namespace esvgd::metric
