#include "plot/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "esvgd/core/error.h"

namespace esvgd::plot {

namespace {
/// Tukey's fence: whiskers reach at most this many inter-quartile ranges beyond the box.
constexpr double kWhiskerIqr = 1.5;
constexpr double kLowerQuartile = 0.25;
constexpr double kMedian = 0.5;
constexpr double kUpperQuartile = 0.75;
}  // namespace

double quantile_sorted(const std::vector<double>& sorted, double p) {
  ESVGD_CHECK(!sorted.empty(), "quantile of an empty sample");
  const double pos = std::clamp(p, 0.0, 1.0) * static_cast<double>(sorted.size() - 1);
  const std::size_t i = static_cast<std::size_t>(std::floor(pos));
  if (i + 1 >= sorted.size()) return sorted.back();
  const double f = pos - static_cast<double>(i);
  return sorted[i] + f * (sorted[i + 1] - sorted[i]);
}

BoxStats box_stats(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }), values.end());
  BoxStats s;
  s.count = values.size();
  if (values.empty()) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    s.q1 = s.median = s.q3 = s.whisker_lo = s.whisker_hi = s.mean = nan;
    return s;
  }
  std::sort(values.begin(), values.end());
  s.q1 = quantile_sorted(values, kLowerQuartile);
  s.median = quantile_sorted(values, kMedian);
  s.q3 = quantile_sorted(values, kUpperQuartile);
  const double iqr = s.q3 - s.q1;
  const double fence_lo = s.q1 - kWhiskerIqr * iqr;
  const double fence_hi = s.q3 + kWhiskerIqr * iqr;
  s.whisker_lo = s.q1;
  s.whisker_hi = s.q3;
  double sum = 0.0;
  for (double v : values) {
    sum += v;
    if (v < fence_lo || v > fence_hi) {
      s.outliers.push_back(v);
    } else {
      s.whisker_lo = std::min(s.whisker_lo, v);
      s.whisker_hi = std::max(s.whisker_hi, v);
    }
  }
  s.mean = sum / static_cast<double>(values.size());
  return s;
}

std::vector<double> histogram_heights(const std::vector<double>& values, int bins, double lo, double hi, bool density) {
  ESVGD_CHECK(bins > 0, "histogram: bins must be positive, got ", bins);
  ESVGD_CHECK(std::isfinite(lo) && std::isfinite(hi) && hi > lo, "histogram: range must be finite with hi > lo, got [",
              lo, ", ", hi, "]");
  std::vector<double> heights(static_cast<std::size_t>(bins), 0.0);
  const double width = (hi - lo) / bins;
  double in_range = 0.0;
  for (double v : values) {
    if (!std::isfinite(v) || v < lo || v > hi) continue;
    const int b = std::min(static_cast<int>((v - lo) / width), bins - 1);  // hi goes to the last bin
    heights[static_cast<std::size_t>(b)] += 1.0;
    in_range += 1.0;
  }
  if (density && in_range > 0.0) {
    for (double& h : heights) h /= in_range * width;
  }
  return heights;
}

}  // namespace esvgd::plot
