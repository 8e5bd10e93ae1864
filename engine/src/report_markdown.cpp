// The Markdown report and its reader. The reader takes back the report, the GUI's "Copy as
// Markdown" and the seed's table: the first table of the text, by its column names.
#include <map>
#include <set>
#include <sstream>

#include "attnsweep/engine/baseline.h"
#include "attnsweep/engine/format.h"
#include "attnsweep/engine/peaks.h"
#include "attnsweep/engine/report.h"
#include "attnsweep/engine/table_reader.h"
#include "header_text.h"
#include "text_escape.h"

namespace attnsweep {

using nlohmann::json;

namespace {

constexpr std::string_view kTitlePrefix = "Attention forward sweep: ";

bool median_known(const CellResult& r) {
  const Timing* t = row_timing(r);
  return t && std::isfinite(t->time_ms.median);
}

// ---- reading ------------------------------------------------------------------------------------

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "&lt;b&gt;" -> "<b>": the entities md_escape writes.
std::string decode_entities(std::string_view s) {
  static constexpr std::pair<std::string_view, char> kEntities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}};
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    for (const auto& [entity, decoded] : kEntities)
      if (s.substr(i, entity.size()) == entity) {
        c = decoded;
        i += entity.size() - 1;
        break;
      }
    out += c;
  }
  return out;
}

// "a\|b &amp; c" -> "a|b & c": what md_escape wrote.
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '|') ++i;
    out += s[i];
  }
  return decode_entities(out);
}

// "| a | b |" -> {"a", "b"}; a "\|" inside a cell is a literal pipe.
std::vector<std::string> split_row(std::string_view line) {
  line = trim(line);
  if (!line.empty() && line.front() == '|') line.remove_prefix(1);
  if (!line.empty() && line.back() == '|' && !(line.size() >= 2 && line[line.size() - 2] == '\\'))
    line.remove_suffix(1);
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      cells.push_back(decode_entities(trim(cell)));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  cells.push_back(decode_entities(trim(cell)));
  return cells;
}

bool is_separator_cell(std::string_view c) {
  if (!c.empty() && c.front() == ':') c.remove_prefix(1);
  if (!c.empty() && c.back() == ':') c.remove_suffix(1);
  return !c.empty() && c.find_first_not_of('-') == std::string_view::npos;
}

// "- **GPU:** NVIDIA H100 (cuda #0)" -> {"GPU", "NVIDIA H100 (cuda #0)"}.
std::optional<std::pair<std::string, std::string>> detail_line(std::string_view line) {
  line = trim(line);
  if (!line.starts_with("- **")) return std::nullopt;
  line.remove_prefix(4);
  const std::size_t end = line.find(":**");
  if (end == std::string_view::npos || end == 0) return std::nullopt;
  return std::pair{std::string(line.substr(0, end)), unescape(trim(line.substr(end + 3)))};
}

}  // namespace

std::string markdown_table(const std::vector<CellResult>& results, const std::vector<std::size_t>& rows,
                           std::span<const Column> columns, const std::vector<DerivedColumn>& derived) {
  std::string md = "|";
  for (Column c : columns) md.append(" ").append(column_info(c).name).append(" |");
  for (const DerivedColumn& d : derived) md.append(" ").append(md_escape(d.title)).append(" |");
  md += "\n|";
  for (Column c : columns) md += column_info(c).numeric ? "---:|" : "---|";
  for (std::size_t i = 0; i < derived.size(); ++i) md += "---:|";
  md += "\n";
  for (std::size_t row : rows) {
    md += "|";
    for (Column c : columns) md.append(" ").append(md_escape(cell_text(results[row], c))).append(" |");
    for (const DerivedColumn& d : derived) md.append(" ").append(md_escape(d.texts[row])).append(" |");
    md += "\n";
  }
  return md;
}

std::string report_markdown(const ResultFile& f, std::optional<TimingMode> mode, const std::string& baseline) {
  const TimingMode shown = mode.value_or(default_view_mode(f.results));
  const std::vector<CellResult> results = with_mode_first(f.results, shown);
  std::vector<DerivedColumn> derived;
  if (!baseline.empty()) derived.push_back({speedup_title(baseline), speedup_texts(results, baseline)});
  std::ostringstream md;
  md << "# " << kTitlePrefix << md_escape(sweep_name(f.header)) << "\n\n";
  for (const auto& [label, value] : environment_lines(f, shown))
    md << "- **" << md_escape(label) << ":** " << md_escape(value) << "\n";
  md << "\n";
  std::vector<std::size_t> rows(results.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  md << markdown_table(results, rows, report_columns(), derived);

  std::map<std::string, int> counts;
  bool median_missing = false, marked = false;
  for (const CellResult& r : results) {
    ++counts[std::string(status_name(r.status))];
    median_missing = median_missing || (r.status == CellStatus::ok && !median_known(r));
    const Timing* t = row_timing(r);
    marked = marked || (t && (t->noisy || t->flagged_samples > 0));
  }
  md << "\n" << f.results.size() << " cells";
  std::string sep = ": ";
  for (const auto& [status, n] : counts) {
    md << sep << n << " " << status;
    sep = ", ";
  }
  md << ". Times in milliseconds; TFLOP/s = 4·B·H·Q_N·K_N·d (halved for causal; only the keys a query sees) / median.";
  if (median_missing) md << " n/a: not in the source; where the median is unknown, TFLOP/s is computed from avg_ms.";
  if (marked)
    md << " noisy: the median's 95% interval stayed wider than the spec's target_rel_ci. flagged_samples: samples "
          "taken "
          "while NVML named a slowdown reason or the SM clock was under 75% of its highest.";
  md << "\n";
  if (const std::string wall = wall_line(f.results); !wall.empty()) md << "\n" << wall << "\n";
  if (!f.warnings.empty()) {
    md << "\n";
    for (const std::string& w : f.warnings) md << "> Warning: " << md_escape(w) << "\n";
  }
  // The pictures the app draws beside the report: the seed's three, for every slice.
  const std::vector<ResultSlice> slices = result_slices(f.results);
  for (const ResultSlice& slice : slices) {
    const std::string of = slices.size() > 1 ? ", " + slice.label() : "";
    if (slices.size() > 1) md << "\n## " << slice.label() << "\n";
    md << "\n![Forward time" << of << "](" << picture_name(kForwardPng, slice, slices.size()) << ")\n\n![Heatmap" << of
       << "](" << picture_name(kHeatmapPng, slice, slices.size()) << ")\n\n![Scaling curve" << of << "]("
       << picture_name(kScalingPng, slice, slices.size()) << ")\n";
  }
  return md.str();
}

ResultFile parse_markdown_results(std::string_view text, const std::string& source) {
  std::vector<std::string_view> lines;
  for (std::size_t begin = 0; begin <= text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  auto is_table_line = [&](std::size_t i) { return i < lines.size() && trim(lines[i]).starts_with('|'); };

  // Above the table: the title names the sweep; "- **Label:** value" lines say where it ran
  // (the Source line is the reader's to write again).
  TableSource from{source, "markdown", "", json::array()};
  std::size_t header = 0;
  for (; header < lines.size() && !is_table_line(header); ++header) {
    const std::string_view t = trim(lines[header]);
    if (from.title.empty() && t.starts_with("# ")) {
      std::string_view title = trim(t.substr(2));
      if (title.starts_with(kTitlePrefix)) title.remove_prefix(kTitlePrefix.size());
      from.title = unescape(title);
    } else if (const auto d = detail_line(t); d && d->first != "Source") {
      from.details.push_back({d->first, d->second});
    }
  }
  if (header == lines.size())
    throw std::runtime_error(source +
                             ": no Markdown table found (a result table, or the seed's: Kernel | Tier | Q_N | "
                             "K_N | head_dim | heads | batch | avg_ms | std_ms | min_ms)");

  TextTable table;
  table.names_line = header + 1;
  table.names = split_row(lines[header]);
  const std::size_t separator = header + 1;
  bool separator_ok = is_table_line(separator);
  if (separator_ok)
    for (const std::string& c : split_row(lines[separator])) separator_ok = separator_ok && is_separator_cell(c);
  if (!separator_ok)
    throw std::runtime_error(source + ": line " + std::to_string(separator + 1) +
                             ": expected the separator row |---|---| under the column names");
  std::size_t i = separator + 1;
  for (; is_table_line(i); ++i) table.rows.push_back({i + 1, split_row(lines[i])});
  table.end_line = i + 1;
  return results_from_table(table, from);
}

}  // namespace attnsweep
