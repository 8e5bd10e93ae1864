#pragma once
// The results every view shows, and the signals that keep them in step: a whole new set
// (opened file, new run) or one more cell (live). A second run may be the baseline the results
// are compared with; the comparison is the engine's. Views read; only the owner writes.
#include <QObject>
#include <memory>
#include <optional>

#include "core/comparison.h"
#include "core/result_set.h"

namespace attnsweep::gui {

class ResultsDocument : public QObject {
  Q_OBJECT
 public:
  using QObject::QObject;
  const ResultSet& set() const { return set_; }
  const std::vector<CellResult>& results() const { return set_.results; }

  void replace(ResultSet set);  // keeps the baseline: the next run is compared with it too
  void append(std::vector<CellResult> cells);  // live rows, in batches

  // The run the results are compared with, and the engine's comparison of the two (in the
  // default timing mode; a view showing another mode compares in it, compare_runs).
  const std::optional<ResultSet>& baseline() const { return baseline_; }
  const ComparisonIndex* comparison() const { return comparison_.get(); }
  void setBaseline(ResultSet base);
  void clearBaseline();

 signals:
  void reset();
  // Cells [first, first + count) were appended.
  void appended(std::size_t first, std::size_t count);
  void baselineChanged();

 private:
  void recompare();

  ResultSet set_;
  std::optional<ResultSet> baseline_;
  std::shared_ptr<const ComparisonIndex> comparison_;
};

}  // namespace attnsweep::gui
