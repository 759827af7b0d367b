#pragma once
/// An E(n)-equivariant graph network energy over the atoms of a molecule (Satorras, Hoogeboom &
/// Welling 2021; the paper's QM9 model, App. E.2): a fully connected graph over P atoms whose
/// types are fixed (the formula), coordinates x [N, P·3] moving.
///
///   h⁰_i   = W_in n_i,  n_i = one-hot(element) ⊗ (Z_i/9)^{0..c}     (the EGNN QM9 node features)
///   m_ij   = φ_e(h_i, h_j, ‖x_i − x_j‖²) · σ(w_a · φ_e(...))        (attention on)
///   h_i   += φ_h(h_i, Σ_{j≠i} m_ij)                                  (4 layers, 64 units, SiLU)
///   o      = φ_g(Σ_i φ_d(h_i)),   E = log(1 + o²)
///
/// Every layer sees the input coordinates (the coordinate update is not used, as in the reference
/// code), so E is invariant under rotations, reflections, translations and permutations of atoms of
/// the same element. The first edge layer is applied as W_a h_i + W_b h_j + w_c d²_ij, so the
/// P² edges cost one broadcast add instead of P² matrix rows.
#include <memory>
#include <vector>

#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "esvgd/model/energy_model.h"
#include "esvgd/model/energy_network.h"

namespace esvgd::model {

struct EgnnOptions {
  std::vector<int64_t> atomic_numbers;            ///< Z of the P atoms (fixed by the formula)
  std::vector<int64_t> elements{1, 6, 7, 8, 9};   ///< the one-hot alphabet (QM9's H C N O F)
  int64_t charge_power = 2;                       ///< c: features (Z/9)^0..c per one-hot slot
  int64_t hidden = 64;
  int64_t layers = 4;
  bool attention = true;
  Head head = Head::kLog1pSquare;                 ///< log1p-square or linear (one output)
};

/// One graph convolution (E_GCL without the coordinate update).
class EgnnLayerImpl : public torch::nn::Module {
 public:
  EgnnLayerImpl(int64_t hidden, bool attention);
  /// h [N, P, H], squared distances d2 [N, P, P], edge mask [P, P] (0 on the diagonal) → new h.
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& d2, const torch::Tensor& mask);

 private:
  int64_t H_;
  bool attention_;
  torch::nn::Linear edge1_{nullptr}, edge2_{nullptr}, att_{nullptr}, node1_{nullptr}, node2_{nullptr};
};
TORCH_MODULE(EgnnLayer);

class EgnnEnergyImpl : public EnergyNetwork {
 public:
  /// Errors for elements outside the alphabet, fewer than 2 atoms, non-positive sizes, a jem head.
  explicit EgnnEnergyImpl(EgnnOptions options);

  int64_t atoms() const { return static_cast<int64_t>(options_.atomic_numbers.size()); }
  int64_t dim() const { return 3 * atoms(); }
  const EgnnOptions& options() const { return options_; }

  torch::Tensor outputs(const torch::Tensor& X) override;  ///< o [N, 1]
  torch::Tensor energy_from_outputs(const torch::Tensor& O, int64_t label = -1) const override;
  /// −∇_x E by autograd, in X's dtype.
  torch::Tensor score_autograd(const torch::Tensor& X);
  /// Autograd through a copy of the current weights (no hand-written pass: the network runs on any
  /// device as is).
  target::ScoreFn frozen_score(int64_t label = -1) const override;

 private:
  EgnnOptions options_;
  torch::Tensor node_features_;  ///< [P, |elements|·(c+1)] float32 (a buffer)
  torch::Tensor edge_mask_;      ///< [P, P] float32, 1 off the diagonal (a buffer)
  torch::nn::Linear embed_{nullptr}, dec1_{nullptr}, dec2_{nullptr}, graph1_{nullptr}, graph2_{nullptr};
  std::vector<EgnnLayer> layers_;
};
TORCH_MODULE(EgnnEnergy);

}  // namespace esvgd::model
