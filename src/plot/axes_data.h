#pragma once
/// Private to the plot module: what an Axes records (one artist per drawing call) until rendering.
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "plot/colormap.h"
#include "plot/contour.h"
#include "plot/figure.h"
#include "plot/stats.h"

namespace esvgd::plot::detail {

struct ScatterArtist {
  std::vector<double> x, y;
  Color color;
  double radius;
  std::string label;
  bool hollow;
};

struct LineArtist {
  std::vector<double> x, y;
  Color color;
  double width;
  std::string label;
  bool dashed;
};

/// hline (horizontal) or vline.
struct RefLineArtist {
  bool horizontal;
  double value;
  Color color;
  std::string label;
  bool dashed;
};

struct ImageArtist {
  std::vector<double> z;
  Grid grid;
  Colormap cmap;
  bool colorbar;
  double vmin, vmax;  // finite range of z (vmin == vmax for a constant field)
};

/// Iso-lines are traced when contour() is called, so that drawing only strokes them.
struct ContourArtist {
  std::vector<Polyline> lines;
  Grid grid;
  Color color;
  double width;
};

/// Filled contours as stacked layers: layer k covers z >= level k and is painted over layer k-1, so
/// that neighbouring bands meet without a background seam.
struct ContourfArtist {
  std::vector<std::vector<std::vector<Point>>> layers;
  std::vector<Color> colors;
  Grid grid;
};

struct HistogramArtist {
  std::vector<double> heights;
  double lo, hi;
  Color color;
  std::string label;
};

struct BoxplotArtist {
  std::vector<BoxStats> stats;
  std::vector<Color> colors;
};

struct TextArtist {
  double x, y;
  std::string text;
  Color color;
  double size;
};

using Artist = std::variant<ScatterArtist, LineArtist, RefLineArtist, ImageArtist, ContourArtist, ContourfArtist,
                            HistogramArtist, BoxplotArtist, TextArtist>;

/// Everything an Axes holds; Axes::State is exactly this.
struct AxesData {
  std::string title, xlabel, ylabel;
  std::optional<std::pair<double, double>> xlim, ylim;
  bool equal_aspect = false;
  bool log_y = false;
  bool grid = false;
  bool legend = false;
  LegendLocation legend_location = LegendLocation::kUpperRight;
  /// Categorical x ticks (set_xticks or boxplot); numeric ticks when absent.
  std::optional<std::pair<std::vector<double>, std::vector<std::string>>> xticks;
  std::vector<Artist> artists;
};

}  // namespace esvgd::plot::detail

namespace esvgd::plot {
/// The private state behind Axes (complete here so that Figure can hand it to the renderer).
struct Axes::State : detail::AxesData {};
}  // namespace esvgd::plot
