#include "plot/ticks.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace esvgd::plot {

namespace {

/// Relative slack when deciding whether a multiple of the step lies inside [lo, hi]; it absorbs the
/// rounding of lo/step so that the range ends themselves become ticks.
constexpr double kInsideSlack = 1e-9;
/// Never ask for more ticks than this; more would be unreadable and costs memory.
constexpr int kMaxTargetCount = 1000;
/// How many times nice_ticks halves the step when fewer than two ticks land in the range.
constexpr int kMaxRefinements = 6;
/// Magnitudes outside [kSmallMagnitude, kLargeMagnitude) are labelled in scientific notation.
constexpr double kLargeMagnitude = 1e5;
constexpr double kSmallMagnitude = 1e-3;
constexpr std::array<double, 4> kMantissas = {1.0, 2.0, 5.0, 10.0};
constexpr const char* kMinusSign = "\u2212";

/// m * 10^e computed so that decimal steps are the doubles nearest to their decimal values
/// (3 * 0.1 would give 0.30000000000000004; 3 / 10 gives 0.3).
double scaled(double m, int e) { return e >= 0 ? m * std::pow(10.0, e) : m / std::pow(10.0, -e); }

struct Step {
  double mantissa;  // 1, 2, 5 or 10
  int exponent;
  double value() const { return scaled(mantissa, exponent); }
};

Step choose_step(double lo, double hi, int target_count) {
  const int target = std::clamp(target_count, 1, kMaxTargetCount);
  const double raw = (hi - lo) / target;
  if (!(raw > 0.0) || !std::isfinite(raw)) return Step{1.0, 0};
  const int exponent = static_cast<int>(std::floor(std::log10(raw)));
  Step best{1.0, exponent};
  double best_distance = INFINITY;
  for (double m : kMantissas) {
    const double distance = std::abs(std::log10(scaled(m, exponent) / raw));
    if (distance < best_distance) {
      best_distance = distance;
      best = Step{m, exponent};
    }
  }
  if (best.mantissa == 10.0) best = Step{1.0, exponent + 1};
  return best;
}

std::vector<double> ticks_with_step(double lo, double hi, Step step) {
  const double s = step.value();
  const double first = std::ceil(lo / s - kInsideSlack);
  const double last = std::floor(hi / s + kInsideSlack);
  std::vector<double> ticks;
  for (double k = first; k <= last; k += 1.0) {
    const double v = scaled(k * step.mantissa, step.exponent);
    ticks.push_back(v == 0.0 ? 0.0 : v);  // no -0
  }
  return ticks;
}

std::string replace_minus(std::string s) {
  if (!s.empty() && s[0] == '-') s = kMinusSign + s.substr(1);
  return s;
}

/// "2.0e+06" -> "2.0e6", "1e-05" -> "1e-5": drops the plus sign and leading exponent zeros.
std::string compact_exponent(const std::string& s) {
  const auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e);
  std::string exponent = s.substr(e + 1);
  std::string sign;
  if (!exponent.empty() && (exponent[0] == '+' || exponent[0] == '-')) {
    if (exponent[0] == '-') sign = "-";
    exponent = exponent.substr(1);
  }
  const auto nonzero = exponent.find_first_not_of('0');
  exponent = nonzero == std::string::npos ? "0" : exponent.substr(nonzero);
  return mantissa + "e" + sign + exponent;
}

/// "1.50e6" -> "1.5e6", "2.0e5" -> "2e5": scientific labels need no trailing zeros.
std::string trim_mantissa(const std::string& s) {
  const auto e = s.find('e');
  std::string mantissa = s.substr(0, e);
  const std::string rest = e == std::string::npos ? "" : s.substr(e);
  if (mantissa.find('.') != std::string::npos) {
    mantissa.erase(mantissa.find_last_not_of('0') + 1);
    if (mantissa.back() == '.') mantissa.pop_back();
  }
  return mantissa + rest;
}

std::string format_number(const char* fmt, int precision, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, precision, v);
  return buf;
}

}  // namespace

double nice_step(double lo, double hi, int target_count) { return choose_step(lo, hi, target_count).value(); }

std::vector<double> nice_ticks(double lo, double hi, int target_count) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return {};
  if (hi == lo) return {lo};
  int target = std::clamp(target_count, 1, kMaxTargetCount);
  std::vector<double> ticks = ticks_with_step(lo, hi, choose_step(lo, hi, target));
  // A narrow range can fall between two multiples of the chosen step; refine until two ticks show.
  for (int i = 0; i < kMaxRefinements && ticks.size() < 2 && target < kMaxTargetCount; ++i) {
    target = std::min(target * 2, kMaxTargetCount);
    ticks = ticks_with_step(lo, hi, choose_step(lo, hi, target));
  }
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi, int target_count) {
  if (!(lo > 0.0) || !std::isfinite(lo) || !std::isfinite(hi) || hi < lo) return {};
  const int target = std::clamp(target_count, 1, kMaxTargetCount);
  const int e_lo = static_cast<int>(std::ceil(std::log10(lo) - kInsideSlack));
  const int e_hi = static_cast<int>(std::floor(std::log10(hi) + kInsideSlack));
  std::vector<double> ticks;
  const int decades = e_hi - e_lo + 1;
  if (decades >= 2) {
    // Keep every stride-th decade, aligned to multiples of the stride so labels look regular.
    const int stride = (decades + target - 1) / target;
    for (int e = e_lo; e <= e_hi; ++e) {
      if (((e % stride) + stride) % stride == 0) ticks.push_back(scaled(1.0, e));
    }
    if (ticks.size() >= 2) return ticks;
    ticks.clear();
  }
  const int e_first = static_cast<int>(std::floor(std::log10(lo)));
  const int e_last = static_cast<int>(std::ceil(std::log10(hi)));
  for (int e = e_first; e <= e_last; ++e) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = scaled(m, e);
      if (v >= lo * (1.0 - kInsideSlack) && v <= hi * (1.0 + kInsideSlack)) ticks.push_back(v);
    }
  }
  if (ticks.size() >= 2 && static_cast<int>(ticks.size()) <= 2 * target) return ticks;
  return nice_ticks(lo, hi, target);
}

std::vector<TickLabel> format_ticks(const std::vector<double>& ticks, double step) {
  double max_abs = 0.0;
  for (double t : ticks) max_abs = std::max(max_abs, std::abs(t));
  const bool step_ok = step > 0.0 && std::isfinite(step);
  std::vector<TickLabel> labels;
  labels.reserve(ticks.size());
  const bool scientific = max_abs >= kLargeMagnitude || (max_abs > 0.0 && max_abs < kSmallMagnitude);
  for (double t : ticks) {
    if (step_ok && std::abs(t) < step * kInsideSlack) t = 0.0;
    std::string text;
    if (!step_ok) {
      text = compact_exponent(format_number("%.*g", 6, t));
    } else if (scientific && t == 0.0) {
      text = "0";
    } else if (scientific) {
      // Enough significant digits to tell neighbouring ticks apart.
      const int digits =
          static_cast<int>(std::floor(std::log10(max_abs)) - std::floor(std::log10(step) + kInsideSlack));
      text = trim_mantissa(compact_exponent(format_number("%.*e", std::max(0, digits), t)));
    } else {
      const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + kInsideSlack)));
      text = format_number("%.*f", decimals, t);
    }
    labels.push_back(TickLabel{replace_minus(text), ""});
  }
  return labels;
}

std::vector<TickLabel> format_log_ticks(const std::vector<double>& ticks) {
  std::vector<TickLabel> labels;
  labels.reserve(ticks.size());
  for (double t : ticks) {
    const double e = std::round(std::log10(t));
    if (t > 0.0 && std::abs(t - scaled(1.0, static_cast<int>(e))) <= kInsideSlack * t) {
      labels.push_back(TickLabel{"10", replace_minus(std::to_string(static_cast<int>(e)))});
    } else {
      labels.push_back(TickLabel{replace_minus(compact_exponent(format_number("%.*g", 6, t))), ""});
    }
  }
  return labels;
}

}  // namespace esvgd::plot
