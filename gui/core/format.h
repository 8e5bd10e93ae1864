#pragma once
// Formatting only the GUI needs: axis ticks and durations. Numbers of results and status
// labels come from the engine's one formatter (attnsweep/engine/format.h), as in the reports.
#include <string>

#include "attnsweep/engine/format.h"

namespace attnsweep::gui {

// Axis ticks: as few digits as the value needs ("0.5", "10", "200").
std::string format_tick(double v);
// "12 s", "3 min 05 s", "1 h 02 min".
std::string format_duration(double seconds);
// Marks a picture puts beside a time a reader must not take at face value: "~" noisy (the
// median's interval stayed wider than target_rel_ci), "!" samples taken while the card was slowed
// down; "" otherwise.
std::string timing_marks(const Timing& t);

}  // namespace attnsweep::gui
