/// Layout of one Axes: data limits, ticks and the margins their labels need.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "axes_render.h"
#include "layout_constants.h"
#include "text.h"

namespace esvgd::plot::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The range of values on one axis, with the "sticky" values (image and histogram edges) that the
/// automatic margin must not pass, as in matplotlib.
struct Extent {
  double lo = kInf, hi = -kInf;
  std::vector<double> sticky;

  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  void add_sticky(double v) {
    if (!std::isfinite(v)) return;
    add(v);
    sticky.push_back(v);
  }
  bool is_sticky(double v) const { return std::find(sticky.begin(), sticky.end(), v) != sticky.end(); }

  /// The limits: the range plus a margin, or defaults when there is no (or a single) value.
  std::pair<double, double> limits() const {
    if (lo > hi) return {kDefaultLimitLo, kDefaultLimitHi};
    if (lo == hi) {
      const double half = lo != 0.0 ? std::abs(lo) * kSingularHalfWidth : kSingularHalfWidthAtZero;
      return {lo - half, hi + half};
    }
    const double margin = kAutoMargin * (hi - lo);
    return {is_sticky(lo) ? lo : lo - margin, is_sticky(hi) ? hi : hi + margin};
  }
};

/// Cell edges of an image along one axis: a cell is centred on each grid point.
std::pair<double, double> cell_edges(double a, double b, int n) {
  if (n <= 1) return {a, b};
  const double half = 0.5 * (b - a) / (n - 1);
  return {a - half, b + half};
}

void collect_extents(const AxesData& data, const AxesLayout& map, Extent* ex, Extent* ey) {
  for (const Artist& artist : data.artists) {
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, ScatterArtist> || std::is_same_v<T, LineArtist>) {
            for (std::size_t i = 0; i < a.x.size(); ++i) {
              const double t = map.ty(a.y[i]);
              if (!std::isfinite(a.x[i]) || !std::isfinite(t)) continue;
              ex->add(a.x[i]);
              ey->add(t);
            }
          } else if constexpr (std::is_same_v<T, RefLineArtist>) {
            if (a.horizontal) {
              ey->add(map.ty(a.value));
            } else {
              ex->add(a.value);
            }
          } else if constexpr (std::is_same_v<T, ImageArtist>) {
            const auto [xa, xb] = cell_edges(a.grid.x0, a.grid.x1, a.grid.nx);
            const auto [ya, yb] = cell_edges(a.grid.y0, a.grid.y1, a.grid.ny);
            ex->add_sticky(xa);
            ex->add_sticky(xb);
            ey->add_sticky(map.ty(ya));
            ey->add_sticky(map.ty(yb));
          } else if constexpr (std::is_same_v<T, ContourArtist> || std::is_same_v<T, ContourfArtist>) {
            ex->add_sticky(a.grid.x0);
            ex->add_sticky(a.grid.x1);
            ey->add_sticky(map.ty(a.grid.y0));
            ey->add_sticky(map.ty(a.grid.y1));
          } else if constexpr (std::is_same_v<T, HistogramArtist>) {
            ex->add_sticky(a.lo);
            ex->add_sticky(a.hi);
            if (!map.log_y) ey->add_sticky(0.0);
            for (double h : a.heights) {
              if (h > 0.0) ey->add(map.ty(h));
            }
          } else if constexpr (std::is_same_v<T, BoxplotArtist>) {
            if (a.stats.empty()) return;
            ex->add_sticky(kBoxFirstPosition - kBoxSlotHalfWidth);
            ex->add_sticky(static_cast<double>(a.stats.size()) + kBoxSlotHalfWidth);
            for (const BoxStats& s : a.stats) {
              ey->add(map.ty(s.whisker_lo));
              ey->add(map.ty(s.whisker_hi));
              for (double o : s.outliers) ey->add(map.ty(o));
            }
          }
          // Text does not take part in autoscaling (as in matplotlib).
        },
        artist);
  }
}

int target_count(double length, double spacing) {
  return std::clamp(static_cast<int>(std::lround(length / spacing)), kMinTickTarget, kMaxTickTarget);
}

double max_width(cairo_t* cr, const std::vector<TickLabel>& labels, const TextStyle& style) {
  double w = 0.0;
  for (const auto& label : labels) w = std::max(w, measure(cr, label, style).width);
  return w;
}

/// Numeric ticks in [lo, hi] with their labels. The step for the labels is read off the ticks, since
/// nice_ticks may refine it for narrow ranges; a single tick has no step and gets a general format.
void numeric_ticks(double lo, double hi, int target, AxisTicks* out) {
  out->positions = nice_ticks(lo, hi, target);
  const double step = out->positions.size() >= 2 ? out->positions[1] - out->positions[0] : 0.0;
  out->labels = format_ticks(out->positions, step);
}

/// Whether neighbouring x labels (centred on their ticks, unrotated) keep a readable gap.
bool x_labels_fit(cairo_t* cr, const AxisTicks& t, const AxesLayout& l) {
  const TextStyle style{t.font_size};
  for (std::size_t i = 0; i + 1 < t.positions.size(); ++i) {
    const double gap = std::abs(l.px(t.positions[i + 1]) - l.px(t.positions[i]));
    const double half_widths =
        0.5 * (measure(cr, t.labels[i], style).width + measure(cr, t.labels[i + 1], style).width);
    if (gap - half_widths < kMinLabelGap) return false;
  }
  return true;
}

AxisTicks make_x_ticks(cairo_t* cr, const AxesData& data, const AxesLayout& l) {
  AxisTicks t;
  t.font_size = kTickFontSize;
  if (data.xticks) {
    const auto& [positions, names] = *data.xticks;
    for (std::size_t i = 0; i < positions.size(); ++i) {
      if (positions[i] >= l.xlo && positions[i] <= l.xhi) {
        t.positions.push_back(positions[i]);
        t.labels.push_back(TickLabel{names[i], ""});
      }
    }
    // Categorical labels cannot be thinned: shrink them, then slant them.
    while (!x_labels_fit(cr, t, l) && t.font_size > kMinTickFontSize) t.font_size -= 1.0;
    if (!x_labels_fit(cr, t, l)) {
      t.font_size = kTickFontSize;
      t.angle = kSlantedLabelAngle;
    }
  } else {
    int target = target_count(l.plot.w, kXTickSpacing);
    numeric_ticks(l.xlo, l.xhi, target, &t);
    while (!x_labels_fit(cr, t, l) && target > 1) numeric_ticks(l.xlo, l.xhi, --target, &t);
  }
  const TextStyle style{t.font_size};
  for (const auto& label : t.labels) {
    t.extent = std::max(t.extent, rotated_size(measure(cr, label, style), t.angle).height);
  }
  if (t.labels.empty()) t.extent = measure(cr, "0", style).height;  // keep the margin stable
  return t;
}

AxisTicks make_y_ticks(cairo_t* cr, const AxesLayout& l) {
  AxisTicks t;
  t.font_size = kTickFontSize;
  const int target = target_count(l.plot.h, kYTickSpacing);
  if (l.log_y) {
    const std::vector<double> values = log_ticks(std::pow(10.0, l.ylo), std::pow(10.0, l.yhi), target);
    for (double v : values) t.positions.push_back(std::log10(v));
    t.labels = format_log_ticks(values);
    if (l.yhi - l.ylo <= kMaxMinorTickDecades) {
      constexpr int kFirstMinor = 2, kLastMinor = 9;
      for (int e = static_cast<int>(std::floor(l.ylo)); e <= static_cast<int>(std::ceil(l.yhi)); ++e) {
        for (int m = kFirstMinor; m <= kLastMinor; ++m) {
          const double p = e + std::log10(static_cast<double>(m));
          if (p >= l.ylo && p <= l.yhi) t.minor.push_back(p);
        }
      }
    }
  } else {
    numeric_ticks(l.ylo, l.yhi, target, &t);
  }
  t.extent = max_width(cr, t.labels, TextStyle{t.font_size});
  return t;
}

AxisTicks make_colorbar_ticks(cairo_t* cr, const ImageArtist& image, double height) {
  AxisTicks t;
  t.font_size = kTickFontSize;
  if (image.vmin <= image.vmax) numeric_ticks(image.vmin, image.vmax, target_count(height, kYTickSpacing), &t);
  t.extent = max_width(cr, t.labels, TextStyle{t.font_size});
  return t;
}

double snap(double v, double scale) { return std::round(v * scale) / scale; }

}  // namespace

double AxesLayout::ty(double y) const {
  if (!log_y) return y;
  return y > 0.0 ? std::log10(y) : std::numeric_limits<double>::quiet_NaN();
}

double AxesLayout::px(double x) const { return plot.x + (x - xlo) / (xhi - xlo) * plot.w; }
double AxesLayout::py(double y) const { return py_axis(ty(y)); }
double AxesLayout::py_axis(double t) const { return plot.y + plot.h - (t - ylo) / (yhi - ylo) * plot.h; }

namespace {

void set_limits(const AxesData& data, AxesLayout& l) {
  Extent ex, ey;
  collect_extents(data, l, &ex, &ey);
  std::tie(l.xlo, l.xhi) = data.xlim ? *data.xlim : ex.limits();
  if (data.ylim) {
    l.ylo = l.ty(data.ylim->first);
    l.yhi = l.ty(data.ylim->second);
  } else {
    std::tie(l.ylo, l.yhi) = ey.limits();
  }
}

struct Margins {
  double left, right, top, bottom;
};

// The plot box inside the panel; with equal_aspect one data unit gets the same number of pixels on
// both axes, and the box shrinks and is centred.
Box place_plot(Box panel, const Margins& m, bool equal_aspect, const AxesLayout& l) {
  Box b{panel.x + m.left, panel.y + m.top, std::max(kMinPlotSize, panel.w - m.left - m.right),
        std::max(kMinPlotSize, panel.h - m.top - m.bottom)};
  if (!equal_aspect) return b;
  const double per_unit = std::min(b.w / (l.xhi - l.xlo), b.h / (l.yhi - l.ylo));
  const double w = per_unit * (l.xhi - l.xlo), h = per_unit * (l.yhi - l.ylo);
  b.x += 0.5 * (b.w - w);
  b.y += 0.5 * (b.h - h);
  b.w = w;
  b.h = h;
  return b;
}

// The outermost x labels stick out of the plot box: widen the margins to keep them inside the panel.
void fit_x_labels(cairo_t* cr, const AxesLayout& l, Margins& m) {
  const TextStyle xstyle{l.xticks.font_size};
  for (std::size_t i = 0; i < l.xticks.positions.size(); ++i) {
    const double w = measure(cr, l.xticks.labels[i], xstyle).width;
    const double pos = l.px(l.xticks.positions[i]) - l.plot.x;  // from the box's left edge
    const double reach_left = l.xticks.angle != 0.0 ? w * std::cos(l.xticks.angle) : 0.5 * w;
    const double reach_right = l.xticks.angle != 0.0 ? 0.0 : 0.5 * w;
    m.left = std::max(m.left, kLabelOverhangPad + reach_left - pos);
    m.right = std::max(m.right, kLabelOverhangPad + reach_right - (l.plot.w - pos));
  }
}

// Whole device pixels for the boxes, so that the frame is crisp.
void snap_boxes(AxesLayout& l, double scale) {
  const double x0 = snap(l.plot.x, scale), y0 = snap(l.plot.y, scale);
  l.plot = Box{x0, y0, snap(l.plot.x + l.plot.w, scale) - x0, snap(l.plot.y + l.plot.h, scale) - y0};
  if (l.colorbar) {
    l.colorbar_box = Box{snap(l.plot.x + l.plot.w + kColorbarGap, scale), l.plot.y, kColorbarWidth, l.plot.h};
  }
}

}  // namespace

AxesLayout layout_axes(cairo_t* cr, const AxesData& data, Box panel, double scale) {
  AxesLayout l;
  l.log_y = data.log_y;
  set_limits(data, l);
  for (const Artist& artist : data.artists) {
    if (const auto* image = std::get_if<ImageArtist>(&artist); image && image->colorbar) l.colorbar = image;
  }

  const double tick_h = measure(cr, "0", TextStyle{kTickFontSize}).height;
  const double label_h = measure(cr, "Xg", TextStyle{kLabelFontSize}).height;
  const double title_h = measure(cr, "Xg", TextStyle{kTitleFontSize, true}).height;
  const double xlabel_block = data.xlabel.empty() ? 0.0 : kLabelPad + label_h;
  const double ylabel_block = data.ylabel.empty() ? 0.0 : kLabelPad + label_h;

  // Margins depend on tick labels, whose choice depends on the plot size: iterate to a fixed point.
  Margins m{kPanelPad + ylabel_block + kTickLength + kTickPad + kInitialTickLabelWidth, kPanelPad,
            kPanelPad + (data.title.empty() ? 0.0 : title_h + kTitlePad),
            kPanelPad + xlabel_block + kTickLength + kTickPad + tick_h};
  for (int pass = 0; pass < kLayoutPasses; ++pass) {
    l.plot = place_plot(panel, m, data.equal_aspect, l);
    l.yticks = make_y_ticks(cr, l);
    l.xticks = make_x_ticks(cr, data, l);
    m.left = kPanelPad + ylabel_block + l.yticks.extent + kTickPad + kTickLength;
    m.right = kPanelPad;
    if (l.colorbar) {
      l.colorbar_ticks = make_colorbar_ticks(cr, *l.colorbar, l.plot.h);
      m.right += kColorbarGap + kColorbarWidth + kTickLength + kTickPad + l.colorbar_ticks.extent;
    }
    fit_x_labels(cr, l, m);
    m.bottom = kPanelPad + xlabel_block + kTickLength + kTickPad + l.xticks.extent;
  }
  l.plot = place_plot(panel, m, data.equal_aspect, l);
  snap_boxes(l, scale);
  return l;
}

}  // namespace esvgd::plot::detail
