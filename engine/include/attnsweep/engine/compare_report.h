#pragma once
// A comparison as people and programs read it: a terminal table (coloured when asked), Markdown,
// CSV, JSON ({"summary":{...},"cells":[...]}) or one HTML page. Each says first whether the cards
// differ, then how else the environments differ, then the cells and the verdicts' counts.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "attnsweep/engine/compare.h"

namespace attnsweep {

enum class CompareFormat { text, md, csv, json, html };
std::optional<CompareFormat> parse_compare_format(std::string_view name);  // text, md, csv, json, html

// What the two runs are called in the output (their file names) and where each ran.
struct ComparedRuns {
  std::string base_name, now_name;
  std::string base_where, now_where;  // describe_environment of each header
};

// A cell's ratio NEW/BASE ("0.9731") and its interval ("[0.95, 0.9912]") as every form prints
// them; "" where there is none.
std::string ratio_text(const CellComparison& c);
std::string ratio_interval_text(const CellComparison& c);

nlohmann::json comparison_json(const Comparison& c, const ComparedRuns& runs);
// `color`: ANSI colours in the text table (the CLI asks for them on a terminal without NO_COLOR).
// The text table shows every name and note from the files with control characters escaped
// (printable_text), so it is safe to print as it is.
std::string render_comparison(const Comparison& c, const ComparedRuns& runs, CompareFormat format, bool color = false);

}  // namespace attnsweep
