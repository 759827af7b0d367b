#pragma once
/// Normalising flows for neural-transport sampling (docs/method.md, "Equivariant neural transport"):
/// a diffeomorphism T: Z → X built as a stack of invertible layers, each giving its output and the
/// log-determinant of its Jacobian, so that the density of x = T(z) with z ~ N(0, I) is
///
///   log q(x) = log N(z; 0, I) − log|det T'(z)|,   z = T⁻¹(x).
///
/// Layers are LibTorch modules (their parameters train with torch::optim); they work in the dtype and
/// on the device of their parameters (module->to(torch::kFloat64) for exactness tests).
#include <memory>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

namespace esvgd::flow {

/// Rows [N, D] after a layer and log|det J| of that direction at each row [N].
struct Transformed {
  torch::Tensor value;
  torch::Tensor log_det;
};

/// One invertible layer T_l.
class Layer : public torch::nn::Module {
 public:
  /// x = T_l(z) and log|det T_l'(z)| for rows z [N, D].
  virtual Transformed forward(const torch::Tensor& z) = 0;
  /// z = T_l⁻¹(x) and log|det (T_l⁻¹)'(x)| = −log|det T_l'(z)| for rows x [N, D].
  virtual Transformed inverse(const torch::Tensor& x) = 0;
};

/// T = T_L ∘ … ∘ T_1 with a standard normal base.
class Flow : public torch::nn::Module {
 public:
  explicit Flow(int64_t dim);
  /// Appends T_{L+1} (applied last in forward()); returns *this.
  Flow& push_back(std::shared_ptr<Layer> layer);
  Transformed forward(const torch::Tensor& z);
  Transformed inverse(const torch::Tensor& x);
  /// log q(x) [N] of the pushed-forward base.
  torch::Tensor log_prob(const torch::Tensor& x);
  /// n draws x = T(z) [n, D] as `value`, with log q(x) [n] as `log_det` (both differentiable in the
  /// parameters; z is drawn on the CPU from gen, the same stream on every device).
  Transformed sample(int64_t n, at::Generator& gen);
  int64_t dim() const { return dim_; }
  const std::vector<std::shared_ptr<Layer>>& layers() const { return layers_; }
  /// dtype and device of the parameters (float32 on the CPU for a flow without any).
  torch::TensorOptions tensor_options() const;

 private:
  int64_t dim_;
  std::vector<std::shared_ptr<Layer>> layers_;
};

/// log N(z; 0, I) of every row of z [N, D].
torch::Tensor standard_normal_log_prob(const torch::Tensor& z);

}  // namespace esvgd::flow
