#include "attnsweep/engine/compare_report.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <vector>

#include "attnsweep/engine/format.h"
#include "text_escape.h"

namespace attnsweep {

using nlohmann::json;

namespace {

// The columns every tabular form shows, in order.
constexpr const char* kTitles[] = {"verdict", "kernel", "tier",  "dtype", "causal", "base_ms",
                                   "new_ms",  "ratio",  "ratio 95% interval", "p", "evidence", "note"};

std::string full_precision(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

std::string side_text(const std::optional<ComparedSide>& s) {
  if (!s) return "-";
  if (s->status != CellStatus::ok) return status_label(s->status);
  if (!s->mode) return "ok";
  return format_number(s->ms) + (s->noisy ? "~" : "") + (s->flagged_samples > 0 ? "!" : "");
}

// One row of a table for people, in kTitles' order.
std::vector<std::string> row_texts(const CellComparison& c) {
  return {std::string(verdict_name(c.verdict)),
          c.cell.kernel,
          c.cell.tier.name,
          std::string(dtype_name(c.cell.dtype)),
          causal_label(c.cell.causal),
          side_text(c.base),
          side_text(c.now),
          ratio_text(c),
          ratio_interval_text(c),
          std::isfinite(c.p_value) ? format_sci(c.p_value) : "",
          c.evidence == Evidence::none ? "" : std::string(evidence_name(c.evidence)),
          c.note};
}

std::string percent(double fraction) { return format_number(fraction * 100, 3) + "%"; }

// The lines every form starts with: the runs, a different card (first), the other differences,
// how cells were compared, and the notes.
std::vector<std::string> preamble(const Comparison& c, const ComparedRuns& runs) {
  std::vector<std::string> lines;
  if (c.different_card) {
    const EnvironmentDifference& card = c.environment.front();
    lines.push_back("DIFFERENT " + std::string(card.what == "GPU" ? "GPUs" : "devices") + ": BASE ran on " + card.base +
                    ", NEW on " + card.now + ". A ratio here compares two cards, not a change.");
  }
  lines.push_back("BASE: " + runs.base_name + (runs.base_where.empty() ? "" : " (" + runs.base_where + ")"));
  lines.push_back("NEW: " + runs.now_name + (runs.now_where.empty() ? "" : " (" + runs.now_where + ")"));
  for (std::size_t i = c.different_card ? 1 : 0; i < c.environment.size(); ++i) {
    const EnvironmentDifference& d = c.environment[i];
    lines.push_back("differs: " + d.what + ": BASE " + d.base + ", NEW " + d.now);
  }
  lines.push_back("Compared in " + std::string(timing_mode_name(c.mode)) + " mode: ratio NEW/BASE of medians; " +
                  "faster or slower needs a change of at least " + percent(c.options.threshold) +
                  " that the samples' Mann-Whitney U test finds at level " + format_number(c.options.alpha) +
                  "; a change that large it cannot tell from noise is noisy.");
  for (const std::string& n : c.notes) lines.push_back("note: " + n);
  return lines;
}

std::string summary_line(const Comparison& c) {
  std::string out;
  for (const auto& [verdict, n] : c.counts())
    if (n > 0) out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(verdict_name(verdict));
  return std::to_string(c.cells.size()) + " cells: " + (out.empty() ? "none" : out);
}

const char* ansi_color(Verdict v) {
  switch (v) {
    case Verdict::slower:
    case Verdict::missing: return "\033[31m";  // red
    case Verdict::faster: return "\033[32m";   // green
    case Verdict::noisy: return "\033[33m";    // yellow
    case Verdict::status_changed: return "\033[35m";  // magenta
    case Verdict::new_cell: return "\033[36m";  // cyan
    case Verdict::same: return "";
  }
  return "";
}

std::string render_text(const Comparison& c, const ComparedRuns& runs, bool color) {
  std::ostringstream out;
  const std::vector<std::string> lines = preamble(c, runs);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool alarm = i == 0 && c.different_card;
    out << (alarm && color ? "\033[1;31m" : "") << printable_text(lines[i]) << (alarm && color ? "\033[0m" : "") << "\n";
  }
  out << "\n";
  std::vector<std::vector<std::string>> rows;
  rows.emplace_back(std::begin(kTitles), std::end(kTitles));
  for (const CellComparison& cell : c.cells) {
    rows.push_back(row_texts(cell));
    for (std::string& field : rows.back()) field = printable_text(field);  // names and notes come from files
  }
  std::vector<std::size_t> width(std::size(kTitles), 0);
  for (const auto& row : rows)
    for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const char* on = r > 0 && color ? ansi_color(c.cells[r - 1].verdict) : "";
    std::string line;
    for (std::size_t k = 0; k < rows[r].size(); ++k) {
      std::string field = rows[r][k];
      if (k + 1 < rows[r].size()) field.resize(width[k], ' ');
      if (k == 0 && *on) field = on + field + "\033[0m";
      line += (k ? "  " : "") + field;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  out << "\n" << summary_line(c) << "\n";
  return out.str();
}

std::string render_markdown(const Comparison& c, const ComparedRuns& runs) {
  std::ostringstream md;
  md << "# Comparison: " << md_escape(runs.now_name) << " against " << md_escape(runs.base_name) << "\n\n";
  for (const std::string& line : preamble(c, runs)) md << "- " << md_escape(line) << "\n";
  md << "\n|";
  for (const char* t : kTitles) md << " " << t << " |";
  md << "\n|";
  for (std::size_t k = 0; k < std::size(kTitles); ++k) md << (k >= 5 && k <= 9 ? " ---: |" : " --- |");
  md << "\n";
  for (const CellComparison& cell : c.cells) {
    md << "|";
    for (const std::string& field : row_texts(cell)) md << " " << md_escape(field) << " |";
    md << "\n";
  }
  md << "\n" << summary_line(c) << "\n";
  return md.str();
}

std::string render_csv(const Comparison& c) {
  const char* header[] = {"id",         "kernel",      "tier",     "dtype",       "causal",     "verdict",
                          "evidence",   "base_status", "new_status", "base_mode", "new_mode",   "base_ms",
                          "new_ms",     "base_samples", "new_samples", "ratio",    "ratio_low",  "ratio_high",
                          "p_value",    "note"};
  std::string out;
  for (std::size_t k = 0; k < std::size(header); ++k) out += (k ? "," : "") + std::string(header[k]);
  out += "\r\n";
  const auto status = [](const std::optional<ComparedSide>& s) { return s ? std::string(status_name(s->status)) : ""; };
  const auto mode = [](const std::optional<ComparedSide>& s) {
    return s && s->mode ? std::string(timing_mode_name(*s->mode)) : "";
  };
  const auto ms = [](const std::optional<ComparedSide>& s) { return s && s->mode ? full_precision(s->ms) : ""; };
  const auto samples = [](const std::optional<ComparedSide>& s) {
    return s && s->mode ? std::to_string(s->samples) : "";
  };
  for (const CellComparison& cell : c.cells) {
    const std::string fields[] = {cell.cell.id(),
                                  cell.cell.kernel,
                                  cell.cell.tier.name,
                                  std::string(dtype_name(cell.cell.dtype)),
                                  causal_label(cell.cell.causal),
                                  std::string(verdict_name(cell.verdict)),
                                  cell.evidence == Evidence::none ? "" : std::string(evidence_name(cell.evidence)),
                                  status(cell.base),
                                  status(cell.now),
                                  mode(cell.base),
                                  mode(cell.now),
                                  ms(cell.base),
                                  ms(cell.now),
                                  samples(cell.base),
                                  samples(cell.now),
                                  full_precision(cell.ratio),
                                  full_precision(cell.ratio_low),
                                  full_precision(cell.ratio_high),
                                  full_precision(cell.p_value),
                                  cell.note};
    for (std::size_t k = 0; k < std::size(fields); ++k) out += (k ? "," : "") + csv_field(fields[k]);
    out += "\r\n";
  }
  return out;
}

std::string render_html(const Comparison& c, const ComparedRuns& runs) {
  std::ostringstream h;
  const std::string title = "Comparison: " + runs.now_name + " against " + runs.base_name;
  h << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" << html_escape(title) << "</title>\n<style>"
    << "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    << "td,th{border:1px solid #ccc;padding:2px 6px}td.n{text-align:right}.alarm{color:#b00;font-weight:bold}"
    << ".slower,.missing{background:#fdd}.faster{background:#dfd}.noisy{background:#ffd}"
    << ".status-changed{background:#fde}.new{background:#def}</style></head><body>\n";
  h << "<h1>" << html_escape(title) << "</h1>\n<ul>\n";
  const std::vector<std::string> lines = preamble(c, runs);
  for (std::size_t i = 0; i < lines.size(); ++i)
    h << "<li" << (i == 0 && c.different_card ? " class=\"alarm\"" : "") << ">" << html_escape(lines[i]) << "</li>\n";
  h << "</ul>\n<table>\n<tr>";
  for (const char* t : kTitles) h << "<th>" << t << "</th>";
  h << "</tr>\n";
  for (const CellComparison& cell : c.cells) {
    h << "<tr class=\"" << verdict_name(cell.verdict) << "\">";
    const std::vector<std::string> fields = row_texts(cell);
    for (std::size_t k = 0; k < fields.size(); ++k)
      h << (k >= 5 && k <= 9 ? "<td class=\"n\">" : "<td>") << html_escape(fields[k]) << "</td>";
    h << "</tr>\n";
  }
  h << "</table>\n<p>" << html_escape(summary_line(c)) << "</p>\n</body></html>\n";
  return h.str();
}

json side_json(const std::optional<ComparedSide>& s) {
  if (!s) return nullptr;
  json j = {{"status", std::string(status_name(s->status))}};
  if (s->mode) {
    j["mode"] = std::string(timing_mode_name(*s->mode));
    j["ms"] = s->ms;
    j["samples"] = s->samples;
    j["noisy"] = s->noisy;
    j["flagged_samples"] = s->flagged_samples;
  }
  return j;
}

}  // namespace

std::string ratio_text(const CellComparison& c) { return std::isfinite(c.ratio) ? format_number(c.ratio) : ""; }

std::string ratio_interval_text(const CellComparison& c) {
  if (!std::isfinite(c.ratio_low) || !std::isfinite(c.ratio_high)) return "";
  return "[" + format_number(c.ratio_low) + ", " + format_number(c.ratio_high) + "]";
}

std::optional<CompareFormat> parse_compare_format(std::string_view name) {
  if (name == "text") return CompareFormat::text;
  if (name == "md") return CompareFormat::md;
  if (name == "csv") return CompareFormat::csv;
  if (name == "json") return CompareFormat::json;
  if (name == "html") return CompareFormat::html;
  return std::nullopt;
}

json comparison_json(const Comparison& c, const ComparedRuns& runs) {
  json verdicts = json::object();
  for (const auto& [verdict, n] : c.counts()) verdicts[std::string(verdict_name(verdict))] = n;
  json environment = json::array();
  for (const EnvironmentDifference& d : c.environment)
    environment.push_back({{"what", d.what}, {"base", d.base}, {"new", d.now}});
  json summary = {{"base", {{"file", runs.base_name}, {"where", runs.base_where}}},
                  {"new", {{"file", runs.now_name}, {"where", runs.now_where}}},
                  {"different_card", c.different_card},
                  {"environment", environment},
                  {"mode", std::string(timing_mode_name(c.mode))},
                  {"threshold", c.options.threshold},
                  {"alpha", c.options.alpha},
                  {"test", "Mann-Whitney U, two-sided"},
                  {"cells", c.cells.size()},
                  {"verdicts", verdicts},
                  {"notes", c.notes}};
  json cells = json::array();
  for (const CellComparison& cell : c.cells) {
    json j = {{"id", cell.cell.id()},
              {"kernel", cell.cell.kernel},
              {"tier", cell.cell.tier.name},
              {"dtype", std::string(dtype_name(cell.cell.dtype))},
              {"causal", cell.cell.causal},
              {"verdict", std::string(verdict_name(cell.verdict))},
              {"evidence", std::string(evidence_name(cell.evidence))},
              {"ratio", cell.ratio},  // NaN is written as null
              {"ratio_low", cell.ratio_low},
              {"ratio_high", cell.ratio_high},
              {"p_value", cell.p_value},
              {"base", side_json(cell.base)},
              {"new", side_json(cell.now)},
              {"note", cell.note}};
    cells.push_back(std::move(j));
  }
  return {{"summary", std::move(summary)}, {"cells", std::move(cells)}};
}

std::string render_comparison(const Comparison& c, const ComparedRuns& runs, CompareFormat format, bool color) {
  switch (format) {
    case CompareFormat::text: return render_text(c, runs, color);
    case CompareFormat::md: return render_markdown(c, runs);
    case CompareFormat::csv: return render_csv(c);
    case CompareFormat::json: return comparison_json(c, runs).dump(2) + "\n";
    case CompareFormat::html: return render_html(c, runs);
  }
  return "";
}

}  // namespace attnsweep
