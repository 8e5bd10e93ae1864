#include "core/table_rows.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/format.h"

namespace attnsweep::gui {

namespace {

const std::array<ColumnInfo, kColumnCount> kColumns = {{
    {"Kernel", "Kernel name as used in specs", false},
    {"Tier", "Tier, named from its values: head_dim, heads, batch, sequence length", false},
    {"dtype", "Element type of Q, K, V and O", false},
    {"Mask", "causal (query i sees keys j <= i) or full", false},
    {"Q_N", "Query sequence length", true},
    {"K_N", "Key/value sequence length", true},
    {"head_dim", "Head dimension d", true},
    {"heads", "Number of heads H", true},
    {"batch", "Batch size B", true},
    {"Status", "ok, or why the cell has no time (OOM, unsupported, wrong, error, crashed, timeout, skipped); "
               "~ noisy: the median's interval stayed wider than target_rel_ci; ! samples taken while the card "
               "was slowed (throttled, or under 75% of its highest clock)", false},
    {"Mode", "How the times were taken: cold (one launch after a cache flush), batch (back-to-back warm "
             "launches) or unstated (imported)", false},
    {"median ms", "Median of the timing samples, milliseconds", true},
    {"mean ms", "Mean of the timing samples", true},
    {"std ms", "Standard deviation of the timing samples", true},
    {"min ms", "Fastest sample", true},
    {"p10 ms", "10th percentile", true},
    {"p90 ms", "90th percentile", true},
    {"TFLOP/s", "4·B·H·Q_N·K_N·d (halved for causal) / median", true},
    {"GB/s", "Q, K, V read once and O written once / median", true},
    {"rel err", "Relative error against the higher-precision reference", true},
    {"samples", "Timing samples taken", true},
    {"Message", "Why a cell failed, or notes", false},
}};

const Timing* shown_timing(const CellResult& r) {
  return r.status == CellStatus::ok && !r.timings.empty() ? &r.timings.front() : nullptr;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

const ColumnInfo& column_info(Column c) { return kColumns[static_cast<std::size_t>(c)]; }

std::optional<double> cell_number(const CellResult& r, Column c) {
  const TierShape& s = r.cell.tier.shape;
  switch (c) {
    case Column::q_n: return static_cast<double>(s.q_n);
    case Column::k_n: return static_cast<double>(s.k_n);
    case Column::head_dim: return static_cast<double>(s.head_dim);
    case Column::heads: return static_cast<double>(s.heads);
    case Column::batch: return static_cast<double>(s.batch);
    case Column::rel_err:
      if (r.check.checked) return r.check.rel_err;
      return std::nullopt;
    default: break;
  }
  const Timing* timing = shown_timing(r);
  if (!timing) return std::nullopt;
  const SampleStats& t = timing->time_ms;
  // A statistic the source did not record (the seed has no median or percentiles) is blank, not 0.
  auto known = [](double v) -> std::optional<double> { if (v > 0) return v; return std::nullopt; };
  switch (c) {
    case Column::median_ms: return known(t.median);
    case Column::mean_ms: return known(t.mean);
    case Column::std_ms: return t.std;
    case Column::min_ms: return known(t.min);
    case Column::p10_ms: return known(t.p10);
    case Column::p90_ms: return known(t.p90);
    case Column::tflops: return known(timing->tflops);
    case Column::gbps: return known(timing->gbps);
    case Column::samples: return t.samples > 0 ? std::optional<double>(t.samples) : std::nullopt;
    default: return std::nullopt;
  }
}

std::string cell_text(const CellResult& r, Column c) {
  switch (c) {
    case Column::kernel: return r.cell.kernel;
    case Column::tier: return r.cell.tier.name;
    case Column::dtype: return std::string(dtype_name(r.cell.dtype));
    case Column::causal: return causal_label(r.cell.causal);
    case Column::status: {
      const Timing* t = shown_timing(r);
      const std::string marks = t ? timing_marks(*t) : "";
      return status_label(r.status) + (marks.empty() ? "" : " " + marks);
    }
    case Column::mode: {
      const Timing* t = shown_timing(r);
      return t ? std::string(timing_mode_name(t->mode)) : std::string();
    }
    case Column::message: return r.message;
    case Column::median_ms:
      if (r.status != CellStatus::ok) return status_label(r.status);
      break;
    default: break;
  }
  const std::optional<double> v = cell_number(r, c);
  if (!v) return {};
  switch (c) {
    case Column::q_n: case Column::k_n: case Column::head_dim: case Column::heads: case Column::batch:
    case Column::samples:
      return std::to_string(static_cast<long long>(*v));
    case Column::rel_err: return format_sci(*v);
    case Column::tflops: case Column::gbps: return format_number(*v, 4);
    default: return format_ms(*v);
  }
}

std::vector<std::size_t> sorted_rows(const std::vector<CellResult>& results, std::vector<std::size_t> rows,
                                     Column c, bool ascending) {
  const bool numeric = column_info(c).numeric;
  auto less = [&](std::size_t a, std::size_t b) {
    const CellResult& ra = results[a];
    const CellResult& rb = results[b];
    if (numeric) {
      const auto va = cell_number(ra, c), vb = cell_number(rb, c);
      if (va && vb) return ascending ? *va < *vb : *vb < *va;
      if (va != vb) return va.has_value();  // valued rows first
      return ra.status < rb.status;         // then failed rows grouped by status
    }
    const std::string ta = cell_text(ra, c), tb = cell_text(rb, c);
    return ascending ? ta < tb : tb < ta;
  };
  std::stable_sort(rows.begin(), rows.end(), less);
  return rows;
}

bool row_matches(const CellResult& r, std::string_view filter) {
  const std::string hay = lower(r.cell.kernel + " " + r.cell.tier.name + " " + std::string(dtype_name(r.cell.dtype)) +
                                " " + causal_label(r.cell.causal) + " " + status_label(r.status));
  std::size_t i = 0;
  while (i < filter.size()) {
    while (i < filter.size() && std::isspace(static_cast<unsigned char>(filter[i]))) ++i;
    std::size_t j = i;
    while (j < filter.size() && !std::isspace(static_cast<unsigned char>(filter[j]))) ++j;
    if (j > i && hay.find(lower(filter.substr(i, j - i))) == std::string::npos) return false;
    i = j;
  }
  return true;
}

std::string rows_markdown(const std::vector<CellResult>& results, const std::vector<std::size_t>& rows,
                          const std::vector<Column>& columns) {
  auto escape = [](std::string s) {
    std::string out;
    for (char ch : s) {
      if (ch == '|') out += "\\|";
      else if (ch == '\n') out += ' ';
      else out += ch;
    }
    return out;
  };
  std::string md = "|";
  for (Column c : columns) md += " " + std::string(column_info(c).title) + " |";
  md += "\n|";
  for (Column c : columns) md += column_info(c).numeric ? "---:|" : "---|";
  md += "\n";
  for (std::size_t row : rows) {
    md += "|";
    for (Column c : columns) md += " " + escape(cell_text(results[row], c)) + " |";
    md += "\n";
  }
  return md;
}

}  // namespace attnsweep::gui
