#include "core/table_rows.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>

#include "attnsweep/engine/format.h"
#include "core/views.h"

namespace attnsweep::gui {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

}  // namespace

std::vector<std::size_t> sorted_rows(const std::vector<CellResult>& results, std::vector<std::size_t> rows,
                                     Column c, bool ascending) {
  const bool numeric = column_info(c).numeric;
  auto less = [&](std::size_t a, std::size_t b) {
    const CellResult& ra = results[a];
    const CellResult& rb = results[b];
    if (c == Column::tier) {
      const TierShape& sa = ra.cell.tier.shape;
      const TierShape& sb = rb.cell.tier.shape;
      return ascending ? tier_before(sa, sb) : tier_before(sb, sa);
    }
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

namespace {

constexpr std::string_view kOperators = "<>=!";

// "tflops > 500" -> "tflops>500": a condition is one word however it was spaced.
std::string join_conditions(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool space = std::isspace(static_cast<unsigned char>(text[i]));
    if (space) {
      std::size_t j = i;
      while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
      const bool before_op = j < text.size() && kOperators.find(text[j]) != std::string_view::npos;
      const bool after_op = !out.empty() && kOperators.find(out.back()) != std::string_view::npos;
      if (!before_op && !after_op) out += ' ';
      i = j - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string numeric_names() {
  std::string names;
  for (Column c : table_columns())
    if (column_info(c).numeric) names += (names.empty() ? "" : ", ") + std::string(column_info(c).name);
  return names;
}

// "500", "1.5", "4k" (x1024, as tier names write lengths).
std::optional<double> read_value(std::string_view text) {
  double scale = 1;
  if (!text.empty() && (text.back() == 'k' || text.back() == 'K')) {
    scale = 1024;
    text.remove_suffix(1);
  }
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v * scale;
}

}  // namespace

RowFilter parse_row_filter(std::string_view text) {
  RowFilter f;
  const std::string joined = join_conditions(text);
  std::istringstream in(joined);
  for (std::string word; in >> word;) {
    const std::size_t op_at = word.find_first_of(kOperators);
    if (op_at == std::string::npos) {
      f.words.push_back(lower(word));
      continue;
    }
    std::size_t op_end = op_at;
    while (op_end < word.size() && kOperators.find(word[op_end]) != std::string_view::npos) ++op_end;
    const std::string name = word.substr(0, op_at), op = word.substr(op_at, op_end - op_at),
                      value = word.substr(op_end);
    const std::optional<Column> column = column_named(name);
    if (!column || !column_info(*column).numeric) {
      f.error = "'" + word + "': no numeric column '" + name + "' (numeric columns: " + numeric_names() + ")";
      return f;
    }
    if (op != "<" && op != "<=" && op != ">" && op != ">=" && op != "=" && op != "==" && op != "!=") {
      f.error = "'" + word + "': '" + op + "' is not a comparison (use <, <=, >, >=, = or !=)";
      return f;
    }
    const std::optional<double> v = read_value(value);
    if (!v) {
      f.error = "'" + word + "': '" + value + "' is not a number";
      return f;
    }
    f.conditions.push_back({*column, op == "==" ? "=" : op, *v});
  }
  return f;
}

bool RowFilter::matches(const CellResult& r) const {
  const std::string hay = lower(r.cell.kernel + " " + r.cell.tier.name + " " + std::string(dtype_name(r.cell.dtype)) +
                                " " + causal_label(r.cell.causal) + " " + status_label(r.status));
  for (const std::string& w : words)
    if (hay.find(w) == std::string::npos) return false;
  for (const Condition& c : conditions) {
    const std::optional<double> v = cell_number(r, c.column);
    if (!v) return false;
    const bool holds = c.op == "<"    ? *v < c.value
                       : c.op == "<=" ? *v <= c.value
                       : c.op == ">"  ? *v > c.value
                       : c.op == ">=" ? *v >= c.value
                       : c.op == "="  ? *v == c.value
                                      : *v != c.value;
    if (!holds) return false;
  }
  return true;
}

}  // namespace attnsweep::gui
