#pragma once
/// Figures for papers, drawn with cairo and saved as PNG: a grid of panels (Axes), each with a
/// frame, 1-2-5 ticks, labels and a title, holding scatters, lines, images, contours, histograms and
/// box plots, in the spirit of matplotlib.
///
/// Axes only record what is asked for (inputs are checked at the call); layout and drawing happen in
/// Figure::save_png. Sizes are in pixels of the saved PNG (times Figure::set_scale); font sizes too,
/// so "10 pt" text is 10 px tall at scale 1. Non-finite values are skipped everywhere, and an Axes
/// without data draws as an empty frame with limits [0, 1].
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "plot/colormap.h"
#include "plot/stats.h"
#include "plot/ticks.h"

namespace esvgd::plot {

/// Where the legend box goes; kBest picks the corner covering the fewest data points.
enum class LegendLocation { kUpperRight, kUpperLeft, kLowerLeft, kLowerRight, kBest };

class Figure;

/// One panel of a Figure. Obtain it with Figure::axes; it stays valid as long as its Figure.
class Axes {
 public:
  /// An empty panel; normally created by Figure.
  Axes();
  /// Defined where the private state is complete.
  ~Axes();
  /// Axes move (a Figure keeps them in a vector) but do not copy: what they record can be large.
  Axes(Axes&&) noexcept;
  /// See the move constructor.
  Axes& operator=(Axes&&) noexcept;
  Axes(const Axes&) = delete;
  Axes& operator=(const Axes&) = delete;

  /// Title drawn centred above the panel.
  void set_title(const std::string& title);
  /// Label drawn below the x tick labels.
  void set_xlabel(const std::string& label);
  /// Label drawn, rotated, left of the y tick labels.
  void set_ylabel(const std::string& label);
  /// Fixes the x range (default: the data range plus 5% on each side). Requires finite lo < hi.
  void set_xlim(double lo, double hi);
  /// Fixes the y range (default: the data range plus 5% on each side). Requires finite lo < hi, and
  /// lo > 0 on a log axis.
  void set_ylim(double lo, double hi);
  /// With `on`, one data unit spans as many pixels on x as on y; the plot box shrinks (and is
  /// centred) to keep the limits.
  void set_equal_aspect(bool on);
  /// A log10 y axis; values <= 0 are skipped.
  void set_log_y(bool on);
  /// Light grey grid lines at the major ticks.
  void set_grid(bool on);
  /// Fixed x ticks with text labels (as box plots use); positions and labels must have equal sizes.
  void set_xticks(const std::vector<double>& positions, const std::vector<std::string>& labels);

  /// Filled (or, with `hollow`, outlined) circles at (x[i], y[i]); x and y must have equal sizes.
  void scatter(const std::vector<double>& x, const std::vector<double>& y, Color c, double radius_px = 3.0,
               const std::string& label = "", bool hollow = false);
  /// A polyline through (x[i], y[i]); a non-finite point breaks it. x and y must have equal sizes.
  void line(const std::vector<double>& x, const std::vector<double>& y, Color c, double width_px = 1.5,
            const std::string& label = "", bool dashed = false);
  /// A horizontal reference line across the whole panel at y.
  void hline(double y, Color c, const std::string& label = "", bool dashed = true);
  /// A vertical reference line across the whole panel at x.
  void vline(double x, Color c, const std::string& label = "", bool dashed = true);
  /// A heatmap of z, row-major [ny][nx], sampled at x = linspace(x0, x1, nx), y = linspace(y0, y1, ny):
  /// each sample fills a cell centred on its grid point (a single column or row spans [x0, x1] or
  /// [y0, y1]), coloured by `cmap` over [min z, max z]; non-finite samples stay transparent.
  /// With `colorbar`, a colour scale is drawn right of the panel. Assumes a linear y axis.
  void image(const std::vector<double>& z, int nx, int ny, double x0, double x1, double y0, double y1,
             Colormap cmap = Colormap::kViridis, bool colorbar = false);
  /// Iso-lines of z (grid as in image, nx, ny >= 2) at each of `levels`, by marching squares.
  void contour(const std::vector<double>& z, int nx, int ny, double x0, double x1, double y0, double y1,
               const std::vector<double>& levels, Color c, double width_px = 1.0);
  /// Filled contours of z (grid as in image, nx, ny >= 2): n_levels equal bands over [min z, max z]
  /// in light tints of `cmap`, a quiet background for densities (kBlues or kGreys keep low density
  /// near white).
  void contourf(const std::vector<double>& z, int nx, int ny, double x0, double x1, double y0, double y1, int n_levels,
                Colormap cmap);
  /// A histogram of `values` over `bins` equal bins on [lo, hi] as translucent bars; heights as in
  /// histogram_heights (a density by default). Requires bins > 0 and finite lo < hi.
  void histogram(const std::vector<double>& values, int bins, double lo, double hi, Color c,
                 const std::string& label = "", bool density = true);
  /// One box per group at x = 1, 2, ...: quartile box, median line, whiskers at 1.5 IQR and hollow
  /// outliers (see box_stats). `labels` name the groups on the x axis (empty: "1", "2", ...);
  /// `colors` tint the boxes (empty: the palette). Both must be empty or match groups in size.
  void boxplot(const std::vector<std::vector<double>>& groups, const std::vector<std::string>& labels,
               const std::vector<Color>& colors = {});
  /// Text with its left end at data point (x, y), vertically centred there; not clipped.
  void text(double x, double y, const std::string& s, Color c = {0, 0, 0}, double size_pt = 10);
  /// A legend with one entry per labelled series, in the order they were added (default top-right).
  void legend(bool on = true, LegendLocation location = LegendLocation::kUpperRight);

 private:
  friend class Figure;
  struct State;
  std::unique_ptr<State> state_;
};

/// A grid of rows x cols panels of panel_width_px x panel_height_px each (plus a band on top for the
/// suptitle when one is set), on a white background.
class Figure {
 public:
  /// Requires rows, cols > 0 and positive finite panel sizes.
  Figure(int rows, int cols, double panel_width_px = 360, double panel_height_px = 320);
  /// Releases the panels.
  ~Figure();
  /// Figures move; references from axes() stay valid, since the panels themselves do not move.
  Figure(Figure&&) noexcept;
  /// See the move constructor.
  Figure& operator=(Figure&&) noexcept;

  /// The panel at (row, col), 0-based; throws esvgd::Error when out of range.
  Axes& axes(int row, int col);
  /// Read-only access to the panel at (row, col).
  const Axes& axes(int row, int col) const;
  /// Number of panel rows.
  int rows() const { return rows_; }
  /// Number of panel columns.
  int cols() const { return cols_; }

  /// A title centred above all panels (matplotlib's suptitle); adds a band on top of the figure.
  void set_title(const std::string& title);
  /// Pixels per layout unit (default 1): 2 renders the same figure at twice the resolution.
  /// Requires a positive finite value.
  void set_scale(double scale);

  /// Width of the saved PNG in pixels: round(cols * panel_width_px * scale).
  int width_px() const;
  /// Height of the saved PNG in pixels: round((rows * panel_height_px + suptitle band) * scale).
  int height_px() const;

  /// Where data point (x, y) of panel (row, col) lands in the PNG, in pixels from its top-left
  /// corner (after layout, so with the limits and plot box that save_png would use).
  std::pair<double, double> pixel_of(int row, int col, double x, double y) const;

  /// Renders the figure and writes it to `os` as PNG; throws esvgd::Error(kIo) if cairo fails.
  void write_png(std::ostream& os) const;
  /// Renders the figure to `path` atomically (a temporary sibling, then rename); on failure throws
  /// esvgd::Error(kIo) naming the path and leaves no temporary file behind.
  void save_png(const std::string& path) const;

 private:
  double layout_height() const;
  const Axes& checked_axes(int row, int col) const;

  int rows_;
  int cols_;
  double panel_width_;
  double panel_height_;
  double scale_ = 1.0;
  std::string title_;
  std::vector<Axes> axes_;
};

}  // namespace esvgd::plot
