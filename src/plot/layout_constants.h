#pragma once
/// Private to the plot module: the sizes (user units = pixels at scale 1) that shape every panel.
namespace esvgd::plot::detail {

// Fonts.
constexpr double kTickFontSize = 10.0;
constexpr double kMinTickFontSize = 7.0;
constexpr double kLabelFontSize = 11.0;
constexpr double kTitleFontSize = 12.0;
constexpr double kSuptitleFontSize = 14.0;
constexpr double kLegendFontSize = 9.0;

// Spacing around the plot box.
constexpr double kPanelPad = 8.0;  // between a panel's edge and anything drawn in it
constexpr double kTickLength = 4.0;
constexpr double kMinorTickLength = 2.0;
constexpr double kTickPad = 3.0;                 // between a tick and its label
constexpr double kLabelPad = 5.0;                // between tick labels and the axis label
constexpr double kTitlePad = 6.0;                // between the title and the box
constexpr double kLabelOverhangPad = 4.0;        // minimum room for an x label sticking out of the box
constexpr double kMinLabelGap = 8.0;             // minimum gap between neighbouring x tick labels
constexpr double kInitialTickLabelWidth = 30.0;  // first guess of the y tick label width
constexpr double kMinPlotSize = 20.0;
constexpr double kSuptitleBand = 30.0;  // height added on top of the figure for a suptitle
constexpr int kLayoutPasses = 3;

// Ticks: about one tick per this many pixels along the axis, within [kMinTickTarget, kMaxTickTarget].
constexpr double kXTickSpacing = 70.0;
constexpr double kYTickSpacing = 50.0;
constexpr int kMinTickTarget = 2;
constexpr int kMaxTickTarget = 8;
constexpr double kMaxMinorTickDecades = 6.0;  // beyond this, log minor ticks would be a smear
constexpr double kPi = 3.14159265358979323846;
constexpr double kSlantedLabelAngle = 30.0 * kPi / 180.0;

// Automatic limits.
constexpr double kAutoMargin = 0.05;        // of the data range, on each side
constexpr double kSingularHalfWidth = 0.1;  // of |value|, when all data share one value
constexpr double kSingularHalfWidthAtZero = 0.5;
constexpr double kDefaultLimitLo = 0.0;
constexpr double kDefaultLimitHi = 1.0;

// Box plots: box i sits at x = i + 1 in a slot of width 1.
constexpr double kBoxFirstPosition = 1.0;
constexpr double kBoxSlotHalfWidth = 0.5;
constexpr double kBoxHalfWidth = 0.25;
constexpr double kBoxCapHalfWidth = 0.12;

// Colour bar.
constexpr double kColorbarGap = 12.0;
constexpr double kColorbarWidth = 12.0;

// Strokes.
constexpr double kFrameWidth = 0.8;
constexpr double kTickWidth = 0.8;
constexpr double kGridWidth = 0.6;
constexpr double kRefLineWidth = 1.2;
constexpr double kHollowMarkerWidth = 1.0;
constexpr double kBarEdgeWidth = 0.8;
constexpr double kBoxLineWidth = 1.2;
constexpr double kMedianWidth = 2.0;

}  // namespace esvgd::plot::detail
