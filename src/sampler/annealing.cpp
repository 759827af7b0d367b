#include "esvgd/sampler/annealing.h"

#include <cmath>

#include "esvgd/core/error.h"

namespace esvgd::sampler {

namespace {
constexpr double kTanhRate = 1.3;  // D'Angelo & Fortuin's constant: γ ≈ 0.86 at the end of the phase
}

AnnealSchedule parse_anneal_schedule(const std::string& name) {
  if (name == "none") return AnnealSchedule::kNone;
  if (name == "cyclical") return AnnealSchedule::kCyclical;
  if (name == "tanh") return AnnealSchedule::kTanh;
  throw Error(ErrorKind::kInvalidArgument, "AnnealOptions::schedule",
              "unknown schedule '" + name + "' (expected none, cyclical or tanh)");
}

std::string to_string(AnnealSchedule schedule) {
  switch (schedule) {
    case AnnealSchedule::kNone: return "none";
    case AnnealSchedule::kCyclical: return "cyclical";
    case AnnealSchedule::kTanh: return "tanh";
  }
  return "?";
}

void check_anneal(const AnnealOptions& o) {
  if (o.schedule() == AnnealSchedule::kNone) return;
  if (o.steps() <= 0)
    throw Error(ErrorKind::kInvalidArgument, "AnnealOptions::steps",
                "must be > 0 for an annealing schedule");
  if (o.cycles() <= 0) throw Error(ErrorKind::kInvalidArgument, "AnnealOptions::cycles", "must be > 0");
  if (!(o.power() > 0)) throw Error(ErrorKind::kInvalidArgument, "AnnealOptions::power", "must be > 0");
}

double anneal_gamma(const AnnealOptions& o, int64_t step) {
  check_anneal(o);
  if (o.schedule() == AnnealSchedule::kNone || step >= o.steps()) return 1.0;
  const double t = static_cast<double>(step);
  if (o.schedule() == AnnealSchedule::kTanh) return std::tanh(std::pow(kTanhRate * t / o.steps(), o.power()));
  const double period = static_cast<double>(o.steps()) / o.cycles();
  return std::pow(std::fmod(t, period) / period, o.power());
}

}  // namespace esvgd::sampler
