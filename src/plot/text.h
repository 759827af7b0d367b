#pragma once
/// Private to the plot module: measuring and drawing text with cairo's toy font API.
#include <cairo.h>

#include <string>

#include "plot/colormap.h"
#include "plot/ticks.h"

namespace esvgd::plot::detail {

enum class HAlign { kLeft, kCenter, kRight };
/// kTop/kBottom align the font's ascent/descent line, kCenter the middle between them.
enum class VAlign { kTop, kCenter, kBaseline, kBottom };

struct TextStyle {
  double size = 10.0;
  bool bold = false;
  Color color{0.0, 0.0, 0.0, 1.0};
};

/// Width and height (ascent + descent of the font, not of the glyphs, so lines line up) of a label.
struct TextSize {
  double width = 0.0, height = 0.0;
};

/// Sets cr's source colour.
void set_source(cairo_t* cr, Color c);

/// The size of a label (text plus optional superscript) in user units.
TextSize measure(cairo_t* cr, const TickLabel& label, const TextStyle& style);
/// The size of plain text.
TextSize measure(cairo_t* cr, const std::string& text, const TextStyle& style);

/// The size of the axis-aligned box around a label rotated by angle_rad.
TextSize rotated_size(TextSize size, double angle_rad);

/// Draws a label anchored at (x, y) with the given alignment, rotated by angle_rad (counter-clockwise
/// on screen for positive angles) about the anchor.
void draw_label(cairo_t* cr, double x, double y, const TickLabel& label, const TextStyle& style, HAlign h, VAlign v,
                double angle_rad = 0.0);
/// Draws plain text; see draw_label.
void draw_text(cairo_t* cr, double x, double y, const std::string& text, const TextStyle& style, HAlign h, VAlign v,
               double angle_rad = 0.0);

}  // namespace esvgd::plot::detail
