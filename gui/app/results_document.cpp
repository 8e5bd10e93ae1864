#include "app/results_document.h"

namespace attnsweep::gui {

void ResultsDocument::replace(ResultSet set) {
  set_ = std::move(set);
  recompare();
  emit reset();
}

void ResultsDocument::append(std::vector<CellResult> cells) {
  if (cells.empty()) return;
  const std::size_t first = set_.results.size();
  // Views hold pointers into results (heatmap cells): they rebuild on `appended`, so a
  // reallocation here is safe.
  for (CellResult& c : cells) set_.results.push_back(std::move(c));
  recompare();
  emit appended(first, set_.results.size() - first);
}

void ResultsDocument::setBaseline(ResultSet base) {
  baseline_ = std::move(base);
  recompare();
  emit baselineChanged();
}

void ResultsDocument::clearBaseline() {
  baseline_.reset();
  recompare();
  emit baselineChanged();
}

void ResultsDocument::recompare() {
  comparison_ = baseline_ ? compare_runs(*baseline_, set_) : nullptr;
}

}  // namespace attnsweep::gui
