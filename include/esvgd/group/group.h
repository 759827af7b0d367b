#pragma once
/// Groups of orthogonal maps acting linearly on R^D: x -> R x (translations are handled by centring).
///
/// Points are rows, so acting on a batch X [N, D] is X Rᵀ (see act()). A Group gives its elements
/// (finite groups), a Haar-random element, and a fold into a fundamental domain / the
/// group-factorised space, which plots and orbit-space metrics use.
#include <memory>
#include <string>

#include <torch/types.h>

namespace esvgd::group {

class Group {
 public:
  virtual ~Group() = default;
  /// Short name: "C4", "SO2", "O3", ...
  virtual std::string name() const = 0;
  /// Dimension D of the space acted on.
  virtual int64_t dim() const = 0;
  virtual bool is_finite() const = 0;
  /// All elements as [G, D, D] float64 (the identity first). Throws for continuous groups.
  virtual torch::Tensor elements() const;
  /// One Haar-uniform element [D, D] float64.
  virtual torch::Tensor random_element(at::Generator& gen) const = 0;
  /// Maps every row of X [N, D] to a canonical representative of its orbit: for C_n the rotation
  /// with polar angle in [-π/n, π/n); for O(n)/SO(n) the point (|x|, 0, ..., 0).
  virtual torch::Tensor fold(const torch::Tensor& X) const = 0;
  /// A set of elements [Q, D, D] to average over (finite: all; continuous: a quadrature rule with
  /// about `count` nodes, closed under inverses so that averaged kernels stay symmetric).
  virtual torch::Tensor quadrature(int64_t count, at::Generator& gen) const;
};

/// Acts with R [D, D] on every row of X [N, D]: returns X Rᵀ.
torch::Tensor act(const torch::Tensor& R, const torch::Tensor& X);

/// 2-D rotation matrix by angle theta (float64).
torch::Tensor rotation_2d(double theta);

/// Builds a group from its name: "C<n>" (n ≥ 1), "SO2", "O2", "SO3", "O3". Errors name the input.
std::shared_ptr<Group> make_group(const std::string& name);

}  // namespace esvgd::group
