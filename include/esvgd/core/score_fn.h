#pragma once
/// esvgd::ScoreFn: the score ∇ log p of a density as a function of points X [N, D] → [N, D], the one
/// currency between targets (target/target.h), trained energy models (−∇E, model/energy_network.h) and
/// the samplers that follow it (sampler/svgd.h, sampler/langevin.h).
#include <functional>

#include <torch/types.h>

namespace esvgd {

using ScoreFn = std::function<torch::Tensor(const torch::Tensor&)>;

}  // namespace esvgd
