#pragma once
// How numbers and statuses read wherever a person reads them: the reports, the GUI's table, its
// clipboard and its pictures. One formatter, so the same median prints the same everywhere.
// Locale-independent (the GUI runs under the user's locale; a report must not change with it).
#include <string>

#include "attnsweep/engine/result.h"

namespace attnsweep {

// `significant` digits in plain notation for the sizes times and rates take ("0.7293", "116.7",
// "2598"), trailing zeros dropped, so a source's "0.0056" claims no more digits than it had;
// scientific notation for tiny values ("1.234e-10"); "n/a" for a value that is not finite.
std::string format_number(double v, int significant = 4);
// Two significant digits, for errors ("3.1e-07", "0.00031").
std::string format_sci(double v);

// What a cell shows in place of a number: "OOM", "unsupported", "wrong", ...
std::string status_label(CellStatus s);
std::string causal_label(bool causal);  // "causal" / "full"

}  // namespace attnsweep
