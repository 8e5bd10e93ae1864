#include "app/results_document.h"

namespace attnsweep::gui {

void ResultsDocument::replace(ResultSet set) {
  set_ = std::move(set);
  emit reset();
}

void ResultsDocument::append(std::vector<CellResult> cells) {
  if (cells.empty()) return;
  const std::size_t first = set_.results.size();
  // Views hold pointers into results (heatmap cells): they rebuild on `appended`, so a
  // reallocation here is safe.
  for (CellResult& c : cells) set_.results.push_back(std::move(c));
  emit appended(first, set_.results.size() - first);
}

}  // namespace attnsweep::gui
