/// The legend box: one row per labelled series (marker or line sample, then the label).
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "axes_render.h"
#include "layout_constants.h"
#include "text.h"

namespace esvgd::plot::detail {

namespace {

enum class Handle { kMarker, kLine, kBar };

struct Entry {
  Handle handle;
  Color color;
  std::string label;
  double width = 0.0;   // line width or marker radius
  bool dashed = false;  // lines
  bool hollow = false;  // markers
};

constexpr double kInset = 6.0;   // between the frame and the legend box
constexpr double kBoxPad = 6.0;  // inside the legend box
constexpr double kHandleLength = 22.0;
constexpr double kHandleGap = 6.0;  // between the handle and the label
constexpr double kRowGap = 3.0;
constexpr double kCornerRadius = 3.0;
constexpr double kBarHandleHeight = 0.7;  // of the row height
constexpr double kMaxMarkerRadius = 5.0;  // big markers are drawn smaller in the legend
constexpr double kEdgeWidth = 0.8;
constexpr Color kBoxFill{1.0, 1.0, 1.0, 0.85};
constexpr Color kBoxEdge{0.8, 0.8, 0.8, 1.0};
constexpr double kBarFillAlpha = 0.45;
// A shorter dash than in the plot, so that two periods fit into the handle.
constexpr double kDashOn = 3.0;
constexpr double kDashOff = 1.5;
constexpr double kMinDashUnit = 1.0;

std::vector<Entry> collect_entries(const AxesData& data) {
  std::vector<Entry> entries;
  for (const Artist& artist : data.artists) {
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, ScatterArtist>) {
            if (!a.label.empty()) entries.push_back({Handle::kMarker, a.color, a.label, a.radius, false, a.hollow});
          } else if constexpr (std::is_same_v<T, LineArtist>) {
            if (!a.label.empty()) entries.push_back({Handle::kLine, a.color, a.label, a.width, a.dashed, false});
          } else if constexpr (std::is_same_v<T, RefLineArtist>) {
            if (!a.label.empty()) entries.push_back({Handle::kLine, a.color, a.label, kRefLineWidth, a.dashed, false});
          } else if constexpr (std::is_same_v<T, HistogramArtist>) {
            if (!a.label.empty()) entries.push_back({Handle::kBar, a.color, a.label, 0.0, false, false});
          }
        },
        artist);
  }
  return entries;
}

/// How many data points (scatter and line vertices) fall inside a candidate legend box.
int points_covered(const AxesData& data, const AxesLayout& l, const Box& box) {
  int covered = 0;
  auto count = [&](const std::vector<double>& x, const std::vector<double>& y) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double px = l.px(x[i]), py = l.py(y[i]);
      if (px >= box.x && px <= box.x + box.w && py >= box.y && py <= box.y + box.h) ++covered;
    }
  };
  for (const Artist& artist : data.artists) {
    if (const auto* s = std::get_if<ScatterArtist>(&artist)) count(s->x, s->y);
    if (const auto* s = std::get_if<LineArtist>(&artist)) count(s->x, s->y);
  }
  return covered;
}

Box place(LegendLocation loc, const Box& plot, double w, double h) {
  const double left = plot.x + kInset, right = plot.x + plot.w - kInset - w;
  const double top = plot.y + kInset, bottom = plot.y + plot.h - kInset - h;
  switch (loc) {
    case LegendLocation::kUpperLeft:
      return Box{left, top, w, h};
    case LegendLocation::kLowerLeft:
      return Box{left, bottom, w, h};
    case LegendLocation::kLowerRight:
      return Box{right, bottom, w, h};
    case LegendLocation::kUpperRight:
    case LegendLocation::kBest:
      break;
  }
  return Box{right, top, w, h};
}

void draw_handle(cairo_t* cr, const Entry& e, double x, double y_mid, double row_h) {
  cairo_new_path(cr);
  set_source(cr, e.color);
  switch (e.handle) {
    case Handle::kMarker: {
      cairo_arc(cr, x + 0.5 * kHandleLength, y_mid, std::min(e.width, kMaxMarkerRadius), 0.0, 2.0 * kPi);
      if (e.hollow) {
        cairo_set_line_width(cr, kHollowMarkerWidth);
        cairo_stroke(cr);
      } else {
        cairo_fill(cr);
      }
      break;
    }
    case Handle::kLine: {
      cairo_move_to(cr, x, y_mid);
      cairo_line_to(cr, x + kHandleLength, y_mid);
      cairo_set_line_width(cr, e.width);
      if (e.dashed) {
        const double unit = std::max(e.width, kMinDashUnit);
        const double pattern[2] = {kDashOn * unit, kDashOff * unit};
        cairo_set_dash(cr, pattern, 2, 0.0);
      }
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0.0);
      break;
    }
    case Handle::kBar: {
      const double h = kBarHandleHeight * row_h;
      cairo_rectangle(cr, x, y_mid - 0.5 * h, kHandleLength, h);
      set_source(cr, with_alpha(e.color, e.color.a * kBarFillAlpha));
      cairo_fill_preserve(cr);
      set_source(cr, e.color);
      cairo_set_line_width(cr, kEdgeWidth);
      cairo_stroke(cr);
      break;
    }
  }
}

void rounded_rectangle(cairo_t* cr, const Box& b, double r) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, b.x + b.w - r, b.y + r, r, -0.5 * kPi, 0.0);
  cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0.0, 0.5 * kPi);
  cairo_arc(cr, b.x + r, b.y + b.h - r, r, 0.5 * kPi, kPi);
  cairo_arc(cr, b.x + r, b.y + r, r, kPi, 1.5 * kPi);
  cairo_close_path(cr);
}

}  // namespace

void draw_legend(cairo_t* cr, const AxesData& data, const AxesLayout& l) {
  const std::vector<Entry> entries = collect_entries(data);
  if (entries.empty()) return;
  const TextStyle style{kLegendFontSize};
  double text_w = 0.0;
  for (const Entry& e : entries) text_w = std::max(text_w, measure(cr, e.label, style).width);
  const double row_h = measure(cr, "Xg", style).height;
  const double n = static_cast<double>(entries.size());
  const double w = 2.0 * kBoxPad + kHandleLength + kHandleGap + text_w;
  const double h = 2.0 * kBoxPad + n * row_h + (n - 1.0) * kRowGap;

  Box box = place(data.legend_location, l.plot, w, h);
  if (data.legend_location == LegendLocation::kBest) {
    // The first corner (in matplotlib's order) that covers the fewest points.
    int fewest = std::numeric_limits<int>::max();
    for (LegendLocation loc : {LegendLocation::kUpperRight, LegendLocation::kUpperLeft, LegendLocation::kLowerLeft,
                               LegendLocation::kLowerRight}) {
      const Box candidate = place(loc, l.plot, w, h);
      const int covered = points_covered(data, l, candidate);
      if (covered < fewest) {
        fewest = covered;
        box = candidate;
      }
    }
  }

  cairo_new_path(cr);
  rounded_rectangle(cr, box, kCornerRadius);
  set_source(cr, kBoxFill);
  cairo_fill_preserve(cr);
  set_source(cr, kBoxEdge);
  cairo_set_line_width(cr, kEdgeWidth);
  cairo_stroke(cr);

  double y = box.y + kBoxPad;
  for (const Entry& e : entries) {
    const double y_mid = y + 0.5 * row_h;
    draw_handle(cr, e, box.x + kBoxPad, y_mid, row_h);
    draw_text(cr, box.x + kBoxPad + kHandleLength + kHandleGap, y_mid, e.label, style, HAlign::kLeft, VAlign::kCenter);
    y += row_h + kRowGap;
  }
}

}  // namespace esvgd::plot::detail
