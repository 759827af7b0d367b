#include "plot/colormap.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace esvgd::plot {

namespace {

constexpr double kByte = 255.0;

/// Colormaps are piecewise linear in RGB between equally spaced stops (0-255 per channel).
struct Stop {
  double r, g, b;
};

constexpr std::array<Stop, 10> kTab10 = {{{31, 119, 180},
                                          {255, 127, 14},
                                          {44, 160, 44},
                                          {214, 39, 40},
                                          {148, 103, 189},
                                          {140, 86, 75},
                                          {227, 119, 194},
                                          {127, 127, 127},
                                          {188, 189, 34},
                                          {23, 190, 207}}};

// Nine samples of viridis at t = 0, 1/8, ..., 1; linear interpolation between them stays within a
// few levels of the 256-entry table.
constexpr std::array<Stop, 9> kViridis = {{{68, 1, 84},
                                           {72, 40, 120},
                                           {62, 73, 137},
                                           {49, 104, 142},
                                           {38, 130, 142},
                                           {31, 158, 137},
                                           {53, 183, 121},
                                           {110, 206, 88},
                                           {253, 231, 37}}};

// ColorBrewer's nine-class sequential schemes, as used by matplotlib's "Greys" and "Blues".
constexpr std::array<Stop, 9> kGreys = {{{255, 255, 255},
                                         {240, 240, 240},
                                         {217, 217, 217},
                                         {189, 189, 189},
                                         {150, 150, 150},
                                         {115, 115, 115},
                                         {82, 82, 82},
                                         {37, 37, 37},
                                         {0, 0, 0}}};
constexpr std::array<Stop, 9> kBlues = {{{247, 251, 255},
                                         {222, 235, 247},
                                         {198, 219, 239},
                                         {158, 202, 225},
                                         {107, 174, 214},
                                         {66, 146, 198},
                                         {33, 113, 181},
                                         {8, 81, 156},
                                         {8, 48, 107}}};

// Moreland's diverging blue-grey-red map sampled at t = 0, 1/4, 1/2, 3/4, 1.
constexpr std::array<Stop, 5> kCoolwarm = {
    {{59, 76, 192}, {141, 176, 254}, {221, 221, 221}, {244, 154, 123}, {180, 4, 38}}};

Color to_color(const Stop& s) { return Color{s.r / kByte, s.g / kByte, s.b / kByte, 1.0}; }

template <std::size_t N>
Color interpolate(const std::array<Stop, N>& stops, double t) {
  const double pos = t * static_cast<double>(N - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(pos), N - 2);
  const double f = pos - static_cast<double>(i);
  const Stop& a = stops[i];
  const Stop& b = stops[i + 1];
  return to_color(Stop{a.r + f * (b.r - a.r), a.g + f * (b.g - a.g), a.b + f * (b.b - a.b)});
}

}  // namespace

Color palette(int i) {
  const int n = static_cast<int>(kTab10.size());
  return to_color(kTab10[static_cast<std::size_t>(((i % n) + n) % n)]);
}

Color colormap_color(Colormap cmap, double t) {
  t = std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0);
  switch (cmap) {
    case Colormap::kViridis:
      return interpolate(kViridis, t);
    case Colormap::kGreys:
      return interpolate(kGreys, t);
    case Colormap::kBlues:
      return interpolate(kBlues, t);
    case Colormap::kCoolwarm:
      return interpolate(kCoolwarm, t);
  }
  return interpolate(kViridis, t);
}

Color lighten(Color c, double amount) {
  amount = std::clamp(amount, 0.0, 1.0);
  return Color{c.r + amount * (1.0 - c.r), c.g + amount * (1.0 - c.g), c.b + amount * (1.0 - c.b), c.a};
}

Color with_alpha(Color c, double alpha) {
  c.a = alpha;
  return c;
}

const char* to_string(Colormap cmap) {
  switch (cmap) {
    case Colormap::kViridis:
      return "viridis";
    case Colormap::kGreys:
      return "Greys";
    case Colormap::kBlues:
      return "Blues";
    case Colormap::kCoolwarm:
      return "coolwarm";
  }
  return "unknown";
}

}  // namespace esvgd::plot
