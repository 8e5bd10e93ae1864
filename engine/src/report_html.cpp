// The HTML report: one self-contained page with the GUI's table and, when the app drew them, the
// pictures embedded. Everything that comes from a file is escaped.
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
    for (std::size_t k = 0; k < 3; ++k)
      v = v << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
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
    "td.failed{color:#8a8d96;font-style:italic}td.bad{color:#a02020;font-weight:bold}";

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
       " cells</p>\n";
  h += "<p class=\"env\">Times: " + html_escape(times_line(f.results, shown)) + "</p>\n";
  if (const std::string wall = wall_line(f.results); !wall.empty()) h += "<p class=\"env\">" + html_escape(wall) + "</p>\n";
  for (const std::string& w : f.warnings) h += "<p class=\"warning\">Warning: " + html_escape(w) + "</p>\n";
  for (const ReportPicture& p : pictures)
    h += "<img alt=\"" + html_escape(p.title) + "\" src=\"data:image/png;base64," + base64(p.png) + "\">\n";
  if (pictures.empty())
    h += "<p class=\"env\">The pictures are drawn by the app: attnsweep --open RESULTS --export-report DIR.</p>\n";

  h += "<table><thead><tr>";
  for (Column c : table_columns()) {
    const ColumnInfo& info = column_info(c);
    h += "<th title=\"" + html_escape(info.tooltip) + "\">" + html_escape(info.title) + "</th>";
  }
  if (!baseline.empty())
    h += "<th title=\"its time over this cell's, same tier, dtype and mask\">" + html_escape(speedup_title(baseline)) + "</th>";
  h += "</tr></thead><tbody>\n";
  for (std::size_t row = 0; row < results.size(); ++row) {
    const CellResult& r = results[row];
    h += "<tr>";
    for (Column c : table_columns()) {
      const ColumnInfo& info = column_info(c);
      std::string cls = info.numeric ? "num" : "";
      if (r.status != CellStatus::ok && (info.measured || c == Column::status)) cls = failed_class(r.status);
      const std::string title =
          c == Column::status && !r.message.empty() ? " title=\"" + html_escape(r.message) + "\"" : "";
      h += "<td class=\"" + cls + "\"" + title + ">" + html_escape(cell_text(r, c)) + "</td>";
    }
    if (!speedups.empty())
      h += "<td class=\"" + std::string(r.status == CellStatus::ok ? "num" : failed_class(r.status)) + "\">" +
           html_escape(speedups[row]) + "</td>";
    h += "</tr>\n";
  }
  h += "</tbody></table>\n<p class=\"env\">Failed cells show their status, never a time. Made by AttnSweep.</p>\n"
       "</body></html>\n";
  return h;
}

}  // namespace attnsweep
