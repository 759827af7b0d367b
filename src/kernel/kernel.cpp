#include "esvgd/kernel/kernel.h"

#include <cmath>

#include "esvgd/core/error.h"

namespace esvgd::kernel {

RepulsionForm parse_repulsion_form(const std::string& text) {
  if (text == "textbook") return RepulsionForm::kTextbook;
  if (text == "reference") return RepulsionForm::kReference;
  throw Error(ErrorKind::kConfig, "repulsion form '" + text + "'", "expected 'textbook' or 'reference'");
}

std::string to_string(RepulsionForm form) { return form == RepulsionForm::kTextbook ? "textbook" : "reference"; }

namespace {

double checked_bandwidth(double h) {
  ESVGD_CHECK(h > 0 && std::isfinite(h), "kernel bandwidth h must be a positive finite number, got ", h);
  return h;
}

}  // namespace

Kernel::Kernel(double bandwidth) : h_(checked_bandwidth(bandwidth)) {}

torch::Tensor Kernel::prepare_anchors(const torch::Tensor&) const { return {}; }

torch::Tensor Kernel::phi_prepared(const torch::Tensor& X, const torch::Tensor& Y, const torch::Tensor& S,
                                   double temperature, const torch::Tensor&) const {
  return phi(X, Y, S, temperature);
}

std::shared_ptr<const Kernel> Kernel::with_bandwidth(double h) const {
  auto copy = clone();
  copy->h_ = checked_bandwidth(h);
  return copy;
}

}  // namespace esvgd::kernel
