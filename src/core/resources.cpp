#include "core/resources.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "esvgd/core/error.h"

namespace esvgd::core {

namespace {

std::string amount(double value, const char* unit) {
  char text[64];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.3g %s", value, unit);
  return text;
}

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

}  // namespace

double memory_limit_bytes() {
  if (const char* gb = std::getenv("ESVGD_MEMORY_LIMIT_GB")) {
    char* end = nullptr;
    const double v = std::strtod(gb, &end);
    if (end != gb && *end == '\0' && v > 0) return v * kGiB;
  }
  return static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

void require_memory(const std::string& key, double bytes, const std::string& what) {
  const double limit = memory_limit_bytes();
  if (bytes > limit)
    throw Error(ErrorKind::kConfig, "config key '" + key + "'",
                "needs about " + amount(bytes / kGiB, "GiB") + " of memory for " + what + ", more than the " +
                    amount(limit / kGiB, "GiB") + " this machine has");
}

void require_work(const std::string& key, double evaluations, const std::string& what) {
  if (evaluations > kMaxPairEvaluations)
    throw Error(ErrorKind::kConfig, "config key '" + key + "'",
                "needs about " + amount(evaluations, "pair evaluations") + " for " + what +
                    " (days of computing at 10^9 a second); reduce it");
}

}  // namespace esvgd::core
