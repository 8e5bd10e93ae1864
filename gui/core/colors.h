#pragma once
// Colours every picture shares: viridis for values (perceptually even, readable in grey and by
// most colour-blind readers), a diverging map for ratios, a fixed colour and marker per kernel,
// and one colour per status.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "attnsweep/engine/result.h"

namespace attnsweep::gui {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

Rgb viridis(double t);                 // t in [0, 1], clamped
// For ratios: red (0, worse) through a neutral light grey (0.5, no change) to blue (1, better);
// ColorBrewer's RdBu, safe for the common colour blindnesses. t clamped to [0, 1].
Rgb diverging(double t);
inline constexpr Rgb kNeutral{247, 247, 247};  // diverging(0.5)

enum class Marker { circle, square, triangle, diamond, star, pentagon };
struct KernelStyle {
  Rgb color;
  Marker marker = Marker::circle;
  bool operator==(const KernelStyle&) const = default;
};
// A kernel's colour and marker, the same in every picture of every file: the built-in kernels, the
// seed's and the torch provider's each have their own (no two alike); any other name gets one
// from its spelling.
KernelStyle kernel_style(std::string_view kernel);
// The names with their own style (in the palette's order; any other name's style comes from it).
std::span<const std::string_view> kernels_with_own_style();
Rgb status_color(CellStatus s);        // failed cells: greys and muted reds, never on the value scale
bool prefers_dark_text(Rgb background);  // for labels drawn on a coloured cell

}  // namespace attnsweep::gui
