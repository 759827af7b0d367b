#include "esvgd/sampler/optimizer.h"

#include <cmath>

#include <torch/torch.h>

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

class Sgd : public ParticleOptimizer {
 public:
  explicit Sgd(double eps) : eps_(eps) {}
  torch::Tensor displacement(const torch::Tensor& phi) override {
    if (phi.device().is_cpu() && phi.is_contiguous()) {
      if (phi.scalar_type() == torch::kFloat64) return scaled<double>(phi, eps_);
      if (phi.scalar_type() == torch::kFloat32) return scaled<float>(phi, eps_);
    }
    return eps_ * phi;
  }
  void reset() override {}

 private:
  double eps_;
};

class LiuAdagrad : public ParticleOptimizer {
 public:
  explicit LiuAdagrad(const OptimizerOptions& o) : o_(o) {}
  torch::Tensor displacement(const torch::Tensor& phi) override {
    auto g2 = phi * phi;
    v_ = v_.defined() ? o_.adagrad_alpha * v_ + (1 - o_.adagrad_alpha) * g2 : g2;
    return o_.step_size * phi / (o_.adagrad_fudge + v_.sqrt());
  }
  void reset() override { v_ = torch::Tensor(); }

 private:
  OptimizerOptions o_;
  torch::Tensor v_;
};

class Adam : public ParticleOptimizer {
 public:
  explicit Adam(const OptimizerOptions& o) : o_(o) {}
  torch::Tensor displacement(const torch::Tensor& phi) override {
    if (!m_.defined()) {
      m_ = torch::zeros_like(phi);
      v_ = torch::zeros_like(phi);
    }
    ++t_;
    m_ = o_.adam_beta1 * m_ + (1 - o_.adam_beta1) * phi;
    v_ = o_.adam_beta2 * v_ + (1 - o_.adam_beta2) * phi * phi;
    const double c1 = 1 - std::pow(o_.adam_beta1, t_), c2 = 1 - std::pow(o_.adam_beta2, t_);
    return o_.step_size * (m_ / c1) / ((v_ / c2).sqrt() + o_.adam_eps);
  }
  void reset() override {
    m_ = v_ = torch::Tensor();
    t_ = 0;
  }

 private:
  OptimizerOptions o_;
  torch::Tensor m_, v_;
  int64_t t_ = 0;
};

}  // namespace

std::unique_ptr<ParticleOptimizer> make_optimizer(const OptimizerOptions& o) {
  if (!(o.step_size > 0) || !std::isfinite(o.step_size))
    throw Error(ErrorKind::kConfig, "svgd.step_size", "step size must be a positive finite number, got " + std::to_string(o.step_size));
  if (o.kind == "sgd") return std::make_unique<Sgd>(o.step_size);
  if (o.kind == "adagrad") return std::make_unique<LiuAdagrad>(o);
  if (o.kind == "adam") return std::make_unique<Adam>(o);
  throw Error(ErrorKind::kConfig, "svgd.optimizer", "unknown optimizer '" + o.kind + "' (expected sgd, adagrad or adam)");
}

}  // namespace esvgd::sampler
