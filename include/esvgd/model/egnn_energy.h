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
/// With `distance_features` = K > 0 (an extension; 0 is the paper's model) every edge message also
/// sees K Gaussian radial basis functions of the distance, exp(−(d_ij − μ_k)²/(2w²)) with centres
/// μ_k spread evenly over [0, distance_cutoff] and w their spacing (as SchNet does), so that the
/// network can resolve the steep short-range part of an energy that d² alone makes hard to learn.
///
/// With `core_radius` = r₀ > 0 (an extension, linear head only) a fixed hard-core repulsion is
/// added to the output, o += κ Σ_{i<j} max(0, r₀ − d_ij)² with κ = kCoreStiffness: no parameter
/// of it is learned, it is zero wherever no two atoms are closer than r₀ (every QM9 molecule, for
/// r₀ below the shortest bond), and it keeps samplers out of collapsed atom pairs, a region that
/// contrastive divergence rarely visits and so never learns to penalise (docs/method.md).
///
/// With `noise_conditional` (an extension, linear head only) the network is an energy E(x, σ) of the
/// data smoothed by N(0, σ² I), trained by denoising score matching (train/cd_trainer.h): every atom's
/// features gain log σ, and the output is divided by σ, E = o(x, log σ)/σ, so that σ·∇E, the quantity
/// the loss compares with the noise, has the same scale at every level. `outputs`, `energy` and
/// `frozen_score` then take σ = `noise_floor`, the smallest level trained.
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

#include "esvgd/core/arg.h"
#include "esvgd/model/energy_model.h"
#include "esvgd/model/energy_network.h"

namespace esvgd::model {

struct EgnnOptions {
  ESVGD_ARG(std::vector<int64_t>, atomic_numbers);              ///< Z of the P atoms (fixed by the formula)
  ESVGD_ARG(std::vector<int64_t>, elements) = {1, 6, 7, 8, 9};  ///< the one-hot alphabet (QM9's H C N O F)
  ESVGD_ARG(int64_t, charge_power) = 2;                         ///< c: features (Z/9)^0..c per one-hot slot
  ESVGD_ARG(int64_t, hidden) = 64;
  ESVGD_ARG(int64_t, layers) = 4;
  ESVGD_ARG(bool, attention) = true;
  ESVGD_ARG(Head, head) = Head::kLog1pSquare;                   ///< log1p-square or linear (one output)
  ESVGD_ARG(int64_t, distance_features) = 0;                    ///< K radial basis functions of d_ij (0 = d² only)
  ESVGD_ARG(double, distance_cutoff) = 6.0;                     ///< Å: the last basis centre
  ESVGD_ARG(double, core_radius) = 0.0;                         ///< r₀ (Å) of the fixed hard core (0 = none)
  ESVGD_ARG(bool, noise_conditional) = false;                   ///< E(x, σ) = o(x, log σ)/σ
  ESVGD_ARG(double, noise_floor) = 0.02;                        ///< σ of outputs() when noise-conditional (Å)
};

/// κ of the hard core, in energy units per Å²: at 0.3 Å of overlap it adds 9, above the ±5 that
/// an energy held near 0 by the regulariser reaches.
inline constexpr double kCoreStiffness = 100.0;

/// One graph convolution (E_GCL without the coordinate update).
class EgnnLayerImpl : public torch::nn::Module {
 public:
  EgnnLayerImpl(int64_t hidden, bool attention, int64_t distance_features = 0);
  /// h [N, P, H], squared distances d2 [N, P, P], edge mask [P, P] (0 on the diagonal), and the
  /// radial basis rbf [N, P, P, K] when the layer has distance features (else undefined) → new h.
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& d2, const torch::Tensor& mask,
                        const torch::Tensor& rbf = {});

 private:
  int64_t H_;
  bool attention_;
  torch::nn::Linear edge1_{nullptr}, edge2_{nullptr}, att_{nullptr}, node1_{nullptr}, node2_{nullptr};
  torch::nn::Linear radial_{nullptr};  ///< K → H, no bias (only with distance features)
};
TORCH_MODULE(EgnnLayer);

class EgnnEnergyImpl : public EnergyNetwork {
 public:
  /// Errors for elements outside the alphabet, fewer than 2 atoms, non-positive sizes, a jem head.
  explicit EgnnEnergyImpl(EgnnOptions options);

  int64_t atoms() const { return static_cast<int64_t>(options_.atomic_numbers().size()); }
  int64_t dim() const { return 3 * atoms(); }
  const EgnnOptions& options() const { return options_; }

  torch::Tensor outputs(const torch::Tensor& X) override;  ///< o [N, 1]
  torch::Tensor energy_from_outputs(const torch::Tensor& O, int64_t label = -1) const override;
  /// −∇_x E by autograd, in X's dtype.
  torch::Tensor score_autograd(const torch::Tensor& X);
  /// The hard core κ Σ_{i<j} max(0, r₀ − d_ij)², [N], from d2 [N, P, P] (zeros when r₀ = 0).
  torch::Tensor core_energy(const torch::Tensor& d2) const;
  /// The radial basis of the distances, [N, P, P, K], from d2 [N, P, P].
  torch::Tensor radial_basis(const torch::Tensor& d2) const;
  /// −∇_x E with the current weights frozen (later updates are not seen): on the CPU the forward pass
  /// and its input gradient written out by hand (model/frozen_egnn.h); on other devices autograd
  /// through a copy of the weights.
  ScoreFn frozen_score(int64_t label = -1) const override;

  bool noise_conditional() const override { return options_.noise_conditional(); }
  /// E(x, σ) [N] (sigma [N]); errors unless noise-conditional.
  torch::Tensor noise_energy(const torch::Tensor& X, const torch::Tensor& sigma) override;
  /// −∇_x E(x, σ), as frozen_score but at the level σ > 0.
  ScoreFn frozen_noise_score(double sigma) const override;

 private:
  /// o [N, 1] at the noise levels sigma [N] (undefined: a network that is not noise-conditional).
  torch::Tensor outputs_at(const torch::Tensor& X, const torch::Tensor& sigma);
  /// The score by autograd through a frozen copy of the weights (devices other than the CPU), at
  /// the level sigma (<= 0: a network that is not noise-conditional).
  ScoreFn frozen_copy_score(double sigma) const;

  EgnnOptions options_;
  torch::Tensor node_features_;  ///< [P, |elements|·(c+1)] float32 (a buffer)
  torch::Tensor edge_mask_;      ///< [P, P] float32, 1 off the diagonal (a buffer)
  torch::Tensor rbf_centres_;    ///< [K] float32 (a buffer; empty without distance features)
  torch::nn::Linear embed_{nullptr}, dec1_{nullptr}, dec2_{nullptr}, graph1_{nullptr}, graph2_{nullptr};
  std::vector<EgnnLayer> layers_;
};
TORCH_MODULE(EgnnEnergy);

}  // namespace esvgd::model
