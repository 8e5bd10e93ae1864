#pragma once
// Colours every picture shares: viridis for values (perceptually even, readable in grey and by
// most colour-blind readers), a diverging map for ratios, a fixed categorical palette for kernels,
// and one colour per status.
#include <cstddef>
#include <cstdint>

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
Rgb kernel_color(std::size_t index);   // distinct, cycles after 10
Rgb status_color(CellStatus s);        // failed cells: greys and muted reds, never on the value scale
bool prefers_dark_text(Rgb background);  // for labels drawn on a coloured cell

}  // namespace attnsweep::gui
