#pragma once
/// Private to the plot module: layout (limits, ticks, margins) and drawing of one Axes with cairo.
#include <cairo.h>

#include <vector>

#include "axes_data.h"
#include "plot/ticks.h"

namespace esvgd::plot::detail {

/// A rectangle in figure user units (pixels at scale 1), y growing downwards.
struct Box {
  double x = 0.0, y = 0.0, w = 0.0, h = 0.0;
};

struct AxisTicks {
  std::vector<double> positions;  // in axis coordinates (log10 of the value on a log axis)
  std::vector<TickLabel> labels;
  std::vector<double> minor;  // unlabelled ticks (2..9 times each decade on a log axis)
  double font_size = 0.0;
  double angle = 0.0;   // label rotation in radians (x labels only)
  double extent = 0.0;  // label block size across the axis: max height (x) or width (y)
};

struct AxesLayout {
  Box plot;
  double xlo = 0.0, xhi = 1.0, ylo = 0.0, yhi = 1.0;  // axis coordinates
  bool log_y = false;
  AxisTicks xticks, yticks;
  const ImageArtist* colorbar = nullptr;  // the image whose scale is shown, if any
  Box colorbar_box;
  AxisTicks colorbar_ticks;

  /// Axis coordinate of a y data value (log10 on a log axis; NaN where undefined).
  double ty(double y) const;
  /// Pixel column of data x.
  double px(double x) const;
  /// Pixel row of data y (a value, not an axis coordinate).
  double py(double y) const;
  /// Pixel row of an axis coordinate.
  double py_axis(double t) const;
};

/// Lays out an Axes inside `panel`; `scale` is device pixels per user unit (for pixel snapping).
AxesLayout layout_axes(cairo_t* cr, const AxesData& data, Box panel, double scale);

/// Draws an Axes as laid out.
void draw_axes(cairo_t* cr, const AxesData& data, const AxesLayout& layout, double scale);

/// Draws the legend box of an Axes (nothing when it has no labelled series).
void draw_legend(cairo_t* cr, const AxesData& data, const AxesLayout& layout);

}  // namespace esvgd::plot::detail
