#include "adam_state.h"

#include <memory>
#include <sstream>
#include <string>
#include <type_traits>

#include <torch/optim/adam.h>

namespace esvgd::train {

namespace {

using StateKey = std::decay_t<decltype(std::declval<torch::optim::Adam&>().state())>::key_type;

/// Adam's key for a parameter's state, as Adam::step forms it: the address of its TensorImpl, printed
/// (LibTorch 1.x) or the pointer itself (2.x, which a CUDA machine may have).
template <typename Key = StateKey>
Key state_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream address;
    address << static_cast<const void*>(p.unsafeGetTensorImpl());
    return address.str();
  } else {
    return p.unsafeGetTensorImpl();
  }
}

const std::vector<torch::Tensor>& parameters(const torch::optim::Adam& adam) { return adam.param_groups().at(0).params(); }

constexpr const char* kLayout = "adam-by-index-v1";

}  // namespace

void save_adam_state(const torch::optim::Adam& adam, torch::serialize::OutputArchive& archive) {
  archive.write("layout", c10::IValue(std::string(kLayout)));
  const auto& params = parameters(adam);
  for (size_t i = 0; i < params.size(); ++i) {
    const auto it = adam.state().find(state_key(params[i]));
    if (it == adam.state().end()) continue;  // not stepped yet
    const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
    const std::string prefix = "param" + std::to_string(i) + "/";
    archive.write(prefix + "step", torch::tensor(s.step(), torch::kLong));
    archive.write(prefix + "exp_avg", s.exp_avg());
    archive.write(prefix + "exp_avg_sq", s.exp_avg_sq());
    if (s.max_exp_avg_sq().defined()) archive.write(prefix + "max_exp_avg_sq", s.max_exp_avg_sq());
  }
}

bool load_adam_state(torch::optim::Adam& adam, torch::serialize::InputArchive& archive) {
  c10::IValue layout;
  if (!archive.try_read("layout", layout) || !layout.isString() || layout.toStringRef() != kLayout) return false;
  adam.state().clear();
  const auto& params = parameters(adam);
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string prefix = "param" + std::to_string(i) + "/";
    torch::Tensor step, exp_avg, exp_avg_sq, max_exp_avg_sq;
    if (!archive.try_read(prefix + "step", step)) continue;
    archive.read(prefix + "exp_avg", exp_avg);
    archive.read(prefix + "exp_avg_sq", exp_avg_sq);
    auto s = std::make_unique<torch::optim::AdamParamState>();
    const auto device = params[i].device();
    s->step(step.item<int64_t>());
    s->exp_avg(exp_avg.to(device));
    s->exp_avg_sq(exp_avg_sq.to(device));
    if (archive.try_read(prefix + "max_exp_avg_sq", max_exp_avg_sq)) s->max_exp_avg_sq(max_exp_avg_sq.to(device));
    adam.state()[state_key(params[i])] = std::move(s);
  }
  return true;
}

}  // namespace esvgd::train
