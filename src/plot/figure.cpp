/// Figure: a grid of panels rendered into one cairo image surface and written as PNG.
#include "plot/figure.h"

#include <cairo.h>

#include <cmath>
#include <memory>
#include <ostream>

#include "axes_data.h"
#include "axes_render.h"
#include "core/atomic_file.h"
#include "esvgd/core/error.h"
#include "layout_constants.h"
#include "text.h"

namespace esvgd::plot {

namespace {

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

/// Cairo image surfaces are limited to 32767 pixels a side.
constexpr int kMaxSurfaceSide = 32767;

cairo_status_t write_to_stream(void* closure, const unsigned char* data, unsigned int length) {
  auto* os = static_cast<std::ostream*>(closure);
  os->write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(length));
  return *os ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

ContextPtr make_context(cairo_surface_t* surface, double scale) {
  ContextPtr cr(cairo_create(surface), &cairo_destroy);
  cairo_scale(cr.get(), scale, scale);
  return cr;
}

}  // namespace

Figure::Figure(int rows, int cols, double panel_width_px, double panel_height_px)
    : rows_(rows), cols_(cols), panel_width_(panel_width_px), panel_height_(panel_height_px) {
  ESVGD_CHECK(rows > 0 && cols > 0, "Figure: rows and cols must be positive, got ", rows, "x", cols);
  ESVGD_CHECK(
      std::isfinite(panel_width_px) && panel_width_px > 0.0 && std::isfinite(panel_height_px) && panel_height_px > 0.0,
      "Figure: panel size must be positive, got ", panel_width_px, "x", panel_height_px);
  axes_.resize(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols));
}

Figure::~Figure() = default;
Figure::Figure(Figure&&) noexcept = default;
Figure& Figure::operator=(Figure&&) noexcept = default;

const Axes& Figure::checked_axes(int row, int col) const {
  ESVGD_CHECK(row >= 0 && row < rows_ && col >= 0 && col < cols_, "Figure::axes: (", row, ", ", col,
              ") is outside the ", rows_, "x", cols_, " grid");
  return axes_[static_cast<std::size_t>(row) * cols_ + col];
}

Axes& Figure::axes(int row, int col) { return const_cast<Axes&>(checked_axes(row, col)); }
const Axes& Figure::axes(int row, int col) const { return checked_axes(row, col); }

void Figure::set_title(const std::string& title) { title_ = title; }

void Figure::set_scale(double scale) {
  ESVGD_CHECK(std::isfinite(scale) && scale > 0.0, "Figure::set_scale: scale must be positive, got ", scale);
  scale_ = scale;
}

double Figure::layout_height() const { return rows_ * panel_height_ + (title_.empty() ? 0.0 : detail::kSuptitleBand); }

int Figure::width_px() const { return static_cast<int>(std::lround(cols_ * panel_width_ * scale_)); }
int Figure::height_px() const { return static_cast<int>(std::lround(layout_height() * scale_)); }

namespace {

detail::Box panel_box(int row, int col, double w, double h, double top) {
  return detail::Box{col * w, top + row * h, w, h};
}

}  // namespace

std::pair<double, double> Figure::pixel_of(int row, int col, double x, double y) const {
  const Axes& ax = checked_axes(row, col);
  // Text metrics need a context; a 1x1 surface with the same scale gives the same layout as saving.
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1), &cairo_surface_destroy);
  ContextPtr cr = make_context(surface.get(), scale_);
  const double top = title_.empty() ? 0.0 : detail::kSuptitleBand;
  const detail::AxesLayout layout =
      detail::layout_axes(cr.get(), *ax.state_, panel_box(row, col, panel_width_, panel_height_, top), scale_);
  return {layout.px(x) * scale_, layout.py(y) * scale_};
}

void Figure::write_png(std::ostream& os) const {
  const int width = width_px(), height = height_px();
  ESVGD_CHECK(width <= kMaxSurfaceSide && height <= kMaxSurfaceSide, "Figure: ", width, "x", height,
              " pixels exceeds the image size limit of ", kMaxSurfaceSide, " a side");
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height), &cairo_surface_destroy);
  ESVGD_CHECK_KIND(cairo_surface_status(surface.get()) == CAIRO_STATUS_SUCCESS, ErrorKind::kIo,
                   "Figure: cannot create a ", width, "x", height,
                   " image: ", cairo_status_to_string(cairo_surface_status(surface.get())));
  ContextPtr cr = make_context(surface.get(), scale_);

  cairo_set_source_rgb(cr.get(), 1.0, 1.0, 1.0);  // white background
  cairo_paint(cr.get());

  const double top = title_.empty() ? 0.0 : detail::kSuptitleBand;
  if (!title_.empty()) {
    detail::draw_text(cr.get(), 0.5 * cols_ * panel_width_, 0.5 * detail::kSuptitleBand, title_,
                      detail::TextStyle{detail::kSuptitleFontSize, true}, detail::HAlign::kCenter,
                      detail::VAlign::kCenter);
  }
  for (int row = 0; row < rows_; ++row) {
    for (int col = 0; col < cols_; ++col) {
      const detail::AxesData& data = *checked_axes(row, col).state_;
      const detail::Box panel = panel_box(row, col, panel_width_, panel_height_, top);
      cairo_save(cr.get());
      const detail::AxesLayout layout = detail::layout_axes(cr.get(), data, panel, scale_);
      detail::draw_axes(cr.get(), data, layout, scale_);
      cairo_restore(cr.get());
    }
  }
  cairo_surface_flush(surface.get());
  ESVGD_CHECK_KIND(cairo_status(cr.get()) == CAIRO_STATUS_SUCCESS, ErrorKind::kIo,
                   "Figure: drawing failed: ", cairo_status_to_string(cairo_status(cr.get())));
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), write_to_stream, &os);
  ESVGD_CHECK_KIND(status == CAIRO_STATUS_SUCCESS, ErrorKind::kIo,
                   "Figure: PNG encoding failed: ", cairo_status_to_string(status));
}

void Figure::save_png(const std::string& path) const {
  try {
    core::write_atomic(path, [&](std::ostream& os) { write_png(os); });
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kIo && e.where().empty()) throw Error(ErrorKind::kIo, path, e.what());
    throw;
  }
}

}  // namespace esvgd::plot
