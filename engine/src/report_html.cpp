// The HTML report: one self-contained page titled by the sweep, with where it ran (the Markdown
// report's lines, then every field of the environment and the spec), the pictures embedded when
// the app drew them, and the table (with a baseline kernel, its speedup column), sorted by a click
// on a column's name. Everything that comes from a file is escaped; the page's one script is its own.
#include <cmath>

#include "attnsweep/engine/baseline.h"
#include "attnsweep/engine/format.h"
#include "attnsweep/engine/report.h"
#include "header_text.h"
#include "text_escape.h"

namespace attnsweep {

namespace {

std::string base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 3; ++k) v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k) out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

// A cell that is not ok: muted where it did not run, red where something went wrong.
std::string failed_class(CellStatus s) {
  const bool bad =
      s == CellStatus::wrong || s == CellStatus::error || s == CellStatus::crashed || s == CellStatus::timeout;
  return bad ? "bad" : "failed";
}

constexpr const char* kStyle =
    "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:2em auto;max-width:1540px;color:#20222a}"
    "h1{font-size:1.5em}p.env{color:#686c78}p.warning{color:#a06000}"
    "img{max-width:100%;border:1px solid #e3e4e8;margin:0.6em 0}"
    "table{border-collapse:collapse;font-size:0.82em}th,td{padding:3px 8px;border-bottom:1px solid #e3e4e8}"
    "th{background:#f4f5f7;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "td.failed{color:#8a8d96;font-style:italic}td.bad{color:#a02020;font-weight:bold}"
    "th[data-sort]{cursor:pointer}th.asc::after{content:' \\25B2'}th.desc::after{content:' \\25BC'}"
    "table.env th{background:none;font-weight:normal;color:#686c78}details{margin:0.6em 0}"
    "pre{font-size:0.8em;background:#f4f5f7;padding:0.6em;overflow:auto}";

// Sorts the results table by the clicked column: numbers by value (data-v), text by letters;
// cells without a number (failed) stay last in both directions.
constexpr const char* kSortScript = R"(
document.querySelectorAll('table.results th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0];
  const up = !th.classList.contains('asc');
  th.parentNode.querySelectorAll('th').forEach(h => h.classList.remove('asc', 'desc'));
  th.classList.add(up ? 'asc' : 'desc');
  const key = td => td.dataset.v === undefined ? td.textContent : (td.dataset.v === '' ? null : Number(td.dataset.v));
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = key(a.cells[col]), y = key(b.cells[col]);
    if (x === null || y === null) return (x === null) - (y === null);
    const c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), undefined, {numeric: true});
    return up ? c : -c;
  });
  rows.forEach(r => body.appendChild(r));
}));
)";

// Every field of a JSON object as "a.b.c: value" rows, objects flattened.
void flat_fields(const nlohmann::json& j, const std::string& prefix, std::string& rows) {
  for (const auto& [key, value] : j.items()) {
    if (value.is_object()) {
      flat_fields(value, prefix + key + ".", rows);
      continue;
    }
    rows += "<tr><th>" + html_escape(prefix + key) + "</th><td>" +
            html_escape(value.is_string() ? value.get<std::string>() : value.dump()) + "</td></tr>\n";
  }
}

}  // namespace

std::string report_html(const ResultFile& f, const std::vector<ReportPicture>& pictures,
                        std::optional<TimingMode> mode, const std::string& baseline) {
  const TimingMode shown = mode.value_or(default_view_mode(f.results));
  const std::vector<CellResult> results = with_mode_first(f.results, shown);
  const std::vector<std::string> speedups = baseline.empty() ? std::vector<std::string>{} : speedup_texts(results, baseline);
  const std::string name = html_escape(sweep_name(f.header));
  std::string h = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  h += "<title>AttnSweep report: " + name + "</title>\n<style>" + kStyle + "</style></head><body>\n";
  h += "<h1>Attention forward sweep: " + name + "</h1>\n";
  const std::string where = describe_environment(f.header);
  h += "<p class=\"env\">" + html_escape(where.empty() ? "" : where + " · ") + std::to_string(f.results.size()) +
       " cells</p>\n<table class=\"env\">\n";
  for (const auto& [label, value] : environment_lines(f, shown))
    h += "<tr><th>" + html_escape(label) + "</th><td>" + html_escape(value) + "</td></tr>\n";
  h += "</table>\n";
  if (const std::string wall = wall_line(f.results); !wall.empty())
    h += "<p class=\"env\">" + html_escape(wall) + "</p>\n";
  if (f.header.is_object() && f.header.contains("environment") && f.header["environment"].is_object()) {
    std::string rows;
    flat_fields(f.header["environment"], "", rows);
    h += "<details><summary>The whole environment</summary><table class=\"env\">\n" + rows + "</table></details>\n";
  }
  if (f.header.is_object() && f.header.contains("spec"))
    h += "<details><summary>The spec</summary><pre>" + html_escape(f.header["spec"].dump(2)) + "</pre></details>\n";
  for (const std::string& w : f.warnings) h += "<p class=\"warning\">Warning: " + html_escape(w) + "</p>\n";
  for (const ReportPicture& p : pictures)
    h += "<img alt=\"" + html_escape(p.title) + "\" src=\"data:image/png;base64," + base64(p.png) + "\">\n";
  if (pictures.empty()) h += "<p class=\"env\">The pictures are drawn by the app: attnsweep RESULTS -o DIR.</p>\n";

  h += "<table class=\"results\"><thead><tr>";
  for (Column c : report_columns()) {
    const ColumnInfo& info = column_info(c);
    h +=
        "<th data-sort title=\"" + html_escape(info.tooltip) + " (click to sort)\">" + html_escape(info.name) + "</th>";
  }
  if (!baseline.empty())
    h += "<th title=\"its time over this cell's, same tier, dtype and mask\">" + html_escape(speedup_title(baseline)) + "</th>";
  h += "</tr></thead><tbody>\n";
  for (std::size_t row = 0; row < results.size(); ++row) {
    const CellResult& r = results[row];
    h += "<tr>";
    for (Column c : report_columns()) {
      const ColumnInfo& info = column_info(c);
      std::string cls = info.numeric ? "num" : "";
      if (r.status != CellStatus::ok && (info.measured || c == Column::status)) cls = failed_class(r.status);
      const std::string title =
          c == Column::status && !r.message.empty() ? " title=\"" + html_escape(r.message) + "\"" : "";
      const std::string value = info.numeric ? " data-v=\"" + cell_field(r, c) + "\"" : "";
      h += "<td class=\"" + cls + "\"" + title + value + ">" + html_escape(cell_text(r, c)) + "</td>";
    }
    if (!speedups.empty())
      h += "<td class=\"" + std::string(r.status == CellStatus::ok ? "num" : failed_class(r.status)) + "\">" +
           html_escape(speedups[row]) + "</td>";
    h += "</tr>\n";
  }
  h += "</tbody></table>\n<p class=\"env\">Failed cells show their status, never a time. Click a column's name to "
       "sort by it. Made by AttnSweep.</p>\n<script>" +
       std::string(kSortScript) + "</script>\n</body></html>\n";
  return h;
}

}  // namespace attnsweep
