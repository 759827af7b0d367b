#include "esvgd/model/egnn_energy.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/nn/functional/linear.h>
#include <torch/nn/modules/linear.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "model/frozen_egnn.h"

namespace esvgd::model {

EgnnLayerImpl::EgnnLayerImpl(int64_t hidden, bool attention, int64_t distance_features)
    : H_(hidden), attention_(attention) {
  edge1_ = register_module("edge1", torch::nn::Linear(2 * hidden + 1, hidden));
  if (distance_features > 0)
    radial_ = register_module("radial", torch::nn::Linear(torch::nn::LinearOptions(distance_features, hidden).bias(false)));
  edge2_ = register_module("edge2", torch::nn::Linear(hidden, hidden));
  if (attention_) att_ = register_module("att", torch::nn::Linear(hidden, 1));
  node1_ = register_module("node1", torch::nn::Linear(2 * hidden, hidden));
  node2_ = register_module("node2", torch::nn::Linear(hidden, hidden));
}

torch::Tensor EgnnLayerImpl::forward(const torch::Tensor& h, const torch::Tensor& d2, const torch::Tensor& mask,
                                     const torch::Tensor& rbf) {
  // edge1(cat[h_i, h_j, d²_ij]) = W_a h_i + W_b h_j + w_c d²_ij + b, split so no [N, P, P, 2H+1] tensor is built.
  const auto& W = edge1_->weight;  // [H, 2H + 1]
  auto hi = torch::nn::functional::linear(h, W.narrow(1, 0, H_), edge1_->bias);
  auto hj = torch::matmul(h, W.narrow(1, H_, H_).t());
  auto pre = hi.unsqueeze(2) + hj.unsqueeze(1) + d2.unsqueeze(3) * W.select(1, 2 * H_);
  if (radial_) pre = pre + radial_(rbf);
  auto m = torch::silu(pre);
  m = torch::silu(edge2_(m));
  if (attention_) m = m * torch::sigmoid(att_(m));
  auto agg = (m * mask.unsqueeze(2)).sum(2);  // Σ_{j≠i} m_ij
  return h + node2_(torch::silu(node1_(torch::cat({h, agg}, -1))));
}

EgnnEnergyImpl::EgnnEnergyImpl(EgnnOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  ESVGD_CHECK(o.atomic_numbers().size() >= 2, "an EGNN energy needs at least 2 atoms, got ", o.atomic_numbers().size());
  ESVGD_CHECK(o.hidden() >= 1 && o.layers() >= 1 && o.charge_power() >= 0, "EGNN sizes must be positive (hidden ", o.hidden(),
              ", layers ", o.layers(), ", charge power ", o.charge_power(), ")");
  ESVGD_CHECK(o.head() == Head::kLog1pSquare || o.head() == Head::kLinear,
              "an EGNN energy has one output: head must be log1p-square or linear, got ", to_string(o.head()));
  ESVGD_CHECK(o.distance_features() >= 0 && std::isfinite(o.distance_cutoff()) && o.distance_cutoff() > 0,
              "EGNN distance features need K >= 0 and a positive cutoff (got ", o.distance_features(), ", ",
              o.distance_cutoff(), ")");
  ESVGD_CHECK(std::isfinite(o.core_radius()) && o.core_radius() >= 0, "the EGNN hard core needs a radius >= 0 Å, got ",
              o.core_radius());
  ESVGD_CHECK(o.core_radius() == 0 || o.head() == Head::kLinear,
              "the EGNN hard core adds to the energy, so it needs the linear head, got ", to_string(o.head()));
  ESVGD_CHECK(!o.noise_conditional() || o.head() == Head::kLinear,
              "a noise-conditional EGNN energy divides its output by sigma, so it needs the linear head, got ",
              to_string(o.head()));
  ESVGD_CHECK(!o.noise_conditional() || (o.noise_floor() > 0 && std::isfinite(o.noise_floor())),
              "the noise floor of a noise-conditional EGNN energy must be a positive number of Å, got ", o.noise_floor());
  const int64_t P = atoms(), K = static_cast<int64_t>(o.elements().size()), C = o.charge_power() + 1;
  auto n = torch::zeros({P, K * C});
  for (int64_t i = 0; i < P; ++i) {
    const int64_t z = o.atomic_numbers()[static_cast<size_t>(i)];
    auto it = std::find(o.elements().begin(), o.elements().end(), z);
    ESVGD_CHECK(it != o.elements().end(), "atom ", i, " has atomic number ", z,
                ", outside the EGNN's element alphabet (H C N O F by default)");
    const int64_t k = it - o.elements().begin();
    for (int64_t c = 0; c < C; ++c) n[i][k * C + c] = std::pow(static_cast<double>(z) / 9.0, static_cast<double>(c));
  }
  node_features_ = register_buffer("node_features", n);
  edge_mask_ = register_buffer("edge_mask", 1 - torch::eye(P));
  rbf_centres_ = register_buffer("rbf_centres", torch::linspace(0, o.distance_cutoff(), o.distance_features()));
  embed_ = register_module("embed", torch::nn::Linear(K * C + (o.noise_conditional() ? 1 : 0), o.hidden()));
  for (int64_t l = 0; l < o.layers(); ++l)
    layers_.push_back(register_module("layer" + std::to_string(l), EgnnLayer(o.hidden(), o.attention(), o.distance_features())));
  dec1_ = register_module("dec1", torch::nn::Linear(o.hidden(), o.hidden()));
  dec2_ = register_module("dec2", torch::nn::Linear(o.hidden(), o.hidden()));
  graph1_ = register_module("graph1", torch::nn::Linear(o.hidden(), o.hidden()));
  graph2_ = register_module("graph2", torch::nn::Linear(o.hidden(), 1));
}

torch::Tensor EgnnEnergyImpl::outputs(const torch::Tensor& X) {
  if (!options_.noise_conditional()) return outputs_at(X, {});
  return outputs_at(X, torch::full({X.dim() == 2 ? X.size(0) : 0}, options_.noise_floor(),
                                   node_features_.options()));
}

torch::Tensor EgnnEnergyImpl::outputs_at(const torch::Tensor& X, const torch::Tensor& sigma) {
  const int64_t P = atoms();
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == 3 * P, "the EGNN energy expects rows [N, ", 3 * P, "] (", P,
              " atoms x 3), got ", X.sizes());
  const int64_t N = X.size(0);
  auto x = X.to(node_features_.device(), torch::kFloat32).view({N, P, 3});
  auto d2 = (x.unsqueeze(2) - x.unsqueeze(1)).square().sum(3);  // [N, P, P]
  torch::Tensor h, s;
  if (sigma.defined()) {
    s = sigma.to(node_features_.device(), torch::kFloat32).view({N, 1});
    const auto log_sigma = s.log().view({N, 1, 1}).expand({N, P, 1});
    h = embed_(torch::cat({node_features_.unsqueeze(0).expand({N, P, node_features_.size(1)}), log_sigma}, 2));
  } else {
    h = embed_(node_features_).unsqueeze(0).expand({N, P, options_.hidden()});
  }
  const auto rbf = options_.distance_features() > 0 ? radial_basis(d2) : torch::Tensor();
  for (auto& layer : layers_) h = layer(h, d2, edge_mask_, rbf);
  auto pooled = dec2_(torch::silu(dec1_(h))).sum(1);  // sum pooling over atoms
  auto o = graph2_(torch::silu(graph1_(pooled)));
  if (s.defined()) o = o / s;
  return options_.core_radius() > 0 ? o + core_energy(d2).unsqueeze(1) : o;
}

torch::Tensor EgnnEnergyImpl::noise_energy(const torch::Tensor& X, const torch::Tensor& sigma) {
  ESVGD_CHECK(options_.noise_conditional(), "this EGNN energy is not noise-conditional (EgnnOptions::noise_conditional)");
  ESVGD_CHECK(X.dim() == 2 && sigma.dim() == 1 && sigma.size(0) == X.size(0), "noise_energy needs one sigma per row: ",
              X.sizes(), " rows, sigma ", sigma.sizes());
  return energy_from_outputs(outputs_at(X, sigma));
}

torch::Tensor EgnnEnergyImpl::core_energy(const torch::Tensor& d2) const {
  if (options_.core_radius() <= 0) return torch::zeros({d2.size(0)}, d2.options());
  const auto overlap = torch::relu(options_.core_radius() - (d2 + 1e-8).sqrt()) * edge_mask_;  // no self-pairs
  return (kCoreStiffness / 2) * overlap.square().sum({1, 2});  // each pair counted twice
}

torch::Tensor EgnnEnergyImpl::radial_basis(const torch::Tensor& d2) const {
  const int64_t K = options_.distance_features();
  const double width = options_.distance_cutoff() / static_cast<double>(std::max<int64_t>(K - 1, 1));
  // The small shift keeps the gradient of d finite on the diagonal (d = 0; masked out later).
  const auto d = (d2 + 1e-8).sqrt().unsqueeze(3);
  return torch::exp(-(d - rbf_centres_).square() / (2 * width * width));
}

torch::Tensor EgnnEnergyImpl::energy_from_outputs(const torch::Tensor& O, int64_t label) const {
  ESVGD_CHECK(label < 0, "the EGNN energy has no classes; got label ", label);
  return options_.head() == Head::kLog1pSquare ? torch::log1p(O.squeeze(1).square()) : O.squeeze(1);
}

torch::Tensor EgnnEnergyImpl::score_autograd(const torch::Tensor& X) {
  torch::AutoGradMode enable(true);
  auto x = X.detach().to(node_features_.device(), torch::kFloat32).requires_grad_(true);
  auto grad = torch::autograd::grad({energy(x).sum()}, {x})[0];
  return (-grad).to(X.device(), X.scalar_type());
}

ScoreFn EgnnEnergyImpl::frozen_score(int64_t label) const {
  ESVGD_CHECK(label < 0, "the EGNN energy has no classes; got label ", label);
  if (options_.noise_conditional()) return frozen_noise_score(options_.noise_floor());
  if (node_features_.device().is_cpu()) {
    auto frozen = std::make_shared<const FrozenEgnn>(*this);
    return [frozen](const torch::Tensor& X) { return frozen->score(X.cpu()).to(X.device()); };
  }
  return frozen_copy_score(-1);
}

ScoreFn EgnnEnergyImpl::frozen_noise_score(double sigma) const {
  ESVGD_CHECK(options_.noise_conditional(), "this EGNN energy is not noise-conditional (EgnnOptions::noise_conditional)");
  ESVGD_CHECK(sigma > 0 && std::isfinite(sigma), "the noise level must be a positive finite number, got ", sigma);
  if (node_features_.device().is_cpu()) {
    auto frozen = std::make_shared<const FrozenEgnn>(*this, sigma);
    return [frozen](const torch::Tensor& X) { return frozen->score(X.cpu()).to(X.device()); };
  }
  return frozen_copy_score(sigma);
}

ScoreFn EgnnEnergyImpl::frozen_copy_score(double sigma) const {
  auto copy = std::make_shared<EgnnEnergyImpl>(options_);
  {
    torch::NoGradGuard no_grad;
    auto mine = named_parameters();
    for (auto& p : copy->named_parameters()) p.value().copy_(mine[p.key()]);
  }
  copy->to(node_features_.device());
  for (auto& p : copy->parameters()) p.requires_grad_(false);  // gradients only with respect to x
  if (sigma <= 0) return [copy](const torch::Tensor& X) { return copy->score_autograd(X); };
  return [copy, sigma](const torch::Tensor& X) {
    torch::AutoGradMode enable(true);
    auto x = X.detach().to(copy->node_features_.device(), torch::kFloat32).requires_grad_(true);
    const auto s = torch::full({x.size(0)}, sigma, x.options().requires_grad(false));
    auto grad = torch::autograd::grad({copy->noise_energy(x, s).sum()}, {x})[0];
    return (-grad).to(X.device(), X.scalar_type());
  };
}

}  // namespace esvgd::model
