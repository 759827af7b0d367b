#pragma once
/// Meta-stable states of a double-well particle system: local minima of u modulo translations,
/// rotations, reflections and permutations (docs/method.md, "DW-4"). They are found, not listed: relax many random
/// starts, keep the distinct minima (by their sorted pair distances, a complete invariant for generic
/// configurations), and check with the Hessian that each is a minimum. A StateClassifier then relaxes
/// any configuration and names the state it falls into.
#include <string>
#include <vector>

#include <torch/types.h>

#include "esvgd/core/arg.h"
#include "esvgd/target/double_well.h"

namespace esvgd::target {

struct RelaxOptions {
  ESVGD_ARG(int64_t, max_iterations) = 20000;
  ESVGD_ARG(double, gradient_tolerance) = 1e-8;  ///< stop when ‖∇u‖ < this
  ESVGD_ARG(double, initial_step) = 1e-2;        ///< gradient-descent step, adapted per configuration
};

struct Relaxation {
  torch::Tensor x;          ///< relaxed configurations [N, D] float64
  torch::Tensor energy;     ///< u at them [N]
  torch::Tensor converged;  ///< [N] bool: ‖∇u‖ < tolerance within max_iterations
};

/// Gradient descent on u with a per-configuration step that grows by 1.2 after a step that lowers u
/// and halves (the step rejected) otherwise, so far-out starts with steep quartic walls stay stable.
Relaxation relax(const DoubleWellPotential& u, const torch::Tensor& X, const RelaxOptions& options = {});

struct MetaStableState {
  std::string name;                 ///< S1, S2, ... by increasing energy
  double energy = 0;
  std::vector<double> x;            ///< a centred representative [D]
  std::vector<double> distances;    ///< sorted pair distances
  int64_t hits = 0;                 ///< random starts that relaxed here
  double min_curvature = 0;         ///< smallest Hessian eigenvalue off the rigid motions (> 0)
};

struct StateSearchOptions {
  ESVGD_ARG(int64_t, starts) = 400;              ///< random starts, uniform in [−box, box)^D
  ESVGD_ARG(double, box) = 5.0;
  ESVGD_ARG(double, distance_tolerance) = 1e-4;  ///< same state: sorted pair distances within this (max norm)
  ESVGD_ARG(RelaxOptions, relax);
};

/// Distinct local minima reached from random starts, sorted by energy. Configurations that end at a
/// saddle (a negative curvature off the rigid motions) or do not converge are not states.
std::vector<MetaStableState> find_meta_stable_states(const DoubleWellPotential& u, const StateSearchOptions& options,
                                                     at::Generator& gen);

class StateClassifier {
 public:
  /// states: from find_meta_stable_states; tolerance on the sorted pair distances of relaxed points.
  StateClassifier(const DoubleWellPotential& u, std::vector<MetaStableState> states, double tolerance = 1e-3,
                  RelaxOptions relax = {});
  struct Assignment {
    torch::Tensor state;     ///< [N] int64: the state each row relaxes to, −1 if none (saddle, no convergence)
    torch::Tensor distance;  ///< [N] RMS per coordinate between each row and its relaxed configuration
  };
  /// Relaxes every row of X and names the state it reaches.
  Assignment assign(const torch::Tensor& X) const;
  /// assign(X).state
  torch::Tensor classify(const torch::Tensor& X) const;
  /// The index of the state whose sorted pair distances are within tolerance of relaxed rows; −1 if none.
  torch::Tensor match(const torch::Tensor& relaxed) const;
  const std::vector<MetaStableState>& states() const { return states_; }

 private:
  const DoubleWellPotential& u_;
  std::vector<MetaStableState> states_;
  double tolerance_;
  RelaxOptions relax_;
};

}  // namespace esvgd::target
