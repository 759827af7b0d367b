#pragma once
/// Colours for figures: RGBA values, a ten-colour qualitative palette for series, and continuous
/// colormaps for images and filled contours.
#include <string>

namespace esvgd::plot {

/// An RGBA colour with components in [0, 1].
struct Color {
  double r = 0.0, g = 0.0, b = 0.0, a = 1.0;
};

/// The i-th colour of a ten-colour qualitative palette (matplotlib's tab10); i wraps around, so
/// any int (also negative) is valid.
Color palette(int i);

/// Continuous colormaps, as in matplotlib: perceptually uniform (viridis), sequential
/// (greys, blues) and diverging (coolwarm).
enum class Colormap { kViridis, kGreys, kBlues, kCoolwarm };

/// The colour of `cmap` at position t in [0, 1] (clamped; NaN maps to 0).
Color colormap_color(Colormap cmap, double t);

/// `c` mixed with white: amount 0 keeps c, amount 1 gives white. Alpha is unchanged.
Color lighten(Color c, double amount);

/// `c` with its alpha replaced by `alpha`.
Color with_alpha(Color c, double alpha);

/// The colormap's name as matplotlib spells it ("viridis", "Greys", "Blues", "coolwarm").
const char* to_string(Colormap cmap);

}  // namespace esvgd::plot
