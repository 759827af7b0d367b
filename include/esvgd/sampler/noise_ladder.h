#pragma once
/// The noise ladder of a noise-conditional energy E(x, σ), the energy of the data smoothed by
/// N(0, σ² I) (denoising score matching; docs/method.md, "QM9: a noise-conditional energy"): L levels
///
///   σ_l = σ_max (σ_min / σ_max)^((l − 1)/(L − 1)),   l = 1 … L,
///
/// geometric from the largest to the smallest. Training perturbs each data row at a level drawn
/// uniformly; annealed sampling runs the chains at each level in turn, largest first, with the step
/// ε (σ_l / σ_L)² (Song & Ermon 2019), so that the chains cross the wide, smooth levels in long
/// steps and settle in the sharp ones in short steps.
#include <cstdint>
#include <vector>

#include "esvgd/core/arg.h"

namespace esvgd::sampler {

struct NoiseLadder {
  ESVGD_ARG(double, max) = 2.0;      ///< σ_1
  ESVGD_ARG(double, min) = 0.02;     ///< σ_L
  ESVGD_ARG(int64_t, levels) = 20;   ///< L >= 2
};

/// Throws esvgd::Error(kInvalidArgument) naming the option ("NoiseLadder::min", ...) unless
/// max > min > 0 (both finite) and levels >= 2.
void check_noise_ladder(const NoiseLadder& ladder);
/// σ_1 > … > σ_L (checked first).
std::vector<double> noise_levels(const NoiseLadder& ladder);

}  // namespace esvgd::sampler
