#include "plot/image_grid.h"

#include <cmath>
#include <memory>
#include <ostream>

#include <cairo.h>
#include <torch/torch.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::plot {

namespace {
cairo_status_t write_to_stream(void* closure, const unsigned char* data, unsigned int length) {
  auto* os = static_cast<std::ostream*>(closure);
  os->write(reinterpret_cast<const char*>(data), length);
  return os->good() ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}
}  // namespace

void save_image_grid(const std::string& path, const torch::Tensor& images, const ImageGridOptions& o) {
  ESVGD_CHECK(images.dim() == 2 || images.dim() == 3, "an image grid needs images [N, S, S] or [N, S*S], got ",
              images.sizes());
  const int64_t n = images.size(0);
  const int64_t S = images.dim() == 3 ? images.size(1) : static_cast<int64_t>(std::lround(std::sqrt(images.size(1))));
  ESVGD_CHECK(n >= 1 && S * S == images[0].numel() && (images.dim() == 2 || images.size(1) == images.size(2)),
              "an image grid needs at least one square image, got ", images.sizes());
  ESVGD_CHECK(o.columns >= 1 && o.zoom >= 1, "image grid: columns and zoom must be >= 1");
  const int64_t rows = (n + o.columns - 1) / o.columns;
  ESVGD_CHECK(o.row_labels.empty() || static_cast<int64_t>(o.row_labels.size()) == rows, "image grid: ",
              o.row_labels.size(), " row labels for ", rows, " rows");
  auto pix = images.detach().to(torch::kCPU, torch::kFloat64).clamp(0, 1).reshape({n, S, S}).contiguous();
  const double* p = pix.data_ptr<double>();

  const int cell = static_cast<int>(S * o.zoom), gap = 2;
  const int left = o.row_labels.empty() ? gap : 90, top = o.title.empty() ? gap : 24;
  const int width = left + static_cast<int>(o.columns) * (cell + gap), height = top + static_cast<int>(rows) * (cell + gap);
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height), &cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(surface.get()), &cairo_destroy);
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  for (int64_t i = 0; i < n; ++i) {
    const int x0 = left + static_cast<int>(i % o.columns) * (cell + gap), y0 = top + static_cast<int>(i / o.columns) * (cell + gap);
    for (int64_t r = 0; r < S; ++r)
      for (int64_t c = 0; c < S; ++c) {
        const double v = p[(i * S + r) * S + c];
        cairo_set_source_rgb(cr.get(), v, v, v);
        cairo_rectangle(cr.get(), x0 + static_cast<double>(c * o.zoom), y0 + static_cast<double>(r * o.zoom),
                        static_cast<double>(o.zoom), static_cast<double>(o.zoom));
        cairo_fill(cr.get());
      }
  }
  cairo_set_source_rgb(cr.get(), 0, 0, 0);
  cairo_select_font_face(cr.get(), "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr.get(), 12);
  for (size_t r = 0; r < o.row_labels.size(); ++r) {
    cairo_move_to(cr.get(), 4, top + static_cast<double>(r) * (cell + gap) + cell / 2.0 + 4);
    cairo_show_text(cr.get(), o.row_labels[r].c_str());
  }
  if (!o.title.empty()) {
    cairo_set_font_size(cr.get(), 14);
    cairo_move_to(cr.get(), left, 17);
    cairo_show_text(cr.get(), o.title.c_str());
  }
  cairo_surface_flush(surface.get());
  core::write_atomic(path, [&](std::ostream& os) {
    const auto status = cairo_surface_write_to_png_stream(surface.get(), write_to_stream, &os);
    if (status != CAIRO_STATUS_SUCCESS) throw Error(ErrorKind::kIo, path, std::string("PNG encoding failed: ") + cairo_status_to_string(status));
  });
}

}  // namespace esvgd::plot
