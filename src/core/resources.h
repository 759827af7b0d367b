#pragma once
/// Fail-fast size checks: settings that need more memory than this machine has, or more pair
/// evaluations than days of computing, are refused before anything is allocated, with one line
/// naming the config key and the estimate. Estimates are in doubles, so no size overflows them.
#include <string>

namespace esvgd::core {

/// The memory a run may use: this machine's physical memory, or $ESVGD_MEMORY_LIMIT_GB when set.
double memory_limit_bytes();

/// Throws esvgd::Error(kConfig) naming config key `key` when `bytes` exceed memory_limit_bytes();
/// `what` says what the memory is for ("the particles and their SVGD buffers").
void require_memory(const std::string& key, double bytes, const std::string& what);

/// Pair evaluations beyond which a run is refused: about a day at 10^9 evaluations per second.
constexpr double kMaxPairEvaluations = 1e14;

/// Throws esvgd::Error(kConfig) naming `key` when `evaluations` exceed kMaxPairEvaluations.
void require_work(const std::string& key, double evaluations, const std::string& what);

}  // namespace esvgd::core
