#pragma once
// Colours every picture shares: viridis for values (perceptually even, readable in grey and by
// most colour-blind readers), a fixed categorical palette for kernels, and one colour per status.
#include <cstddef>
#include <cstdint>

#include "attnsweep/engine/result.h"

namespace attnsweep::gui {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

Rgb viridis(double t);                 // t in [0, 1], clamped
Rgb kernel_color(std::size_t index);   // distinct, cycles after 10
Rgb status_color(CellStatus s);        // failed cells: greys and muted reds, never on the value scale
bool prefers_dark_text(Rgb background);  // for labels drawn on a coloured cell

}  // namespace attnsweep::gui
