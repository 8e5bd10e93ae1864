#pragma once
// How numbers and statuses read wherever a person reads them: the reports, the GUI's table, its
// clipboard and its pictures. One formatter, so the same median prints the same everywhere.
// Locale-independent (the GUI runs under the user's locale; a report must not change with it).
#include <string>
#include <string_view>

#include "attnsweep/engine/result.h"

namespace attnsweep {

// `significant` digits in plain notation for the sizes times and rates take ("0.7293", "116.7",
// "2598"), trailing zeros dropped, so a source's "0.0056" claims no more digits than it had;
// scientific notation for tiny values ("1.234e-10"); "n/a" for a value that is not finite.
std::string format_number(double v, int significant = 4);
// `digits` significant digits in %g style, for errors ("3.1e-07", "0.00031" at two).
std::string format_sci(double v, int digits = 2);
// Plain decimal with `decimals` digits after the point ("1.50"), for sizes in messages.
std::string format_fixed(double v, int decimals);
// A size in binary units, three significant digits: "64 KiB", "1.5 GiB".
std::string format_bytes(double bytes);

// What a cell shows in place of a number: "OOM", "unsupported", "wrong", ...
std::string status_label(CellStatus s);
std::string causal_label(bool causal);  // "causal" / "full"

// Text from outside (a file, a worker, a kernel's message) made safe to print on a terminal or
// quote in a message: printable UTF-8 is kept; control characters (line breaks too), C1 controls
// and bytes that are not UTF-8 become \xNN escapes, so a terminal never receives an escape
// sequence. At most `max_bytes` of the input are shown, then "...".
std::string printable_text(std::string_view text, std::size_t max_bytes = std::string_view::npos);
// The same for many lines (a report shown on a terminal): line breaks and tabs are kept.
std::string printable_lines(std::string_view text);

}  // namespace attnsweep
