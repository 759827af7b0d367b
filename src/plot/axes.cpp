/// Axes: checks each drawing call's input and records it as an artist (drawn in axes_render.cpp).
#include <algorithm>
#include <cmath>
#include <limits>

#include "axes_data.h"
#include "esvgd/core/error.h"
#include "plot/figure.h"

namespace esvgd::plot {

namespace {

/// Filled contours are tinted towards white and use the lower part of the colormap, so that markers
/// drawn on top stay visible even over the densest band.
constexpr double kContourfLighten = 0.2;
constexpr double kContourfMaxT = 0.8;
constexpr double kMidColormap = 0.5;

void check_positive(double v, const char* what, const char* name) {
  ESVGD_CHECK(std::isfinite(v) && v > 0.0, what, ": ", name, " must be positive and finite, got ", v);
}

void check_range(double lo, double hi, const char* what) {
  ESVGD_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo < hi, what, ": need finite lo < hi, got [", lo, ", ", hi,
              "]");
}

std::pair<double, double> finite_range(const std::vector<double>& z) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (double v : z) {
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

}  // namespace

Axes::Axes() : state_(std::make_unique<State>()) {}
Axes::~Axes() = default;
Axes::Axes(Axes&&) noexcept = default;
Axes& Axes::operator=(Axes&&) noexcept = default;

void Axes::set_title(const std::string& title) { state_->title = title; }
void Axes::set_xlabel(const std::string& label) { state_->xlabel = label; }
void Axes::set_ylabel(const std::string& label) { state_->ylabel = label; }

void Axes::set_xlim(double lo, double hi) {
  check_range(lo, hi, "set_xlim");
  state_->xlim = std::make_pair(lo, hi);
}

void Axes::set_ylim(double lo, double hi) {
  check_range(lo, hi, "set_ylim");
  ESVGD_CHECK(!state_->log_y || lo > 0.0, "set_ylim: a log y axis needs lo > 0, got ", lo);
  state_->ylim = std::make_pair(lo, hi);
}

void Axes::set_equal_aspect(bool on) { state_->equal_aspect = on; }

void Axes::set_log_y(bool on) {
  ESVGD_CHECK(
      !on || !state_->ylim || state_->ylim->first > 0.0,
      "set_log_y: the y limits set earlier include values <= 0 (lo = ", state_->ylim ? state_->ylim->first : 0.0, ")");
  state_->log_y = on;
}

void Axes::set_grid(bool on) { state_->grid = on; }

void Axes::set_xticks(const std::vector<double>& positions, const std::vector<std::string>& labels) {
  ESVGD_CHECK(positions.size() == labels.size(), "set_xticks: ", positions.size(), " positions but ", labels.size(),
              " labels");
  state_->xticks = std::make_pair(positions, labels);
}

void Axes::scatter(const std::vector<double>& x, const std::vector<double>& y, Color c, double radius_px,
                   const std::string& label, bool hollow) {
  ESVGD_CHECK(x.size() == y.size(), "scatter: x has ", x.size(), " values but y has ", y.size());
  check_positive(radius_px, "scatter", "radius_px");
  state_->artists.emplace_back(detail::ScatterArtist{x, y, c, radius_px, label, hollow});
}

void Axes::line(const std::vector<double>& x, const std::vector<double>& y, Color c, double width_px,
                const std::string& label, bool dashed) {
  ESVGD_CHECK(x.size() == y.size(), "line: x has ", x.size(), " values but y has ", y.size());
  check_positive(width_px, "line", "width_px");
  state_->artists.emplace_back(detail::LineArtist{x, y, c, width_px, label, dashed});
}

void Axes::hline(double y, Color c, const std::string& label, bool dashed) {
  state_->artists.emplace_back(detail::RefLineArtist{true, y, c, label, dashed});
}

void Axes::vline(double x, Color c, const std::string& label, bool dashed) {
  state_->artists.emplace_back(detail::RefLineArtist{false, x, c, label, dashed});
}

void Axes::image(const std::vector<double>& z, int nx, int ny, double x0, double x1, double y0, double y1,
                 Colormap cmap, bool colorbar) {
  const Grid grid{nx, ny, x0, x1, y0, y1};
  check_grid(z, grid, "image", 1);
  const auto [vmin, vmax] = finite_range(z);
  state_->artists.emplace_back(detail::ImageArtist{z, grid, cmap, colorbar, vmin, vmax});
}

void Axes::contour(const std::vector<double>& z, int nx, int ny, double x0, double x1, double y0, double y1,
                   const std::vector<double>& levels, Color c, double width_px) {
  const Grid grid{nx, ny, x0, x1, y0, y1};
  check_grid(z, grid, "contour");
  check_positive(width_px, "contour", "width_px");
  detail::ContourArtist artist{{}, grid, c, width_px};
  for (double level : levels) {
    for (auto& line : contour_lines(z, grid, level)) artist.lines.push_back(std::move(line));
  }
  state_->artists.emplace_back(std::move(artist));
}

void Axes::contourf(const std::vector<double>& z, int nx, int ny, double x0, double x1, double y0, double y1,
                    int n_levels, Colormap cmap) {
  const Grid grid{nx, ny, x0, x1, y0, y1};
  check_grid(z, grid, "contourf");
  ESVGD_CHECK(n_levels > 0, "contourf: n_levels must be positive, got ", n_levels);
  detail::ContourfArtist artist{{}, {}, grid};
  const auto [zmin, zmax] = finite_range(z);
  if (zmin <= zmax) {  // otherwise no finite value: nothing to fill
    const int bands = zmax > zmin ? n_levels : 1;
    for (int k = 0; k < bands; ++k) {
      const double level = zmin + k * (zmax - zmin) / bands;
      const double t = bands > 1 ? kContourfMaxT * k / (bands - 1) : kMidColormap;
      artist.layers.push_back(region_above(z, grid, level));
      artist.colors.push_back(lighten(colormap_color(cmap, t), kContourfLighten));
    }
  }
  state_->artists.emplace_back(std::move(artist));
}

void Axes::histogram(const std::vector<double>& values, int bins, double lo, double hi, Color c,
                     const std::string& label, bool density) {
  state_->artists.emplace_back(
      detail::HistogramArtist{histogram_heights(values, bins, lo, hi, density), lo, hi, c, label});
}

void Axes::boxplot(const std::vector<std::vector<double>>& groups, const std::vector<std::string>& labels,
                   const std::vector<Color>& colors) {
  ESVGD_CHECK(labels.empty() || labels.size() == groups.size(), "boxplot: ", groups.size(), " groups but ",
              labels.size(), " labels");
  ESVGD_CHECK(colors.empty() || colors.size() == groups.size(), "boxplot: ", groups.size(), " groups but ",
              colors.size(), " colors");
  detail::BoxplotArtist artist;
  std::vector<double> positions;
  std::vector<std::string> names;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    artist.stats.push_back(box_stats(groups[g]));
    artist.colors.push_back(colors.empty() ? palette(static_cast<int>(g)) : colors[g]);
    positions.push_back(static_cast<double>(g + 1));
    names.push_back(labels.empty() ? std::to_string(g + 1) : labels[g]);
  }
  state_->xticks = std::make_pair(positions, names);
  state_->artists.emplace_back(std::move(artist));
}

void Axes::text(double x, double y, const std::string& s, Color c, double size_pt) {
  check_positive(size_pt, "text", "size_pt");
  state_->artists.emplace_back(detail::TextArtist{x, y, s, c, size_pt});
}

void Axes::legend(bool on, LegendLocation location) {
  state_->legend = on;
  state_->legend_location = location;
}

}  // namespace esvgd::plot
