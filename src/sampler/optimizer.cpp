#include "esvgd/sampler/optimizer.h"

#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::sampler {

namespace {

/// eps · phi. A plain loop on contiguous CPU data: `eps * phi` costs ~3 µs of scalar wrapping and
/// dispatch, a tenth of a whole SVGD step on the small problems inside EBM training.
template <typename T>
torch::Tensor scaled(const torch::Tensor& phi, double eps) {
  auto out = torch::empty_like(phi);
  const T* p = phi.data_ptr<T>();
  T* o = out.data_ptr<T>();
  const T e = static_cast<T>(eps);
  for (int64_t i = 0, n = phi.numel(); i < n; ++i) o[i] = e * p[i];
  return out;
}

torch::Tensor sgd(double eps, const torch::Tensor& phi) {
  if (phi.device().is_cpu() && phi.is_contiguous()) {
    if (phi.scalar_type() == torch::kFloat64) return scaled<double>(phi, eps);
    if (phi.scalar_type() == torch::kFloat32) return scaled<float>(phi, eps);
  }
  return eps * phi;
}

torch::Tensor liu_adagrad(const OptimizerOptions& o, OptimizerState& s, const torch::Tensor& phi) {
  auto g2 = phi * phi;
  s.v = s.v.defined() ? o.adagrad_alpha() * s.v + (1 - o.adagrad_alpha()) * g2 : g2;
  ++s.t;
  return o.step_size() * phi / (o.adagrad_fudge() + s.v.sqrt());
}

torch::Tensor adam(const OptimizerOptions& o, OptimizerState& s, const torch::Tensor& phi) {
  if (!s.m.defined()) {
    s.m = torch::zeros_like(phi);
    s.v = torch::zeros_like(phi);
  }
  ++s.t;
  s.m = o.adam_beta1() * s.m + (1 - o.adam_beta1()) * phi;
  s.v = o.adam_beta2() * s.v + (1 - o.adam_beta2()) * phi * phi;
  const double c1 = 1 - std::pow(o.adam_beta1(), s.t), c2 = 1 - std::pow(o.adam_beta2(), s.t);
  return o.step_size() * (s.m / c1) / ((s.v / c2).sqrt() + o.adam_eps());
}

}  // namespace

OptimizerKind parse_optimizer_kind(const std::string& name) {
  if (name == "sgd") return OptimizerKind::kSgd;
  if (name == "adagrad") return OptimizerKind::kAdagrad;
  if (name == "adam") return OptimizerKind::kAdam;
  throw Error(ErrorKind::kInvalidArgument, "OptimizerOptions::kind",
              "unknown optimizer '" + name + "' (expected sgd, adagrad or adam)");
}

std::string to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kSgd: return "sgd";
    case OptimizerKind::kAdagrad: return "adagrad";
    case OptimizerKind::kAdam: return "adam";
  }
  return "?";
}

void check_optimizer(const OptimizerOptions& o) {
  if (!(o.step_size() > 0) || !std::isfinite(o.step_size()))
    throw Error(ErrorKind::kInvalidArgument, "OptimizerOptions::step_size",
                "step size must be a positive finite number, got " + std::to_string(o.step_size()));
}

torch::Tensor displacement(const OptimizerOptions& options, OptimizerState& state, const torch::Tensor& phi) {
  switch (options.kind()) {
    case OptimizerKind::kSgd: return sgd(options.step_size(), phi);
    case OptimizerKind::kAdagrad: return liu_adagrad(options, state, phi);
    case OptimizerKind::kAdam: return adam(options, state, phi);
  }
  throw Error(ErrorKind::kInvalidArgument, "OptimizerOptions::kind", "unknown optimizer kind");
}

ScaledDisplacement scaled_displacement(const OptimizerOptions& options, OptimizerState& state,
                                       const torch::Tensor& phi) {
  if (options.kind() == OptimizerKind::kSgd) return {phi, options.step_size()};
  return {displacement(options, state, phi), 1.0};
}

}  // namespace esvgd::sampler
