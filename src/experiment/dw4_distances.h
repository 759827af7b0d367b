#pragma once
// The distance histogram of the Boltzmann-sampler literature for DW-4 (src/experiment/dw4.cpp).
#include <torch/types.h>

namespace esvgd::experiment {

inline constexpr int64_t kDw4DistanceBins = 50;
inline constexpr double kDw4DistanceMax = 8.0;

/// All six pair distances of every configuration [N, 8], kDw4DistanceBins bins on [0, kDw4DistanceMax)
/// (longer distances in the last bin), normalised: [kDw4DistanceBins] float64.
torch::Tensor dw4_distance_histogram(const torch::Tensor& X);

/// ½ Σ_b |p_b − q_b| between the distance histograms of two sets of configurations.
double dw4_distance_tv(const torch::Tensor& A, const torch::Tensor& B);

}  // namespace esvgd::experiment
