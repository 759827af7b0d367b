#pragma once
/// Energy models E_θ(x) for contrastive divergence, in three stages: an input map (the symmetry),
/// an Mlp, an energy head. p_θ(x) ∝ exp(−E_θ(x)); the sampler's score is −∇_x E_θ, by autograd or
/// by the frozen score that chains the three stages' vector–Jacobian products (frozen_energy.h).
///
/// Symmetry, the input map (adds no parameters):
///   none     o(x) = f(x)
///   cyclic   o(x) = (1/n) Σ_m f(R_m x), R_m the rotation by 2πm/n: C_n-invariant outputs
///   radius   o(x) = f(|x|): O(D)-invariant (the Mlp then takes one input)
///   canonical, pair-distances
///            o(x) = f(m(x)) for a particle system (D = P·particle_dim) with m the authors'
///            canonicalisation or the sorted pair distances (group/particle_invariant.h):
///            E(2) × S_P-invariant (canonical: without reflections)
/// Head, on the outputs o (C of them):
///   log1p-square  E = log(1 + o²) (C = 1; the reference code's, E ≥ 0)
///   linear        E = o (C = 1)
///   jem           o are class logits; E(x) = −logsumexp_y o_y, E(x|y) = −o_y, p(y|x) = softmax(o)
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "esvgd/core/arg.h"
#include "esvgd/group/particle_invariant.h"
#include "esvgd/model/energy_network.h"
#include "esvgd/model/mlp.h"
#include "esvgd/core/score_fn.h"

namespace esvgd::model {

class InputMap;

enum class Symmetry { kNone, kCyclic, kRadius, kCanonical, kPairDistances };
enum class Head { kLog1pSquare, kLinear, kJem };

/// Names as in configs ("pair-distances", "log1p-square"); parsing errors list the registered names.
Symmetry parse_symmetry(const std::string& name);
Head parse_head(const std::string& name);
std::string to_string(Symmetry s);
std::string to_string(Head h);
/// (name, one-line doc) of every registered symmetry and head, for listings.
std::vector<std::pair<std::string, std::string>> symmetry_docs();
std::vector<std::pair<std::string, std::string>> head_docs();

struct EnergyModelOptions {
  ESVGD_ARG(int64_t, dim) = 2;              ///< D of x
  ESVGD_ARG(std::vector<int64_t>, hidden);  ///< hidden widths of the Mlp
  ESVGD_ARG(int64_t, outputs) = 1;          ///< C: classes for jem, 1 for the scalar heads
  ESVGD_ARG(Head, head) = Head::kLog1pSquare;
  ESVGD_ARG(Symmetry, symmetry) = Symmetry::kNone;
  ESVGD_ARG(int64_t, cyclic_order) = 4;     ///< n of C_n (D must be 2)
  ESVGD_ARG(int64_t, particle_dim) = 2;     ///< d of the particles for canonical / pair-distances
};

class EnergyModelImpl : public EnergyNetwork {
 public:
  /// Checks the options (a scalar head needs outputs = 1, jem needs >= 2, cyclic needs D = 2).
  explicit EnergyModelImpl(EnergyModelOptions options);

  /// Network outputs o(x) [N, C] after the symmetry (logits for jem), float32, with autograd.
  torch::Tensor outputs(const torch::Tensor& X) override;
  /// E [N] from outputs O [N, C]; label >= 0 selects E(x|y) = −o_y (jem only).
  torch::Tensor energy_from_outputs(const torch::Tensor& O, int64_t label = -1) const override;
  /// −∇_x E by autograd, in X's dtype: the reference the fast path is tested against.
  torch::Tensor score_autograd(const torch::Tensor& X, int64_t label = -1);
  /// −∇_x E with the current weights frozen: a hand-written forward and backward pass
  /// (FrozenEnergy) on the CPU, autograd elsewhere. The function returns scores in its input's dtype and does not
  /// see later weight updates: build one per SVGD run.
  ScoreFn frozen_score(int64_t label = -1) const override;

  const EnergyModelOptions& options() const { return options_; }
  Mlp& network() { return net_; }
  const Mlp& network() const { return net_; }
  /// [n, D, D] float32 rotation matrices of the cyclic symmetry (undefined otherwise).
  const torch::Tensor& rotations() const { return rotations_; }
  /// The particle-system map of canonical / pair-distances (null otherwise).
  const group::ParticleInvariant* particle_invariant() const;
  /// The first stage (an internal type; FrozenEnergy copies it).
  const InputMap& input_map() const { return *input_; }

 private:
  /// label −1 (the joint/scalar energy) or a class of the jem head; errors name the problem.
  void check_label(int64_t label) const;
  EnergyModelOptions options_;
  Mlp net_{nullptr};
  torch::Tensor rotations_;  ///< [n, D, D] float32 for the cyclic symmetry (a buffer: moves with .to())
  std::shared_ptr<InputMap> input_;
};
TORCH_MODULE(EnergyModel);

}  // namespace esvgd::model
