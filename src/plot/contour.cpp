#include "plot/contour.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "esvgd/core/error.h"

namespace esvgd::plot {

double Grid::x(int i) const {
  if (nx <= 1) return x0;
  return i == nx - 1 ? x1 : x0 + i * (x1 - x0) / (nx - 1);
}

double Grid::y(int j) const {
  if (ny <= 1) return y0;
  return j == ny - 1 ? y1 : y0 + j * (y1 - y0) / (ny - 1);
}

void check_grid(const std::vector<double>& z, const Grid& grid, const char* what, int min_points) {
  ESVGD_CHECK(grid.nx >= min_points && grid.ny >= min_points, what, ": grid needs nx, ny >= ", min_points,
              ", got nx=", grid.nx, " ny=", grid.ny);
  const auto expected = static_cast<std::size_t>(grid.nx) * static_cast<std::size_t>(grid.ny);
  ESVGD_CHECK(z.size() == expected, what, ": z has ", z.size(), " values but nx*ny = ", grid.nx, "*", grid.ny, " = ",
              expected);
  ESVGD_CHECK(std::isfinite(grid.x0) && std::isfinite(grid.x1) && grid.x1 > grid.x0, what,
              ": x extent must be finite with x1 > x0, got [", grid.x0, ", ", grid.x1, "]");
  ESVGD_CHECK(std::isfinite(grid.y0) && std::isfinite(grid.y1) && grid.y1 > grid.y0, what,
              ": y extent must be finite with y1 > y0, got [", grid.y0, ", ", grid.y1, "]");
}

namespace {

/// Marching squares over one grid: cell corners are numbered counter-clockwise from the lower left
/// (c0 = (i, j), c1 = (i+1, j), c2 = (i+1, j+1), c3 = (i, j+1)); every grid edge has an id, so that the
/// crossing point a segment ends on is shared with the neighbouring cell's segment.
class Marcher {
 public:
  Marcher(const std::vector<double>& z, const Grid& grid, double level)
      : z_(z), g_(grid), level_(level), horizontal_edges_(static_cast<int64_t>(grid.nx - 1) * grid.ny) {}

  double z(int i, int j) const { return z_[static_cast<std::size_t>(j) * g_.nx + i]; }
  bool above(int i, int j) const { return z(i, j) >= level_; }
  bool finite_cell(int i, int j) const {
    return std::isfinite(z(i, j)) && std::isfinite(z(i + 1, j)) && std::isfinite(z(i + 1, j + 1)) &&
           std::isfinite(z(i, j + 1));
  }

  int64_t horizontal_edge(int i, int j) const { return static_cast<int64_t>(j) * (g_.nx - 1) + i; }
  int64_t vertical_edge(int i, int j) const { return horizontal_edges_ + static_cast<int64_t>(j) * g_.nx + i; }

  /// Where the level crosses an edge, by linear interpolation between its end values.
  Point crossing(int64_t edge) const {
    int i0, j0, i1, j1;
    if (edge < horizontal_edges_) {
      j0 = j1 = static_cast<int>(edge / (g_.nx - 1));
      i0 = static_cast<int>(edge % (g_.nx - 1));
      i1 = i0 + 1;
    } else {
      const int64_t k = edge - horizontal_edges_;
      j0 = static_cast<int>(k / g_.nx);
      i0 = i1 = static_cast<int>(k % g_.nx);
      j1 = j0 + 1;
    }
    const double za = z(i0, j0), zb = z(i1, j1);
    const double t = (level_ - za) / (zb - za);  // za != zb: the edge is only asked for when it crosses
    return Point{g_.x(i0) + t * (g_.x(i1) - g_.x(i0)), g_.y(j0) + t * (g_.y(j1) - g_.y(j0))};
  }

  /// The segments of one cell as pairs of edge ids (none, one, or two for a saddle).
  void cell_segments(int i, int j, std::vector<std::pair<int64_t, int64_t>>* out) const {
    const bool a0 = above(i, j), a1 = above(i + 1, j), a2 = above(i + 1, j + 1), a3 = above(i, j + 1);
    const int64_t e0 = horizontal_edge(i, j), e1 = vertical_edge(i + 1, j);
    const int64_t e2 = horizontal_edge(i, j + 1), e3 = vertical_edge(i, j);
    std::array<int64_t, 4> crossed{};
    int n = 0;
    if (a0 != a1) crossed[n++] = e0;
    if (a1 != a2) crossed[n++] = e1;
    if (a2 != a3) crossed[n++] = e2;
    if (a3 != a0) crossed[n++] = e3;
    if (n == 2) {
      out->emplace_back(crossed[0], crossed[1]);
    } else if (n == 4) {
      // Saddle: the centre value decides whether the diagonal c0-c2 is connected.
      const double centre = 0.25 * (z(i, j) + z(i + 1, j) + z(i + 1, j + 1) + z(i, j + 1));
      if ((centre >= level_) == a0) {
        out->emplace_back(e0, e1);  // cut off c1
        out->emplace_back(e2, e3);  // cut off c3
      } else {
        out->emplace_back(e3, e0);  // cut off c0
        out->emplace_back(e1, e2);  // cut off c2
      }
    }
  }

 private:
  const std::vector<double>& z_;
  const Grid& g_;
  double level_;
  int64_t horizontal_edges_;
};

/// Chains segments that share an edge crossing into polylines: open chains first (they start at an
/// end used by one segment), then the closed loops that remain.
std::vector<Polyline> join_segments(const Marcher& m, const std::vector<std::pair<int64_t, int64_t>>& segments) {
  constexpr int kNone = -1;
  std::unordered_map<int64_t, std::array<int, 2>> at_edge;
  at_edge.reserve(segments.size() * 2);
  for (int s = 0; s < static_cast<int>(segments.size()); ++s) {
    for (int64_t e : {segments[s].first, segments[s].second}) {
      auto it = at_edge.try_emplace(e, std::array<int, 2>{kNone, kNone}).first;
      (it->second[0] == kNone ? it->second[0] : it->second[1]) = s;
    }
  }
  std::vector<bool> used(segments.size(), false);
  std::vector<Polyline> lines;

  auto trace = [&](int first_segment, int64_t start_edge) {
    Polyline line;
    line.points.push_back(m.crossing(start_edge));
    int s = first_segment;
    int64_t edge = start_edge;
    while (s != kNone && !used[s]) {
      used[s] = true;
      edge = segments[s].first == edge ? segments[s].second : segments[s].first;
      line.points.push_back(m.crossing(edge));
      const auto& pair = at_edge.at(edge);
      s = pair[0] == s ? pair[1] : pair[0];
    }
    line.closed = edge == start_edge && line.points.size() > 2;
    if (line.closed) line.points.pop_back();  // the start point is not repeated
    lines.push_back(std::move(line));
  };

  for (const auto& [edge, pair] : at_edge) {
    if (pair[1] == kNone && !used[pair[0]]) trace(pair[0], edge);
  }
  for (int s = 0; s < static_cast<int>(segments.size()); ++s) {
    if (!used[s]) trace(s, segments[s].first);
  }
  return lines;
}

/// Appends the part of triangle (a, b, c) where the linear interpolant of (za, zb, zc) is >= level.
/// Clipping a convex polygon by one half-plane keeps it convex and keeps its orientation.
void clip_triangle(const std::array<Point, 3>& p, const std::array<double, 3>& zv, double level,
                   std::vector<std::vector<Point>>* out) {
  std::vector<Point> poly;
  for (int k = 0; k < 3; ++k) {
    const int next = (k + 1) % 3;
    const bool in_a = zv[k] >= level, in_b = zv[next] >= level;
    if (in_a) poly.push_back(p[k]);
    if (in_a != in_b) {
      const double t = (level - zv[k]) / (zv[next] - zv[k]);
      poly.push_back(Point{p[k].x + t * (p[next].x - p[k].x), p[k].y + t * (p[next].y - p[k].y)});
    }
  }
  constexpr std::size_t kMinPolygonPoints = 3;
  if (poly.size() >= kMinPolygonPoints) out->push_back(std::move(poly));
}

}  // namespace

std::vector<Polyline> contour_lines(const std::vector<double>& z, const Grid& grid, double level) {
  check_grid(z, grid, "contour");
  if (!std::isfinite(level)) return {};
  const Marcher m(z, grid, level);
  std::vector<std::pair<int64_t, int64_t>> segments;
  for (int j = 0; j + 1 < grid.ny; ++j) {
    for (int i = 0; i + 1 < grid.nx; ++i) {
      if (m.finite_cell(i, j)) m.cell_segments(i, j, &segments);
    }
  }
  return join_segments(m, segments);
}

std::vector<std::vector<Point>> region_above(const std::vector<double>& z, const Grid& grid, double level) {
  check_grid(z, grid, "contourf");
  std::vector<std::vector<Point>> polygons;
  if (std::isnan(level)) return polygons;
  const Marcher m(z, grid, level);
  for (int j = 0; j + 1 < grid.ny; ++j) {
    const double ya = grid.y(j), yb = grid.y(j + 1);
    int run_start = -1;  // first cell of the current run of cells fully above the level
    auto flush = [&](int end) {
      if (run_start < 0) return;
      const double xa = grid.x(run_start), xb = grid.x(end);
      polygons.push_back({{xa, ya}, {xb, ya}, {xb, yb}, {xa, yb}});  // counter-clockwise
      run_start = -1;
    };
    for (int i = 0; i + 1 < grid.nx; ++i) {
      if (!m.finite_cell(i, j)) {
        flush(i);
        continue;
      }
      const std::array<double, 4> zc = {m.z(i, j), m.z(i + 1, j), m.z(i + 1, j + 1), m.z(i, j + 1)};
      const bool all_above = zc[0] >= level && zc[1] >= level && zc[2] >= level && zc[3] >= level;
      if (all_above) {
        if (run_start < 0) run_start = i;
        continue;
      }
      flush(i);
      const bool all_below = zc[0] < level && zc[1] < level && zc[2] < level && zc[3] < level;
      if (all_below) continue;
      const Point c0{grid.x(i), ya}, c1{grid.x(i + 1), ya}, c2{grid.x(i + 1), yb}, c3{grid.x(i), yb};
      // Both triangles share the diagonal c0-c2 and are counter-clockwise.
      clip_triangle({c0, c1, c2}, {zc[0], zc[1], zc[2]}, level, &polygons);
      clip_triangle({c0, c2, c3}, {zc[0], zc[2], zc[3]}, level, &polygons);
    }
    flush(grid.nx - 1);
  }
  return polygons;
}

double polygon_area(const std::vector<std::vector<Point>>& polygons) {
  double twice_area = 0.0;
  for (const auto& poly : polygons) {
    for (std::size_t k = 0; k < poly.size(); ++k) {
      const Point& a = poly[k];
      const Point& b = poly[(k + 1) % poly.size()];
      twice_area += a.x * b.y - b.x * a.y;
    }
  }
  return 0.5 * twice_area;
}

}  // namespace esvgd::plot
