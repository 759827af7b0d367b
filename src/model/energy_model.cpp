#include "esvgd/model/energy_model.h"

#include <torch/torch.h>

#include "esvgd/core/error.h"
#include "esvgd/group/cyclic.h"
#include "model/frozen_energy.h"
#include "model/head.h"
#include "model/input_map.h"

namespace esvgd::model {

Symmetry parse_symmetry(const std::string& name) {
  if (name == "none") return Symmetry::kNone;
  if (name == "cyclic") return Symmetry::kCyclic;
  if (name == "radius") return Symmetry::kRadius;
  if (name == "canonical") return Symmetry::kCanonical;
  if (name == "pair-distances") return Symmetry::kPairDistances;
  throw Error(ErrorKind::kConfig, "",
              "unknown model symmetry '" + name + "' (expected none, cyclic, radius, canonical or pair-distances)");
}

Head parse_head(const std::string& name) {
  if (name == "log1p-square") return Head::kLog1pSquare;
  if (name == "linear") return Head::kLinear;
  if (name == "jem") return Head::kJem;
  throw Error(ErrorKind::kConfig, "", "unknown energy head '" + name + "' (expected log1p-square, linear or jem)");
}

std::string to_string(Symmetry s) {
  switch (s) {
    case Symmetry::kNone: return "none";
    case Symmetry::kCyclic: return "cyclic";
    case Symmetry::kRadius: return "radius";
    case Symmetry::kCanonical: return "canonical";
    case Symmetry::kPairDistances: return "pair-distances";
  }
  return "?";
}

std::string to_string(Head h) {
  switch (h) {
    case Head::kLog1pSquare: return "log1p-square";
    case Head::kLinear: return "linear";
    case Head::kJem: return "jem";
  }
  return "?";
}

EnergyModelImpl::EnergyModelImpl(EnergyModelOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  ESVGD_CHECK(o.dim >= 1, "energy model dimension must be >= 1, got ", o.dim);
  if (o.head == Head::kJem)
    ESVGD_CHECK(o.outputs >= 2, "a jem head needs >= 2 class outputs, got ", o.outputs);
  else
    ESVGD_CHECK(o.outputs == 1, "the ", to_string(o.head), " head needs one network output, got ", o.outputs);
  if (o.symmetry == Symmetry::kCyclic) {
    ESVGD_CHECK(o.dim == 2, "the cyclic symmetry acts on the plane (D = 2), got D = ", o.dim);
    ESVGD_CHECK(o.cyclic_order >= 1, "cyclic order must be >= 1, got ", o.cyclic_order);
    rotations_ = register_buffer("rotations", group::CyclicGroup(o.cyclic_order).elements().to(torch::kFloat32));
  }
  if (o.symmetry == Symmetry::kCanonical || o.symmetry == Symmetry::kPairDistances)
    ESVGD_CHECK(o.particle_dim >= 1 && o.dim % o.particle_dim == 0, "a particle-system symmetry needs D = particles x ",
                "particle_dim, got D = ", o.dim, ", particle_dim = ", o.particle_dim);
  input_ = make_input_map(o, rotations_);
  std::vector<int64_t> widths{input_->width()};
  widths.insert(widths.end(), o.hidden.begin(), o.hidden.end());
  widths.push_back(o.outputs);
  net_ = register_module("mlp", Mlp(widths));
}

const group::ParticleInvariant* EnergyModelImpl::particle_invariant() const { return particle_invariant_of(*input_); }

torch::Tensor EnergyModelImpl::outputs(const torch::Tensor& X) {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == options_.dim, "energy model input must be [N, ", options_.dim, "], got ",
              X.sizes());
  auto O = net_->forward(input_->inputs(X.to(torch::kFloat32)));
  if (input_->copies() > 1) O = O.view({input_->copies(), X.size(0), -1}).mean(0);  // average over the copies
  return O;
}

void EnergyModelImpl::check_label(int64_t label) const {
  if (label < 0) return;
  ESVGD_CHECK(options_.head == Head::kJem, "a class-conditional energy needs the jem head");
  ESVGD_CHECK(label < options_.outputs, "class label ", label, " out of range [0, ", options_.outputs, ")");
}

torch::Tensor EnergyModelImpl::energy_from_outputs(const torch::Tensor& O, int64_t label) const {
  check_label(label);
  return head_energy(options_.head, O, label);
}

torch::Tensor EnergyModelImpl::score_autograd(const torch::Tensor& X, int64_t label) {
  torch::AutoGradMode enable(true);
  auto x = X.detach().to(torch::kFloat32).requires_grad_(true);
  auto grad = torch::autograd::grad({energy(x, label).sum()}, {x})[0];
  return (-grad).to(X.dtype());
}

target::ScoreFn EnergyModelImpl::frozen_score(int64_t label) const {
  check_label(label);
  if (!net_->parameters().front().device().is_cpu()) {
    auto self = std::static_pointer_cast<EnergyModelImpl>(
        std::const_pointer_cast<torch::nn::Module>(shared_from_this()));
    return [self, label](const torch::Tensor& X) { return self->score_autograd(X, label); };
  }
  auto frozen = std::make_shared<FrozenEnergy>(*this, label);
  return [frozen](const torch::Tensor& X) { return frozen->score(X); };
}

}  // namespace esvgd::model
