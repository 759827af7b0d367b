#include "esvgd/model/energy_model.h"

#include <torch/types.h>
#include <torch/autograd.h>
#include <torch/nn/module.h>
#include <torch/utils.h>

#include "esvgd/core/error.h"
#include "esvgd/group/cyclic.h"
#include "model/frozen_energy.h"
#include "model/head.h"
#include "model/input_map.h"

namespace esvgd::model {

namespace {

// Looks `name` up in a registry (symmetry_registry(), head_registry()); the error lists its names.
template <typename Entry>
const Entry& find_named(const std::vector<Entry>& registry, const std::string& name, const std::string& option) {
  std::string known;
  for (const auto& e : registry) {
    if (name == e.name) return e;
    known += (known.empty() ? "" : ", ") + std::string(e.name);
  }
  throw Error(ErrorKind::kInvalidArgument, option, "unknown name '" + name + "' (expected " + known + ")");
}

template <typename Entry, typename Value>
std::string name_of(const std::vector<Entry>& registry, Value value) {
  for (const auto& e : registry)
    if (e.value == value) return e.name;
  return "?";
}

template <typename Entry>
std::vector<std::pair<std::string, std::string>> docs_of(const std::vector<Entry>& registry) {
  std::vector<std::pair<std::string, std::string>> docs;
  for (const auto& e : registry) docs.emplace_back(e.name, e.doc);
  return docs;
}

}  // namespace

Symmetry parse_symmetry(const std::string& name) { return find_named(symmetry_registry(), name, "EnergyModelOptions::symmetry").value; }
Head parse_head(const std::string& name) { return find_named(head_registry(), name, "EnergyModelOptions::head").value; }
std::string to_string(Symmetry s) { return name_of(symmetry_registry(), s); }
std::string to_string(Head h) { return name_of(head_registry(), h); }
std::vector<std::pair<std::string, std::string>> symmetry_docs() { return docs_of(symmetry_registry()); }
std::vector<std::pair<std::string, std::string>> head_docs() { return docs_of(head_registry()); }

EnergyModelImpl::EnergyModelImpl(EnergyModelOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  ESVGD_CHECK(o.dim() >= 1, "energy model dimension must be >= 1, got ", o.dim());
  if (o.head() == Head::kJem)
    ESVGD_CHECK(o.outputs() >= 2, "a jem head needs >= 2 class outputs, got ", o.outputs());
  else
    ESVGD_CHECK(o.outputs() == 1, "the ", to_string(o.head()), " head needs one network output, got ", o.outputs());
  if (o.symmetry() == Symmetry::kCyclic) {
    ESVGD_CHECK(o.dim() == 2, "the cyclic symmetry acts on the plane (D = 2), got D = ", o.dim());
    ESVGD_CHECK(o.cyclic_order() >= 1, "cyclic order must be >= 1, got ", o.cyclic_order());
    rotations_ = register_buffer("rotations", group::CyclicGroup(o.cyclic_order()).elements().to(torch::kFloat32));
  }
  if (o.symmetry() == Symmetry::kCanonical || o.symmetry() == Symmetry::kPairDistances)
    ESVGD_CHECK(o.particle_dim() >= 1 && o.dim() % o.particle_dim() == 0, "a particle-system symmetry needs D = particles x ",
                "particle_dim, got D = ", o.dim(), ", particle_dim = ", o.particle_dim());
  input_ = make_input_map(o, rotations_);
  std::vector<int64_t> widths{input_->width()};
  widths.insert(widths.end(), o.hidden().begin(), o.hidden().end());
  widths.push_back(o.outputs());
  net_ = register_module("mlp", Mlp(widths));
}

const group::ParticleInvariant* EnergyModelImpl::particle_invariant() const { return particle_invariant_of(*input_); }

torch::Tensor EnergyModelImpl::outputs(const torch::Tensor& X) {
  ESVGD_CHECK(X.dim() == 2 && X.size(1) == options_.dim(), "energy model input must be [N, ", options_.dim(), "], got ",
              X.sizes());
  auto O = net_->forward(input_->inputs(X.to(torch::kFloat32)));
  if (input_->copies() > 1) O = O.view({input_->copies(), X.size(0), -1}).mean(0);  // average over the copies
  return O;
}

void EnergyModelImpl::check_label(int64_t label) const {
  if (label < 0) return;
  ESVGD_CHECK(options_.head() == Head::kJem, "a class-conditional energy needs the jem head");
  ESVGD_CHECK(label < options_.outputs(), "class label ", label, " out of range [0, ", options_.outputs(), ")");
}

torch::Tensor EnergyModelImpl::energy_from_outputs(const torch::Tensor& O, int64_t label) const {
  check_label(label);
  return head_energy(options_.head(), O, label);
}

torch::Tensor EnergyModelImpl::score_autograd(const torch::Tensor& X, int64_t label) {
  torch::AutoGradMode enable(true);
  auto x = X.detach().to(torch::kFloat32).requires_grad_(true);
  auto grad = torch::autograd::grad({energy(x, label).sum()}, {x})[0];
  return (-grad).to(X.dtype());
}

ScoreFn EnergyModelImpl::frozen_score(int64_t label) const {
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
