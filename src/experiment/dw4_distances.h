#pragma once
// The distance histogram of the Boltzmann-sampler literature for DW-4 (src/experiment/dw4.cpp).
#include <torch/types.h>

namespace esvgd::experiment {

/// All six pair distances of every configuration [N, 8], 50 bins on [0, 8) (longer distances in the
/// last bin), normalised: [50] float64.
torch::Tensor dw4_distance_histogram(const torch::Tensor& X);

/// ½ Σ_b |p_b − q_b| between the distance histograms of two sets of configurations.
double dw4_distance_tv(const torch::Tensor& A, const torch::Tensor& B);

}  // namespace esvgd::experiment
