#pragma once
// The first of an energy model's three stages (input map → Mlp → head; model/energy_model.h):
// x [D] ↦ `copies` network inputs z_m [F], whose outputs the model averages. Each symmetry is one
// class with two paths that must agree: inputs() in tensor ops (autograd, any device), and
// forward()/backward() as loops over FrozenMlp's buffers for the frozen score (model/frozen_energy.h),
// where backward() is the vector–Jacobian product dE/dx = Σ_m J_m(x)ᵀ dE/dz_m.
#include <memory>
#include <vector>

#include <torch/types.h>

#include "esvgd/group/particle_invariant.h"
#include "esvgd/model/energy_model.h"

namespace esvgd::model {

class InputMap {
 public:
  virtual ~InputMap() = default;
  /// F, the network's input width.
  virtual int64_t width() const = 0;
  /// How many inputs per point (their outputs are averaged); 1 unless the map stacks group images.
  virtual int64_t copies() const { return 1; }
  /// Network inputs [copies·N, F] (copy-major) for X [N, D] float32, differentiable.
  virtual torch::Tensor inputs(const torch::Tensor& X) const = 0;
  /// Writes input m·N + n of point n into z (FrozenMlp layout, width F), x [N, D] row-major.
  /// May keep what backward() needs (a map object serves one frozen score at a time: clone it).
  virtual void forward(const double* x, int64_t N, float* z) = 0;
  /// dE/dx [N, D] into grad from dz = dE/dz (FrozenMlp layout) at the rows of the last forward().
  virtual void backward(const double* x, int64_t N, const float* dz, double* grad) const = 0;
  virtual std::unique_ptr<InputMap> clone() const = 0;
};

/// One symmetry, registered once: its name, doc and input map factory. `rotations` is the model's
/// [n, D, D] float32 buffer for cyclic (shared, so that it follows the module's .to()).
struct SymmetryEntry {
  Symmetry value;
  const char* name;
  const char* doc;
  std::unique_ptr<InputMap> (*make)(const EnergyModelOptions& options, const torch::Tensor& rotations);
};
const std::vector<SymmetryEntry>& symmetry_registry();

/// The input map of the options' symmetry.
std::unique_ptr<InputMap> make_input_map(const EnergyModelOptions& options, const torch::Tensor& rotations);

/// The particle-system invariant behind canonical / pair-distances maps (null for the others).
const group::ParticleInvariant* particle_invariant_of(const InputMap& map);

}  // namespace esvgd::model
