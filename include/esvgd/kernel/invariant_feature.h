#pragma once
/// Invariant-feature kernels k(x, y) = exp(−‖f(x) − f(y)‖²/(2h²)) for a G-invariant map f: R^D → R^F
/// (the radius for O(n); the particle-system maps of DW-4 and QM9 plug in through FeatureMap).
///
/// Textbook form (∇ with respect to the source y_j, chain rule through f):
///   φ(x_i) = 1/M Σ_j k_ij [ s_j + T J_f(y_j)ᵀ (f(x_i) − f(y_j))/h² ]
/// Reference form (the authors' code, differentiating the receiver):
///   φ(x_i) = 1/M Σ_j k_ij [ s_j + T J_f(x_i)ᵀ (f(x_i) − f(y_j))/h² ]
/// Both are one fused pair sum over features.
#include <functional>
#include <memory>
#include <utility>

#include "esvgd/group/particle_invariant.h"
#include "esvgd/kernel/kernel.h"

namespace esvgd::kernel {

/// A map f: R^D → R^F applied row by row; gradients go through autograd unless jacobian() is given.
class FeatureMap {
 public:
  virtual ~FeatureMap() = default;
  virtual std::string name() const = 0;
  /// f(X): [N, F]
  virtual torch::Tensor features(const torch::Tensor& X) const = 0;
  /// J_f(X): [N, F, D]. The default uses F reverse-mode passes of autograd.
  virtual torch::Tensor jacobian(const torch::Tensor& X) const;
  /// J_f(x_n)ᵀ g_n for every row: G [N, F] → [N, D]. The default contracts jacobian().
  virtual torch::Tensor vjp(const torch::Tensor& X, const torch::Tensor& G) const;
  /// f(X) and the function G ↦ vjp(X, G), both in float64, for maps whose products can reuse the
  /// forward pass. The default computes features(X) and calls vjp(X, G). The function must not
  /// outlive the map.
  using Vjp = std::function<torch::Tensor(const torch::Tensor&)>;
  virtual std::pair<torch::Tensor, Vjp> linearize(const torch::Tensor& X) const;
};

/// f(x) = ‖x‖: invariant under O(D). J = x/‖x‖ (0 at the origin).
class RadiusMap : public FeatureMap {
 public:
  std::string name() const override { return "radius"; }
  torch::Tensor features(const torch::Tensor& X) const override;
  torch::Tensor jacobian(const torch::Tensor& X) const override;
};

/// A particle-system invariant (canonical form or sorted pair distances) as a feature map; features
/// and Jacobian come from its loops.
class ParticleMap : public FeatureMap {
 public:
  explicit ParticleMap(group::ParticleInvariant invariant) : inv_(invariant) {}
  std::string name() const override { return inv_.name(); }
  torch::Tensor features(const torch::Tensor& X) const override { return inv_.features(X); }
  torch::Tensor jacobian(const torch::Tensor& X) const override { return inv_.jacobian(X); }
  torch::Tensor vjp(const torch::Tensor& X, const torch::Tensor& G) const override { return inv_.vjp(X, G); }
  std::pair<torch::Tensor, Vjp> linearize(const torch::Tensor& X) const override { return inv_.linearize(X); }

 private:
  group::ParticleInvariant inv_;
};

class InvariantFeatureKernel : public Kernel {
 public:
  InvariantFeatureKernel(std::shared_ptr<const FeatureMap> map, double bandwidth, RepulsionForm form);
  std::string name() const override;
  torch::Tensor phi(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                    double temperature) const override;
  /// The anchors' features: a run computes them once instead of at every step.
  torch::Tensor prepare_anchors(const torch::Tensor& anchors) const override;
  torch::Tensor phi_prepared(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                             double temperature, const torch::Tensor& prepared) const override;
  torch::Tensor gram(const torch::Tensor& A, const torch::Tensor& B) const override;
  torch::Tensor pair_sq_dist(const torch::Tensor& A, const torch::Tensor& B) const override;
  const FeatureMap& map() const { return *map_; }

 protected:
  std::shared_ptr<Kernel> clone() const override { return std::make_shared<InvariantFeatureKernel>(*this); }

 private:
  std::shared_ptr<const FeatureMap> map_;
  RepulsionForm form_;
};

}  // namespace esvgd::kernel
