#include "esvgd/sampler/chain_sampler.h"

namespace esvgd::sampler {

std::string to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kMaxSteps: return "max_steps";
    case StopReason::kConverged: return "converged";
    case StopReason::kCallback: return "callback";
  }
  return "?";
}

}  // namespace esvgd::sampler
