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

Kernel::Kernel(double bandwidth) : h_(0) { set_bandwidth(bandwidth); }

void Kernel::set_bandwidth(double h) {
  ESVGD_CHECK(h > 0 && std::isfinite(h), "kernel bandwidth h must be a positive finite number, got ", h);
  h_ = h;
}

}  // namespace esvgd::kernel
