#pragma once
/// Annealed SVGD (D'Angelo & Fortuin 2021): the driving term is weighted by γ(t) ∈ [0, 1],
///   cyclical: γ(t) = (mod(t, P)/P)^p with P = steps/cycles,
///   tanh:     γ(t) = tanh((1.3 t/steps)^p),
/// and γ = 1 from t = steps on (the last phase is plain SVGD).
#include <cstdint>
#include <string>

#include "esvgd/core/arg.h"

namespace esvgd::sampler {

enum class AnnealSchedule { kNone, kCyclical, kTanh };

/// "none", "cyclical" or "tanh"; another name is esvgd::Error naming AnnealOptions::schedule.
AnnealSchedule parse_anneal_schedule(const std::string& name);
std::string to_string(AnnealSchedule schedule);

struct AnnealOptions {
  ESVGD_ARG(AnnealSchedule, schedule) = AnnealSchedule::kNone;
  ESVGD_ARG(int64_t, steps) = 0;   ///< length of the annealing phase (steps)
  ESVGD_ARG(int64_t, cycles) = 1;  ///< cyclical: number of cycles C
  ESVGD_ARG(double, power) = 1.0;  ///< exponent p
};

/// γ(t) for step t (0-based); invalid options are esvgd::Error naming the option.
double anneal_gamma(const AnnealOptions& options, int64_t step);

/// Validates options (throws esvgd::Error naming the option).
void check_anneal(const AnnealOptions& options);

}  // namespace esvgd::sampler
