#include "text.h"

#include <cmath>

namespace esvgd::plot::detail {

namespace {

constexpr const char* kFontFamily = "sans";
/// A superscript is this much smaller than its base and raised by this fraction of the base size.
constexpr double kSuperscriptScale = 0.7;
constexpr double kSuperscriptRaise = 0.45;

void select_font(cairo_t* cr, const TextStyle& style, double size) {
  cairo_select_font_face(cr, kFontFamily, CAIRO_FONT_SLANT_NORMAL,
                         style.bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double advance(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

struct Metrics {
  double base_width, sup_width, ascent, descent;
};

Metrics metrics(cairo_t* cr, const TickLabel& label, const TextStyle& style) {
  Metrics m{};
  select_font(cr, style, style.size);
  cairo_font_extents_t fe;
  cairo_font_extents(cr, &fe);
  m.ascent = fe.ascent;
  m.descent = fe.descent;
  m.base_width = advance(cr, label.text);
  if (!label.superscript.empty()) {
    select_font(cr, style, style.size * kSuperscriptScale);
    m.sup_width = advance(cr, label.superscript);
  }
  return m;
}

}  // namespace

void set_source(cairo_t* cr, Color c) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a); }

TextSize measure(cairo_t* cr, const TickLabel& label, const TextStyle& style) {
  const Metrics m = metrics(cr, label, style);
  return TextSize{m.base_width + m.sup_width, m.ascent + m.descent};
}

TextSize measure(cairo_t* cr, const std::string& text, const TextStyle& style) {
  return measure(cr, TickLabel{text, ""}, style);
}

TextSize rotated_size(TextSize size, double angle_rad) {
  const double c = std::abs(std::cos(angle_rad)), s = std::abs(std::sin(angle_rad));
  return TextSize{size.width * c + size.height * s, size.width * s + size.height * c};
}

void draw_label(cairo_t* cr, double x, double y, const TickLabel& label, const TextStyle& style, HAlign h, VAlign v,
                double angle_rad) {
  if (label.text.empty() && label.superscript.empty()) return;
  const Metrics m = metrics(cr, label, style);
  const double width = m.base_width + m.sup_width;
  double dx = 0.0;
  if (h == HAlign::kCenter) dx = -0.5 * width;
  if (h == HAlign::kRight) dx = -width;
  double dy = 0.0;  // baseline offset below the anchor
  switch (v) {
    case VAlign::kTop:
      dy = m.ascent;
      break;
    case VAlign::kCenter:
      dy = 0.5 * (m.ascent - m.descent);
      break;
    case VAlign::kBaseline:
      dy = 0.0;
      break;
    case VAlign::kBottom:
      dy = -m.descent;
      break;
  }
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -angle_rad);  // cairo's y axis points down
  set_source(cr, style.color);
  select_font(cr, style, style.size);
  cairo_move_to(cr, dx, dy);
  cairo_show_text(cr, label.text.c_str());
  if (!label.superscript.empty()) {
    select_font(cr, style, style.size * kSuperscriptScale);
    cairo_move_to(cr, dx + m.base_width, dy - kSuperscriptRaise * style.size);
    cairo_show_text(cr, label.superscript.c_str());
  }
  cairo_restore(cr);
}

void draw_text(cairo_t* cr, double x, double y, const std::string& text, const TextStyle& style, HAlign h, VAlign v,
               double angle_rad) {
  draw_label(cr, x, y, TickLabel{text, ""}, style, h, v, angle_rad);
}

}  // namespace esvgd::plot::detail
