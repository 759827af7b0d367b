#pragma once
/// Axis ticks: "nice" positions (1-2-5 steps times a power of ten) and their labels.
#include <string>
#include <vector>

namespace esvgd::plot {

/// Tick positions in [lo, hi] on a 1-2-5 step (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …) chosen so that the
/// count is close to `target_count` (at least 2 ticks whenever the step allows). Positions are exact
/// multiples of the step, so (0, 1, 5) gives 0, 0.2, 0.4, 0.6, 0.8, 1. Returns an empty vector when
/// lo or hi is not finite or hi < lo; lo == hi gives that single value.
std::vector<double> nice_ticks(double lo, double hi, int target_count);

/// The step nice_ticks would use: the 1-2-5 value closest (in log scale) to (hi - lo) / target_count.
double nice_step(double lo, double hi, int target_count);

/// Tick positions for a log10 axis showing values in [lo, hi] (lo > 0): the powers of ten inside the
/// range, thinned to at most `target_count`; if fewer than two fall inside, 1-2-5 multiples of them;
/// and if that is still too few, nice linear ticks. Empty when lo <= 0 or the range is not finite.
std::vector<double> log_ticks(double lo, double hi, int target_count);

/// A tick label: the text, plus an optional superscript drawn after it ("10" with "-3" for 1e-3).
struct TickLabel {
  std::string text;
  std::string superscript;
};

/// Labels for linear-axis ticks with `step` between them: as many decimals as the step needs
/// (0.2 -> "0.4", 5 -> "10"); scientific notation without trailing zeros ("2e5", "1.2e6") when the
/// largest magnitude is >= 1e5 or < 1e-3; no "-0"; a true minus sign (U+2212) for negative values.
std::vector<TickLabel> format_ticks(const std::vector<double>& ticks, double step);

/// Labels for log-axis ticks: exact powers of ten as 10 with a superscript exponent, others as numbers.
std::vector<TickLabel> format_log_ticks(const std::vector<double>& ticks);

}  // namespace esvgd::plot
