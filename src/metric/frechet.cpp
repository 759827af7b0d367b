#include "esvgd/metric/frechet.h"

#include <ATen/ATen.h>

#include "esvgd/core/error.h"

namespace esvgd::metric {
namespace {

/// The symmetric PSD square root of a symmetric matrix (negative eigenvalues from rounding → 0).
at::Tensor psd_sqrt(const at::Tensor& S) {
  auto [values, vectors] = at::linalg_eigh(0.5 * (S + S.t()));
  return at::matmul(vectors * values.clamp_min(0).sqrt().unsqueeze(0), vectors.t());
}

at::Tensor covariance(const at::Tensor& X, const at::Tensor& mean) {
  const auto centred = X - mean;
  return at::matmul(centred.t(), centred) / static_cast<double>(X.size(0) - 1);
}

}  // namespace

double frechet_distance(const torch::Tensor& A, const torch::Tensor& B) {
  if (A.dim() != 2 || B.dim() != 2 || A.size(0) < 2 || B.size(0) < 2 || A.size(1) != B.size(1))
    throw Error(ErrorKind::kInvalidArgument, "frechet_distance",
                "expects [N >= 2, F] and [M >= 2, F] features, got " + c10::str(A.sizes()) + " and " + c10::str(B.sizes()));
  const auto a = A.to(at::kCPU, at::kDouble), b = B.to(at::kCPU, at::kDouble);
  if (!at::isfinite(a).all().item<bool>() || !at::isfinite(b).all().item<bool>())
    throw Error(ErrorKind::kInvalidArgument, "frechet_distance", "features must be finite");
  const auto mu_a = a.mean(0), mu_b = b.mean(0);
  const auto sa = covariance(a, mu_a), sb = covariance(b, mu_b);
  const auto root_a = psd_sqrt(sa);
  const auto cross = psd_sqrt(at::matmul(at::matmul(root_a, sb), root_a));
  return ((mu_a - mu_b).square().sum() + at::trace(sa) + at::trace(sb) - 2 * at::trace(cross)).item<double>();
}

}  // namespace esvgd::metric
