#pragma once
/// The statistics that box plots and histograms draw, exposed so that they can be checked by hand.
#include <cstddef>
#include <vector>

namespace esvgd::plot {

/// Tukey box-plot statistics of a sample (non-finite values are ignored).
struct BoxStats {
  std::size_t count = 0;    ///< finite values used
  double q1 = 0.0;          ///< 25th percentile
  double median = 0.0;      ///< 50th percentile
  double q3 = 0.0;          ///< 75th percentile
  double whisker_lo = 0.0;  ///< smallest value >= q1 - 1.5 IQR
  double whisker_hi = 0.0;  ///< largest value <= q3 + 1.5 IQR
  double mean = 0.0;
  std::vector<double> outliers;  ///< values outside the whiskers, ascending
};

/// The p-quantile (p in [0, 1]) of ascending `sorted` by linear interpolation between order
/// statistics (numpy's default, "type 7"): position p * (n - 1). Requires a non-empty input.
double quantile_sorted(const std::vector<double>& sorted, double p);

/// Box-plot statistics: quartiles by quantile_sorted, whiskers at the most extreme data within
/// 1.5 IQR of the box, the rest as outliers. An empty (or all non-finite) sample gives count 0 and
/// NaN statistics.
BoxStats box_stats(std::vector<double> values);

/// Histogram bar heights over `bins` equal bins on [lo, hi] (the last bin includes hi; values outside
/// and non-finite values are dropped). With `density`, heights are divided by (count in range * bin
/// width) so the bars integrate to 1, as numpy.histogram(density=True); otherwise they are counts.
/// Throws esvgd::Error for bins <= 0 or a range that is not finite with hi > lo.
std::vector<double> histogram_heights(const std::vector<double>& values, int bins, double lo, double hi, bool density);

}  // namespace esvgd::plot
