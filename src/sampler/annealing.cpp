#include "esvgd/sampler/annealing.h"

#include <cmath>

#include "esvgd/core/error.h"

namespace esvgd::sampler {

namespace {
constexpr double kTanhRate = 1.3;  // D'Angelo & Fortuin's constant: γ ≈ 0.86 at the end of the phase
}

void check_anneal(const AnnealOptions& o) {
  if (o.schedule == "none") return;
  if (o.schedule != "cyclical" && o.schedule != "tanh")
    throw Error(ErrorKind::kConfig, "svgd.anneal.schedule", "unknown schedule '" + o.schedule + "' (expected none, cyclical or tanh)");
  if (o.steps <= 0) throw Error(ErrorKind::kConfig, "svgd.anneal.steps", "must be > 0 for an annealing schedule");
  if (o.cycles <= 0) throw Error(ErrorKind::kConfig, "svgd.anneal.cycles", "must be > 0");
  if (!(o.power > 0)) throw Error(ErrorKind::kConfig, "svgd.anneal.power", "must be > 0");
}

double anneal_gamma(const AnnealOptions& o, int64_t step) {
  check_anneal(o);
  if (o.schedule == "none" || step >= o.steps) return 1.0;
  const double t = static_cast<double>(step);
  if (o.schedule == "tanh") return std::tanh(std::pow(kTanhRate * t / o.steps, o.power));
  const double period = static_cast<double>(o.steps) / o.cycles;
  return std::pow(std::fmod(t, period) / period, o.power);
}

}  // namespace esvgd::sampler
