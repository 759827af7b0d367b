#pragma once
// A target of `esvgd run neutra` (src/experiment/neutra.cpp): the sampling problem, the starts that
// every method shares, the equivariant flow for it, and metrics beyond the sampling experiments'.
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "core/config.h"
#include "esvgd/flow/builders.h"
#include "esvgd/flow/flow.h"
#include "experiment/experiment.h"
#include "experiment/toy.h"

namespace esvgd::experiment {

struct NeutraProblem {
  std::string name;
  ToyProblem toy;
  torch::Tensor starts;  ///< [start_count(), D] in X: E-SVGD's particles; HMC in X takes the first hmc.chains
  std::function<std::shared_ptr<flow::Flow>()> equivariant_flow;
  std::string equivariant_group;  ///< what the equivariant flow commutes with
  /// Further metrics of samples [N, D] (DW-4: distances, energies, states); may be null.
  std::function<nlohmann::json(const torch::Tensor&)> extra_metrics;
};

/// DW-4 (4 particles in the plane) with a unit-precision Gaussian on P·(centre of mass), so that π is
/// normalisable; its reference samples come from a long HMC run in X (neutra.cpp's dw4.* keys).
NeutraProblem make_dw4_neutra_problem(const core::Config& config, const RunContext& ctx, at::Generator& gen);

/// Starting points of every target: max(hmc.chains, esvgd.particles) (errors name the key).
int64_t start_count(const core::Config& config);

/// FlowOptions from the flow.* keys.
flow::FlowOptions flow_options(const core::Config& config);

/// Declares the dw4.* keys.
void declare_dw4_neutra_keys(core::Config& config);

}  // namespace esvgd::experiment
