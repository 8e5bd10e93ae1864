#pragma once
// Number and status formatting shared by the table, the charts and the exports, so a value
// reads the same everywhere.
#include <string>
#include <string_view>

#include "attnsweep/engine/result.h"

namespace attnsweep::gui {

// Four significant digits, no exponent for the ranges timings live in ("0.6023", "116.7").
std::string format_ms(double ms);
std::string format_number(double v, int significant = 4);
std::string format_sci(double v);
// Axis ticks: as few digits as the value needs ("0.5", "10", "200").
std::string format_tick(double v);  // errors: "3.1e-07"
// What a failed cell shows in place of a number: "OOM", "unsupported", "wrong", ...
std::string status_label(CellStatus s);
std::string causal_label(bool causal);  // "causal" / "full"
// Marks beside a time a reader must not take at face value: "~" noisy (the median's interval
// stayed wider than target_rel_ci), "!" samples taken while the card was slowed; "" otherwise.
std::string timing_marks(const Timing& t);
// "64 KiB", "1.5 GiB".
std::string format_bytes(double bytes);
// "12 s", "3 min 05 s", "1 h 02 min".
std::string format_duration(double seconds);

}  // namespace attnsweep::gui
