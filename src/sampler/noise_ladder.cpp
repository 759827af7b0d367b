#include "esvgd/sampler/noise_ladder.h"

#include <cmath>

#include "esvgd/core/error.h"

namespace esvgd::sampler {

void check_noise_ladder(const NoiseLadder& l) {
  if (!(l.min() > 0) || !std::isfinite(l.min()))
    throw Error(ErrorKind::kInvalidArgument, "NoiseLadder::min", "must be a positive finite number");
  if (!(l.max() > l.min()) || !std::isfinite(l.max()))
    throw Error(ErrorKind::kInvalidArgument, "NoiseLadder::max", "must be a finite number > NoiseLadder::min");
  if (l.levels() < 2) throw Error(ErrorKind::kInvalidArgument, "NoiseLadder::levels", "must be >= 2");
}

std::vector<double> noise_levels(const NoiseLadder& l) {
  check_noise_ladder(l);
  std::vector<double> sigmas(static_cast<size_t>(l.levels()));
  const double ratio = std::log(l.min() / l.max()) / static_cast<double>(l.levels() - 1);
  for (size_t k = 0; k < sigmas.size(); ++k) sigmas[k] = l.max() * std::exp(ratio * static_cast<double>(k));
  sigmas.back() = l.min();  // exactly, whatever the rounding of exp
  return sigmas;
}

}  // namespace esvgd::sampler
