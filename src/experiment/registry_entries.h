#pragma once
/// Constructors of the built-in experiments, one per experiment source file; registry.cpp lists them.
#include <memory>

#include "experiment/experiment.h"

namespace esvgd::experiment {

std::shared_ptr<const Experiment> make_c4_gaussians();
std::shared_ptr<const Experiment> make_circles();
std::shared_ptr<const Experiment> make_spheres();
std::shared_ptr<const Experiment> make_ablation_efficiency();
std::shared_ptr<const Experiment> make_ablation_init();
std::shared_ptr<const Experiment> make_jem_c4();
std::shared_ptr<const Experiment> make_ebm_circles();
std::shared_ptr<const Experiment> make_dw4();
std::shared_ptr<const Experiment> make_qm9();
std::shared_ptr<const Experiment> make_fashion_mnist();
std::shared_ptr<const Experiment> make_neutra();

}  // namespace esvgd::experiment
