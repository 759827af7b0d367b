#include "esvgd/core/error.h"
#include "experiment/experiment.h"
#include "experiment/registry_entries.h"

namespace esvgd::experiment {

const std::vector<std::shared_ptr<const Experiment>>& experiments() {
  static const std::vector<std::shared_ptr<const Experiment>> all{
      make_c4_gaussians(), make_circles(), make_spheres(), make_ablation_efficiency(), make_ablation_init(),
      make_jem_c4(),      make_ebm_circles(), make_dw4(),         make_qm9(),           make_fashion_mnist(), make_neutra()};
  return all;
}

const Experiment& find_experiment(const std::string& name) {
  std::string known;
  for (const auto& e : experiments()) {
    if (e->name() == name) return *e;
    known += (known.empty() ? "" : ", ") + e->name();
  }
  throw Error(ErrorKind::kConfig, "experiment '" + name + "'", "unknown experiment (known: " + known + ")");
}

nlohmann::json run_experiment(const Experiment& experiment, const core::Config& config, const RunContext& ctx) {
  try {
    return experiment.run(config, ctx);
  } catch (const Error& e) {
    throw config.in_key_terms(e);
  }
}

core::Config make_config(const Experiment& experiment, const std::string& preset) {
  core::Config config;
  experiment.declare(config);
  const auto extra = experiment.extra_presets();
  if (preset == "quick") config.merge(experiment.quick_preset(), "preset quick");
  else if (extra.count(preset)) config.merge(extra.at(preset), "preset " + preset);
  else if (preset != "paper") {
    std::string known = "paper or quick";
    for (const auto& [name, keys] : extra) known = name + ", " + known;
    throw Error(ErrorKind::kConfig, "--preset " + preset, "unknown preset for " + experiment.name() + " (expected " + known + ")");
  }
  return config;
}

}  // namespace esvgd::experiment
