/// Drawing of one Axes: artists clipped to the plot box, then frame, ticks, labels and colour bar.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "axes_render.h"
#include "plot/colormap.h"
#include "layout_constants.h"
#include "text.h"

namespace esvgd::plot::detail {

namespace {

constexpr Color kBlack{0.0, 0.0, 0.0, 1.0};
constexpr Color kGridColor{0.88, 0.88, 0.88, 1.0};
constexpr double kFullCircle = 2.0 * kPi;
// matplotlib's "--" pattern, in multiples of the line width, with a floor so thin lines stay dashed.
constexpr double kDashOn = 3.7;
constexpr double kDashOff = 1.6;
constexpr double kMinDashUnit = 1.2;
constexpr double kBarFillAlpha = 0.45;
constexpr double kBarEdgeAlpha = 0.9;
constexpr double kBoxFillAlpha = 0.35;
constexpr double kMedianDarken = 0.45;  // median line: box colour scaled towards black
constexpr double kOutlierRadius = 3.0;
constexpr int kColorbarStops = 32;
constexpr double kMaxByte = 255.0;

/// Drawing order within an Axes, as matplotlib's default z-order: fills under bars under lines and
/// markers under text; artists of the same layer keep the order they were added in.
int layer_of(const Artist& a) {
  if (std::holds_alternative<ImageArtist>(a) || std::holds_alternative<ContourfArtist>(a)) return 0;
  if (std::holds_alternative<HistogramArtist>(a) || std::holds_alternative<BoxplotArtist>(a)) return 1;
  if (std::holds_alternative<TextArtist>(a)) return 3;
  return 2;
}

/// The centre of the device pixel containing v, so 1-pixel lines are not smeared over two.
double crisp(double v, double scale) { return (std::floor(v * scale) + 0.5) / scale; }

void set_dash(cairo_t* cr, bool dashed, double width) {
  if (!dashed) {
    cairo_set_dash(cr, nullptr, 0, 0.0);
    return;
  }
  const double unit = std::max(width, kMinDashUnit);
  const double pattern[2] = {kDashOn * unit, kDashOff * unit};
  cairo_set_dash(cr, pattern, 2, 0.0);
}

void stroke(cairo_t* cr, Color c, double width, bool dashed = false) {
  set_source(cr, c);
  cairo_set_line_width(cr, width);
  set_dash(cr, dashed, width);
  cairo_stroke(cr);
  set_dash(cr, false, width);
}

void draw_scatter(cairo_t* cr, const ScatterArtist& a, const AxesLayout& l) {
  for (std::size_t i = 0; i < a.x.size(); ++i) {
    const double x = l.px(a.x[i]), y = l.py(a.y[i]);
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    cairo_new_path(cr);
    cairo_arc(cr, x, y, a.radius, 0.0, kFullCircle);
    if (a.hollow) {
      stroke(cr, a.color, kHollowMarkerWidth);
    } else {
      set_source(cr, a.color);
      cairo_fill(cr);
    }
  }
}

void draw_line(cairo_t* cr, const LineArtist& a, const AxesLayout& l) {
  cairo_new_path(cr);
  bool pen_down = false;
  for (std::size_t i = 0; i < a.x.size(); ++i) {
    const double x = l.px(a.x[i]), y = l.py(a.y[i]);
    if (!std::isfinite(x) || !std::isfinite(y)) {
      pen_down = false;  // a gap, as matplotlib draws NaN
      continue;
    }
    if (pen_down) {
      cairo_line_to(cr, x, y);
    } else {
      cairo_move_to(cr, x, y);
      pen_down = true;
    }
  }
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  stroke(cr, a.color, a.width, a.dashed);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

void draw_refline(cairo_t* cr, const RefLineArtist& a, const AxesLayout& l) {
  const Box& b = l.plot;
  cairo_new_path(cr);
  if (a.horizontal) {
    const double y = l.py(a.value);
    if (!std::isfinite(y)) return;
    cairo_move_to(cr, b.x, y);
    cairo_line_to(cr, b.x + b.w, y);
  } else {
    const double x = l.px(a.value);
    if (!std::isfinite(x)) return;
    cairo_move_to(cr, x, b.y);
    cairo_line_to(cr, x, b.y + b.h);
  }
  stroke(cr, a.color, kRefLineWidth, a.dashed);
}

uint32_t argb(Color c) {
  auto byte = [](double v) { return static_cast<uint32_t>(std::lround(std::clamp(v, 0.0, 1.0) * kMaxByte)); };
  return (0xFFu << 24) | (byte(c.r) << 16) | (byte(c.g) << 8) | byte(c.b);
}

void draw_image(cairo_t* cr, const ImageArtist& a, const AxesLayout& l) {
  const int nx = a.grid.nx, ny = a.grid.ny;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, nx, ny), &cairo_surface_destroy);
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return;
  cairo_surface_flush(surface.get());
  unsigned char* pixels = cairo_image_surface_get_data(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  const double range = a.vmax - a.vmin;
  for (int j = 0; j < ny; ++j) {
    // Image rows run top to bottom; grid rows bottom to top.
    auto* row = reinterpret_cast<uint32_t*>(pixels + static_cast<std::ptrdiff_t>(ny - 1 - j) * stride);
    for (int i = 0; i < nx; ++i) {
      const double v = a.z[static_cast<std::size_t>(j) * nx + i];
      const double t = range > 0.0 ? (v - a.vmin) / range : 0.5;
      row[i] = std::isfinite(v) ? argb(colormap_color(a.cmap, t)) : 0u;  // transparent where missing
    }
  }
  cairo_surface_mark_dirty(surface.get());

  const double half_x = nx > 1 ? 0.5 * (a.grid.x1 - a.grid.x0) / (nx - 1) : 0.0;
  const double half_y = ny > 1 ? 0.5 * (a.grid.y1 - a.grid.y0) / (ny - 1) : 0.0;
  const double left = l.px(a.grid.x0 - half_x), right = l.px(a.grid.x1 + half_x);
  const double top = l.py(a.grid.y1 + half_y), bottom = l.py(a.grid.y0 - half_y);
  if (!std::isfinite(top) || !std::isfinite(bottom)) return;
  cairo_save(cr);
  cairo_translate(cr, left, top);
  cairo_scale(cr, (right - left) / nx, (bottom - top) / ny);
  cairo_set_source_surface(cr, surface.get(), 0.0, 0.0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);  // crisp cells, like imshow
  cairo_rectangle(cr, 0.0, 0.0, nx, ny);
  cairo_fill(cr);
  cairo_restore(cr);
}

/// Appends the finite points of `points` to the current path as one open polyline.
void add_polyline(cairo_t* cr, const std::vector<Point>& points, const AxesLayout& l) {
  bool first = true;
  for (const Point& p : points) {
    const double x = l.px(p.x), y = l.py(p.y);
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    if (first) {
      cairo_move_to(cr, x, y);
      first = false;
    } else {
      cairo_line_to(cr, x, y);
    }
  }
}

void add_polygon(cairo_t* cr, const std::vector<Point>& poly, const AxesLayout& l) {
  add_polyline(cr, poly, l);
  cairo_close_path(cr);
}

void draw_contourf(cairo_t* cr, const ContourfArtist& a, const AxesLayout& l) {
  // One path per layer filled with the non-zero rule: the cells' polygons merge without seams.
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
  for (std::size_t k = 0; k < a.layers.size(); ++k) {
    cairo_new_path(cr);
    for (const auto& poly : a.layers[k]) add_polygon(cr, poly, l);
    set_source(cr, a.colors[k]);
    cairo_fill(cr);
  }
}

void draw_contour(cairo_t* cr, const ContourArtist& a, const AxesLayout& l) {
  cairo_new_path(cr);
  for (const Polyline& line : a.lines) {
    add_polyline(cr, line.points, l);
    if (line.closed) cairo_close_path(cr);
  }
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  stroke(cr, a.color, a.width);
}

void draw_histogram(cairo_t* cr, const HistogramArtist& a, const AxesLayout& l) {
  const int bins = static_cast<int>(a.heights.size());
  const double width = (a.hi - a.lo) / bins;
  const double base = l.log_y ? l.plot.y + l.plot.h : l.py(0.0);  // log bars rise from the bottom edge
  for (int b = 0; b < bins; ++b) {
    const double h = a.heights[static_cast<std::size_t>(b)];
    const double top = l.py(h);
    if (!(h > 0.0) || !std::isfinite(top)) continue;
    const double x0 = l.px(a.lo + b * width), x1 = l.px(a.lo + (b + 1) * width);
    cairo_new_path(cr);
    cairo_rectangle(cr, x0, top, x1 - x0, base - top);
    set_source(cr, with_alpha(a.color, a.color.a * kBarFillAlpha));
    cairo_fill_preserve(cr);
    stroke(cr, with_alpha(a.color, a.color.a * kBarEdgeAlpha), kBarEdgeWidth);
  }
}

void draw_boxplot(cairo_t* cr, const BoxplotArtist& a, const AxesLayout& l) {
  for (std::size_t g = 0; g < a.stats.size(); ++g) {
    const BoxStats& s = a.stats[g];
    if (s.count == 0) continue;
    const Color c = a.colors[g];
    const double pos = kBoxFirstPosition + static_cast<double>(g);
    const double xl = l.px(pos - kBoxHalfWidth), xr = l.px(pos + kBoxHalfWidth), xc = l.px(pos);
    const double cap_l = l.px(pos - kBoxCapHalfWidth), cap_r = l.px(pos + kBoxCapHalfWidth);
    const double q1 = l.py(s.q1), q3 = l.py(s.q3), med = l.py(s.median);
    const double wlo = l.py(s.whisker_lo), whi = l.py(s.whisker_hi);

    cairo_new_path(cr);  // whiskers and caps
    cairo_move_to(cr, xc, q1);
    cairo_line_to(cr, xc, wlo);
    cairo_move_to(cr, cap_l, wlo);
    cairo_line_to(cr, cap_r, wlo);
    cairo_move_to(cr, xc, q3);
    cairo_line_to(cr, xc, whi);
    cairo_move_to(cr, cap_l, whi);
    cairo_line_to(cr, cap_r, whi);
    stroke(cr, c, kBoxLineWidth);

    cairo_new_path(cr);
    cairo_rectangle(cr, xl, q3, xr - xl, q1 - q3);
    set_source(cr, with_alpha(c, c.a * kBoxFillAlpha));
    cairo_fill_preserve(cr);
    stroke(cr, c, kBoxLineWidth);

    cairo_new_path(cr);
    cairo_move_to(cr, xl, med);
    cairo_line_to(cr, xr, med);
    stroke(cr, Color{c.r * kMedianDarken, c.g * kMedianDarken, c.b * kMedianDarken, c.a}, kMedianWidth);

    for (double o : s.outliers) {
      const double y = l.py(o);
      if (!std::isfinite(y)) continue;
      cairo_new_path(cr);
      cairo_arc(cr, xc, y, kOutlierRadius, 0.0, kFullCircle);
      stroke(cr, c, kHollowMarkerWidth);
    }
  }
}

void draw_text_artist(cairo_t* cr, const TextArtist& a, const AxesLayout& l) {
  const double x = l.px(a.x), y = l.py(a.y);
  if (!std::isfinite(x) || !std::isfinite(y)) return;
  draw_text(cr, x, y, a.text, TextStyle{a.size, false, a.color}, HAlign::kLeft, VAlign::kCenter);
}

void draw_artist(cairo_t* cr, const Artist& artist, const AxesLayout& l) {
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, ScatterArtist>) draw_scatter(cr, a, l);
        if constexpr (std::is_same_v<T, LineArtist>) draw_line(cr, a, l);
        if constexpr (std::is_same_v<T, RefLineArtist>) draw_refline(cr, a, l);
        if constexpr (std::is_same_v<T, ImageArtist>) draw_image(cr, a, l);
        if constexpr (std::is_same_v<T, ContourArtist>) draw_contour(cr, a, l);
        if constexpr (std::is_same_v<T, ContourfArtist>) draw_contourf(cr, a, l);
        if constexpr (std::is_same_v<T, HistogramArtist>) draw_histogram(cr, a, l);
        if constexpr (std::is_same_v<T, BoxplotArtist>) draw_boxplot(cr, a, l);
      },
      artist);
}

bool inside(double v, double a, double b) { return v >= std::min(a, b) - 1e-9 && v <= std::max(a, b) + 1e-9; }

void draw_grid(cairo_t* cr, const AxesLayout& l, double scale) {
  const Box& b = l.plot;
  cairo_new_path(cr);
  for (double t : l.xticks.positions) {
    const double x = crisp(l.px(t), scale);
    cairo_move_to(cr, x, b.y);
    cairo_line_to(cr, x, b.y + b.h);
  }
  for (double t : l.yticks.positions) {
    const double y = crisp(l.py_axis(t), scale);
    cairo_move_to(cr, b.x, y);
    cairo_line_to(cr, b.x + b.w, y);
  }
  stroke(cr, kGridColor, kGridWidth);
}

void draw_frame_and_ticks(cairo_t* cr, const AxesLayout& l, double scale) {
  const Box& b = l.plot;
  const double half = 0.5 / scale;
  cairo_new_path(cr);
  cairo_rectangle(cr, b.x + half, b.y + half, b.w - 2.0 * half, b.h - 2.0 * half);
  stroke(cr, kBlack, kFrameWidth);

  const double bottom = b.y + b.h;
  cairo_new_path(cr);
  for (double t : l.xticks.positions) {
    if (!inside(t, l.xlo, l.xhi)) continue;
    const double x = crisp(l.px(t), scale);
    cairo_move_to(cr, x, bottom);
    cairo_line_to(cr, x, bottom + kTickLength);
  }
  for (double t : l.yticks.positions) {
    if (!inside(t, l.ylo, l.yhi)) continue;
    const double y = crisp(l.py_axis(t), scale);
    cairo_move_to(cr, b.x, y);
    cairo_line_to(cr, b.x - kTickLength, y);
  }
  for (double t : l.yticks.minor) {
    const double y = crisp(l.py_axis(t), scale);
    cairo_move_to(cr, b.x, y);
    cairo_line_to(cr, b.x - kMinorTickLength, y);
  }
  stroke(cr, kBlack, kTickWidth);

  const TextStyle xstyle{l.xticks.font_size};
  const bool slanted = l.xticks.angle != 0.0;
  for (std::size_t i = 0; i < l.xticks.positions.size(); ++i) {
    if (!inside(l.xticks.positions[i], l.xlo, l.xhi)) continue;
    draw_label(cr, l.px(l.xticks.positions[i]), bottom + kTickLength + kTickPad, l.xticks.labels[i], xstyle,
               slanted ? HAlign::kRight : HAlign::kCenter, VAlign::kTop, l.xticks.angle);
  }
  const TextStyle ystyle{l.yticks.font_size};
  for (std::size_t i = 0; i < l.yticks.positions.size(); ++i) {
    if (!inside(l.yticks.positions[i], l.ylo, l.yhi)) continue;
    draw_label(cr, b.x - kTickLength - kTickPad, l.py_axis(l.yticks.positions[i]), l.yticks.labels[i], ystyle,
               HAlign::kRight, VAlign::kCenter);
  }
}

void draw_axis_labels(cairo_t* cr, const AxesData& data, const AxesLayout& l) {
  const Box& b = l.plot;
  const double cx = b.x + 0.5 * b.w;
  if (!data.title.empty()) {
    draw_text(cr, cx, b.y - kTitlePad, data.title, TextStyle{kTitleFontSize, true}, HAlign::kCenter, VAlign::kBottom);
  }
  if (!data.xlabel.empty()) {
    const double y = b.y + b.h + kTickLength + kTickPad + l.xticks.extent + kLabelPad;
    draw_text(cr, cx, y, data.xlabel, TextStyle{kLabelFontSize}, HAlign::kCenter, VAlign::kTop);
  }
  if (!data.ylabel.empty()) {
    // Rotated a quarter turn: VAlign::kBottom puts the text's descent line towards the tick labels.
    const double x = b.x - kTickLength - kTickPad - l.yticks.extent - kLabelPad;
    draw_text(cr, x, b.y + 0.5 * b.h, data.ylabel, TextStyle{kLabelFontSize}, HAlign::kCenter, VAlign::kBottom,
              0.5 * kPi);
  }
}

void draw_colorbar(cairo_t* cr, const AxesLayout& l, double scale) {
  const ImageArtist& image = *l.colorbar;
  const Box& b = l.colorbar_box;
  std::unique_ptr<cairo_pattern_t, decltype(&cairo_pattern_destroy)> gradient(
      cairo_pattern_create_linear(0.0, b.y + b.h, 0.0, b.y), &cairo_pattern_destroy);
  for (int k = 0; k <= kColorbarStops; ++k) {
    const double t = static_cast<double>(k) / kColorbarStops;
    const Color c = colormap_color(image.cmap, t);
    cairo_pattern_add_color_stop_rgb(gradient.get(), t, c.r, c.g, c.b);
  }
  cairo_new_path(cr);
  cairo_rectangle(cr, b.x, b.y, b.w, b.h);
  cairo_set_source(cr, gradient.get());
  cairo_fill(cr);
  const double half = 0.5 / scale;
  cairo_rectangle(cr, b.x + half, b.y + half, b.w - 2.0 * half, b.h - 2.0 * half);
  stroke(cr, kBlack, kFrameWidth);

  const double range = image.vmax - image.vmin;
  const TextStyle style{l.colorbar_ticks.font_size};
  const double right = b.x + b.w;
  for (std::size_t i = 0; i < l.colorbar_ticks.positions.size(); ++i) {
    const double t = range > 0.0 ? (l.colorbar_ticks.positions[i] - image.vmin) / range : 0.5;
    const double y = crisp(b.y + b.h - t * b.h, scale);
    cairo_new_path(cr);
    cairo_move_to(cr, right, y);
    cairo_line_to(cr, right + kTickLength, y);
    stroke(cr, kBlack, kTickWidth);
    draw_label(cr, right + kTickLength + kTickPad, y, l.colorbar_ticks.labels[i], style, HAlign::kLeft,
               VAlign::kCenter);
  }
}

}  // namespace

void draw_axes(cairo_t* cr, const AxesData& data, const AxesLayout& l, double scale) {
  const Box& b = l.plot;
  if (data.grid) draw_grid(cr, l, scale);

  std::vector<const Artist*> order;
  for (const Artist& a : data.artists) order.push_back(&a);
  std::stable_sort(order.begin(), order.end(),
                   [](const Artist* p, const Artist* q) { return layer_of(*p) < layer_of(*q); });

  cairo_save(cr);
  cairo_new_path(cr);
  cairo_rectangle(cr, b.x, b.y, b.w, b.h);
  cairo_clip(cr);
  for (const Artist* a : order) {
    if (!std::holds_alternative<TextArtist>(*a)) draw_artist(cr, *a, l);
  }
  cairo_restore(cr);

  draw_frame_and_ticks(cr, l, scale);
  draw_axis_labels(cr, data, l);
  if (l.colorbar) draw_colorbar(cr, l, scale);
  for (const Artist* a : order) {
    if (const auto* t = std::get_if<TextArtist>(a)) draw_text_artist(cr, *t, l);  // text is not clipped
  }
  if (data.legend) draw_legend(cr, data, l);
}

}  // namespace esvgd::plot::detail
