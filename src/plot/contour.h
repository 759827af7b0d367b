#pragma once
/// Contouring of a scalar field sampled on a regular grid: iso-lines by marching squares, and the
/// region above a level as polygons (for filled contours).
#include <vector>

namespace esvgd::plot {

/// A point in data coordinates.
struct Point {
  double x = 0.0, y = 0.0;
};

/// A connected piece of an iso-line; `closed` when its last point joins its first.
struct Polyline {
  std::vector<Point> points;
  bool closed = false;
};

/// A regular grid for a row-major field z[j * nx + i] sampled at x = linspace(x0, x1, nx)[i],
/// y = linspace(y0, y1, ny)[j].
struct Grid {
  int nx = 0, ny = 0;
  double x0 = 0.0, x1 = 1.0, y0 = 0.0, y1 = 1.0;
  /// The x coordinate of column i.
  double x(int i) const;
  /// The y coordinate of row j.
  double y(int j) const;
};

/// Checks a field on the grid: nx, ny >= min_points, z.size() == nx * ny, finite extents with
/// x1 > x0 and y1 > y0. Throws esvgd::Error whose message starts with `what` (the caller) otherwise.
void check_grid(const std::vector<double>& z, const Grid& grid, const char* what, int min_points = 2);

/// The iso-line z = level by marching squares with linear interpolation along cell edges; saddle
/// cells are resolved by the cell-centre average. Segments are joined into polylines. Cells with a
/// non-finite corner are skipped (lines end there).
std::vector<Polyline> contour_lines(const std::vector<double>& z, const Grid& grid, double level);

/// The region z >= level of the piecewise-linear interpolant (each cell split into two triangles)
/// as polygons with a common orientation, so that filling them together with the non-zero rule
/// gives the union without seams. Runs of cells fully above the level are merged into one rectangle.
/// Cells with a non-finite corner are left out.
std::vector<std::vector<Point>> region_above(const std::vector<double>& z, const Grid& grid, double level);

/// The total area of polygons (shoelace formula; counter-clockwise counts positive).
double polygon_area(const std::vector<std::vector<Point>>& polygons);

}  // namespace esvgd::plot
