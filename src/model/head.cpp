#include "model/head.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

namespace esvgd::model {

torch::Tensor head_energy(Head head, const torch::Tensor& O, int64_t label) {
  if (label >= 0) return -O.select(1, label);
  switch (head) {
    case Head::kLog1pSquare: return torch::log1p(O.squeeze(1).square());
    case Head::kLinear: return O.squeeze(1);
    case Head::kJem: return -torch::logsumexp(O, 1);
  }
  return O;
}

void head_gradient(Head head, const float* o, int64_t C, int64_t label, float* g) {
  if (label >= 0) {
    for (int64_t c = 0; c < C; ++c) g[c] = c == label ? -1.f : 0.f;
    return;
  }
  switch (head) {
    case Head::kJem: {  // E = −logsumexp o: dE/do = −softmax(o)
      const float mx = *std::max_element(o, o + C);
      float total = 0.f;
      for (int64_t c = 0; c < C; ++c) total += (g[c] = std::exp(o[c] - mx));
      for (int64_t c = 0; c < C; ++c) g[c] = -g[c] / total;
      return;
    }
    case Head::kLog1pSquare: g[0] = 2 * o[0] / (1 + o[0] * o[0]); return;  // E = log(1 + o²)
    case Head::kLinear: g[0] = 1.f; return;
  }
}

}  // namespace esvgd::model
