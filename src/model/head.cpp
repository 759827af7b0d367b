#include "model/head.h"

#include <algorithm>
#include <cmath>

#include <torch/types.h>

#include "esvgd/core/error.h"

namespace esvgd::model {

namespace {

torch::Tensor log1p_square(const torch::Tensor& O) { return torch::log1p(O.squeeze(1).square()); }
void log1p_square_gradient(const float* o, int64_t, float* g) { g[0] = 2 * o[0] / (1 + o[0] * o[0]); }

torch::Tensor linear(const torch::Tensor& O) { return O.squeeze(1); }
void linear_gradient(const float*, int64_t, float* g) { g[0] = 1.f; }

torch::Tensor jem(const torch::Tensor& O) { return -torch::logsumexp(O, 1); }
void jem_gradient(const float* o, int64_t C, float* g) {  // E = −logsumexp o: dE/do = −softmax(o)
  const float mx = *std::max_element(o, o + C);
  float total = 0.f;
  for (int64_t c = 0; c < C; ++c) total += (g[c] = std::exp(o[c] - mx));
  for (int64_t c = 0; c < C; ++c) g[c] = -g[c] / total;
}

const HeadEntry& entry_of(Head head) {
  for (const auto& e : head_registry())
    if (e.value == head) return e;
  throw Error(ErrorKind::kInternal, "", "energy head not registered");
}

}  // namespace

const std::vector<HeadEntry>& head_registry() {
  static const std::vector<HeadEntry> registry{
      {Head::kLog1pSquare, "log1p-square", "E = log(1 + o²): one output, energies >= 0", log1p_square, log1p_square_gradient},
      {Head::kLinear, "linear", "E = o: one output", linear, linear_gradient},
      {Head::kJem, "jem", "o are class logits: E(x) = −logsumexp o, E(x|y) = −o_y", jem, jem_gradient},
  };
  return registry;
}

torch::Tensor head_energy(Head head, const torch::Tensor& O, int64_t label) {
  return label >= 0 ? -O.select(1, label) : entry_of(head).energy(O);
}

void head_gradient(Head head, const float* o, int64_t rows, int64_t C, int64_t label, float* g) {
  if (label >= 0) {
    for (int64_t e = 0; e < rows * C; ++e) g[e] = e % C == label ? -1.f : 0.f;
    return;
  }
  const auto gradient = entry_of(head).gradient;
  for (int64_t n = 0; n < rows; ++n) gradient(o + n * C, C, g + n * C);
}

}  // namespace esvgd::model
