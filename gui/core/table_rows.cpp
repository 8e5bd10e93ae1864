#include "core/table_rows.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "attnsweep/engine/format.h"

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

}  // namespace attnsweep::gui
